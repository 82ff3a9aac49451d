from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django_htmx.middleware import HtmxDetails


class References(Protocol):
    """`request.references` as core and the bank read it (interviews.references)."""

    @property
    def paused_by(self) -> Model | None: ...

    @property
    def allowed(self) -> bool: ...


class Practice(Protocol):
    """`request.practice` as the bank reads it (interviews.overlay)."""

    def last_practice(self, question_ids: Sequence[int]) -> Mapping[int, Any]: ...

    def attempts(self, question_id: int) -> list[Any]: ...


class SiteRequest(HttpRequest):
    """A request once the site's middleware has seen it, for views to annotate with: `htmx`
    from django_htmx, and `references` / `practice` from the interviews app, described here by
    what they offer, so that core and the bank need not import interviews (tests/test_boundaries).
    The interviews app's own views use its narrower `CandidateRequest`."""

    htmx: HtmxDetails
    references: References
    practice: Practice


def targets_take_page(request: HttpRequest) -> bool:
    """Whether an htmx request swaps part of the take page (the answer panel or its status)."""
    return request.headers.get("HX-Target") in {"save-status", "interview-panel"}


def htmx_notice(request: HttpRequest, template: str, context: dict, status: int) -> HttpResponse:
    """An htmx answer that fits wherever the request came from: the take page's save status
    when there is one (the typed text stays in its box), otherwise a notice at the top of
    <main>. Never a whole page swapped into a fragment's target."""
    response = HttpResponse(render_to_string(template, context, request), status=status)
    on_take_page = targets_take_page(request)
    response["HX-Retarget"] = "#save-status" if on_take_page else "main"
    response["HX-Reswap"] = "outerHTML" if on_take_page else "afterbegin"
    return response
