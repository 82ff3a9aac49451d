"""The one rule for reference answers while an interview runs.

While a user has an interview in progress, no reference answer, key point or follow-up reaches
that user by any route: not on the bank's pages, not in search (which then matches prompts and
topics only), not in the review of another interview, not through `practise`. The rule pauses
every reference, not just those of the running interview's questions, so that nothing the user
can see depends on which questions those are. They return when the interview is finished or
ended.

Every view reads the rule from `request.references` (set by
`interviews.middleware.CandidateMiddleware`), so the bank's views need not know what an
interview is.
"""

from functools import cached_property

from django.contrib.auth.models import AnonymousUser

from accounts.models import User

from .models import Interview


class ReferenceAccess:
    """Whether reference answers, key points and follow-ups may be sent to this user now."""

    def __init__(self, user: User | AnonymousUser) -> None:
        self.user = user

    @cached_property
    def paused_by(self) -> Interview | None:
        """The interview in progress that pauses references, or None (one query, once)."""
        if not self.user.is_authenticated:
            return None
        return Interview.objects.for_user(self.user).in_progress().first()

    @property
    def allowed(self) -> bool:
        return self.paused_by is None

    @property
    def paused(self) -> bool:
        return not self.allowed
