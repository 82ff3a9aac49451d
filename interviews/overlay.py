"""What the bank's pages show of one candidate's own practice.

The bank (the `questions` app) knows nothing of interviews: it reads this overlay from
`request.practice`, set by `interviews.middleware.CandidateMiddleware`, through two calls.
"""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User

from .models import Answer, Interview

ATTEMPTS_SHOWN = 10


class PracticeOverlay:
    def __init__(self, user: User | AnonymousUser) -> None:
        self.user = user

    def _finished_answers(self) -> QuerySet[Answer]:
        # Finished interviews only: nothing about a running interview shows on the bank.
        assert isinstance(self.user, User), "signed-in users only"
        return Answer.objects.filter(
            interview__user=self.user,
            interview__status=Interview.Status.FINISHED,
            closed_at__isnull=False,
        )

    def with_last_practice(self, questions: QuerySet[Any]) -> QuerySet[Any]:
        """Annotate each question with when this user last answered it, and that score."""
        if not self.user.is_authenticated:
            return questions
        last = self._finished_answers().filter(question=OuterRef("pk")).order_by("-closed_at")
        return questions.annotate(
            last_practised=Subquery(last.values("closed_at")[:1]),
            last_score=Subquery(last.values("score")[:1]),
        )

    def attempts(self, question: Any, limit: int = ATTEMPTS_SHOWN) -> list[Answer]:
        """This user's answers to `question`, newest first (empty when signed out)."""
        if not self.user.is_authenticated:
            return []
        answers = self._finished_answers().filter(question=question)
        return list(answers.select_related("interview").order_by("-closed_at")[:limit])
