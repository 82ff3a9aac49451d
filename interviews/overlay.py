"""What the bank's pages show of one candidate's own practice.

The bank (the `questions` app) knows nothing of interviews: it reads this overlay from
`request.practice`, set by `interviews.middleware.CandidateMiddleware`, through two calls of
one query each, made per request beside the bank's shared, cached HTML (questions/pages.py).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
from questions.models import Question

from .models import Answer, Interview

ATTEMPTS_SHOWN = 10


class LastPractice(NamedTuple):
    practised: datetime
    score: float | None


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

    def last_practice(self, question_ids: Sequence[int]) -> dict[int, LastPractice]:
        """When this user last answered each of these questions, and that score (one query;
        none when signed out or for no question). Questions never answered are left out."""
        if not self.user.is_authenticated or not question_ids:
            return {}
        last = self._finished_answers().filter(question=OuterRef("pk")).order_by("-closed_at")
        rows = (
            Question.objects.filter(pk__in=question_ids)
            .annotate(
                last_practised=Subquery(last.values("closed_at")[:1]),
                last_score=Subquery(last.values("score")[:1]),
            )
            .filter(last_practised__isnull=False)
            .values_list("pk", "last_practised", "last_score")
        )
        return {pk: LastPractice(practised, score) for pk, practised, score in rows}

    def attempts(self, question_id: int, limit: int = ATTEMPTS_SHOWN) -> list[Answer]:
        """This user's answers to the question, newest first (empty when signed out)."""
        if not self.user.is_authenticated:
            return []
        answers = self._finished_answers().filter(question_id=question_id)
        return list(answers.select_related("interview").order_by("-closed_at")[:limit])
