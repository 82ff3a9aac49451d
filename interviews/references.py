"""The one rule for reference answers while an interview runs.

While a user has an interview in progress, no reference answer, key point or follow-up reaches
that user by any route: not on the bank's pages, not in search (which then matches prompts and
topics only), not in the review of another interview, not through `practise`. The rule pauses
every reference, not just those of the running interview's questions, so that nothing the user
can see depends on which questions those are. They return when the interview is finished or
ended.

Every view reads the rule from `request.references` (set by `ReferenceAccessMiddleware`), so
the bank's views need not know what an interview is.
"""

from collections.abc import Callable
from functools import cached_property

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponseBase

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


class ReferencesRequest(HttpRequest):
    """A request once `ReferenceAccessMiddleware` has seen it: what views can annotate with."""

    references: ReferenceAccess


class ReferenceAccessMiddleware:
    """Puts `request.references` on every request; it costs a query only when read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: ReferencesRequest) -> HttpResponseBase:
        request.references = ReferenceAccess(request.user)
        return self.get_response(request)
