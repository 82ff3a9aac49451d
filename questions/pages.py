"""The bank's pages: what everyone sees rendered once per bank version, the user's part per request.

The question list, search, topics and question pages are the same for every visitor but for a
small overlay: the signed-in user's own practice (last practice, attempts), and, while that user
has an interview in progress, "reference answers are paused". The shared HTML is rendered once,
kept in Django's cache (local memory by default, Redis shared by every app server when
`REDIS_URL` is set), and marks each place the overlay goes with `<!--overlay:NAME-->`; `fill`
puts the user's pieces there, or nothing. A user whose references are paused is served a
separate shared rendering made without any reference in it, never one with parts taken out.

Whole pages are kept too (core.caching.kept_page): one for every signed-out visitor, and one
per signed-in user, keyed by their count of practice changes (`viewer`), so a repeat visit
costs no query for the overlay or the paused state, and no template.

Entries are keyed by the bank's version (`BankVersion`: read from Redis when the cache is
shared, written there as a load commits; otherwise one tiny query on every request), so no app
server serves an older bank once a load has committed, and by the code that renders them
(templates and the project's source), so a deploy never serves HTML made by older templates
from a shared cache.

Responses carry an ETag computed from everything the page shows: the bank and code versions,
the page and its variant, the user and their count of practice changes, and the CSRF secret the
page's tokens are made from. A repeat visit gets 304 only when all of that is unchanged; a
page that shows a flash message gets no validator at all, so it is never replayed.
Last-Modified (the bank's last change) goes to anonymous visitors only: a date cannot tell
two users apart, so signed-in pages are revalidated by ETag alone.
"""

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.messages import get_messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.safestring import SafeString, mark_safe

from core.caching import USER_PAGE_SECONDS, cached, code_version, kept_page, practice_key

from .models import Version

# Old versions' entries are never read again; this only bounds how long they take up room.
SHARED_SECONDS = 24 * 60 * 60
OVERLAY = re.compile(r"<!--overlay:([a-z0-9-]+)-->")
PIECE = "<!--piece-->"


def _digest(parts: tuple[Any, ...]) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def shared(version: Version, *key: Any, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The cached entry for `key` at this bank version, made by `build()` when missing.

    `key` must hold everything the entry depends on besides the bank (page, filters, variant).
    `build()` may raise Http404: nothing is cached then."""
    cache_key = "bank-page:" + _digest((code_version(), version.token, *key))
    return cached(cache_key, build, SHARED_SECONDS)


def viewer(request: HttpRequest) -> tuple[int, float, int] | None:
    """Who reads the page, as far as it can differ: nobody signed in, or a user at a count of
    changes to their practice (which covers their overlay and whether references are paused),
    read with the user, so finding it costs no query."""
    user = request.user
    if not user.is_authenticated:
        return None
    return practice_key(user)


def piece(template_name: str, context: Mapping[str, Any]) -> str:
    """One overlay piece: a partial rendered with just `context` (no context processors)."""
    return get_template(template_name).render(dict(context))


def pieces(template_name: str, names: list[str], context: Mapping[str, Any]) -> dict[str, str]:
    """Overlay pieces called `names` from one rendering of a partial (a rendering per row would
    cost several times more): the partial writes them in that order, each starting with
    `<!--piece-->`."""
    parts = piece(template_name, context).split(PIECE)[1:]
    return dict(zip(names, parts, strict=True))


def fill(html: str, overlay: Mapping[str, str]) -> SafeString:
    """`html` with each overlay mark replaced by the user's piece of that name, or by nothing."""
    return mark_safe(OVERLAY.sub(lambda mark: overlay.get(mark.group(1), ""), html))  # noqa: S308 - the shared HTML and pieces come from templates


def respond(
    request: HttpRequest,
    state: tuple[Any, ...],
    bank_changed_at: datetime | None,
    render: Callable[[dict[str, Any]], HttpResponse],
    *,
    whole_page: bool = True,
) -> HttpResponseBase:
    """The page `render(extra_context)` makes, or 304 Not Modified when the browser holds it.

    `state` must hold everything the page shows that is not the same for every visitor of
    this URL: the bank version, the variant, the user's overlay and paused state. With
    `whole_page`, an anonymous visitor's page is cached whole, base template included."""
    response: HttpResponseBase
    if get_messages(request):
        # The page shows a message once: no validator, so it can never come back as a 304.
        response = render({})
    else:
        response = _validated(request, state, bank_changed_at, render, whole_page)
    # Private (the page shows who is signed in) and revalidated on every visit.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _validated(
    request: HttpRequest,
    state: tuple[Any, ...],
    bank_changed_at: datetime | None,
    render: Callable[[dict[str, Any]], HttpResponse],
    whole_page: bool,
) -> HttpResponseBase:
    """The page with its ETag (and Last-Modified when signed out), or a 304."""
    user = request.user
    signed_in = user.is_authenticated
    if "CSRF_COOKIE" not in request.META:  # no secret yet: make the one the page's tokens use
        get_token(request)
    etag = quote_etag(
        _digest(
            (
                code_version(),
                getattr(staticfiles_storage, "manifest_hash", ""),
                state,
                (user.pk, user.get_username()) if signed_in else None,
                request.META["CSRF_COOKIE"],
            )
        )
    )
    last_modified = None
    if not signed_in and bank_changed_at is not None:
        last_modified = int(bank_changed_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        if whole_page:
            # Kept whole: for everyone signed out, or for this user at this practice_version.
            seconds = USER_PAGE_SECONDS if signed_in else SHARED_SECONDS
            response = kept_page(request, ("bank", state), render, seconds)
        else:
            response = render({})
    response.headers["ETag"] = etag
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    return response
