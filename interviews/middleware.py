from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from accounts.models import User
from core.htmx import SiteRequest

from .overlay import PracticeOverlay
from .references import ReferenceAccess


class CandidateRequest(SiteRequest):
    """A request once `CandidateMiddleware` has seen it: what views can annotate with."""

    references: ReferenceAccess
    practice: PracticeOverlay


class MemberRequest(CandidateRequest):
    """A `CandidateRequest` to a view behind `LoginRequiredMiddleware` (not marked
    `login_not_required`): the user is signed in, never anonymous."""

    user: User


class CandidateMiddleware:
    """What the interviews app tells every view about the user, lazily (a query only when read):
    `request.references`, the one rule for reference answers during an interview, and
    `request.practice`, the user's own practice for the bank's pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: CandidateRequest) -> HttpResponseBase:
        request.references = ReferenceAccess(request.user)
        request.practice = PracticeOverlay(request.user)
        return self.get_response(request)
