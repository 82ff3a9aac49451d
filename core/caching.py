"""Keeping rendered HTML in Django's cache, where a failing cache never fails the page.

`kept_page` keeps whole pages: a signed-out visitor's, the same for all of them, and a signed-in
user's, under the count of changes to that user's practice (`User.practice_version`, read with
the user on every request), so a page is made again after anything it shows has changed.
"""

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.cache.backends import redis as redis_backend
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

logger = logging.getLogger(__name__)


def quietly(operation: Callable[..., Any], *args: Any) -> Any:
    """`operation(*args)` on the cache, or None when the cache fails (Redis down, a timeout):
    the error is logged and the caller goes on as on a miss. A cache never fails a page."""
    try:
        return operation(*args)
    except Exception:  # any backend error means "not cached"
        logger.warning(
            "Cache unavailable for %s", getattr(operation, "__name__", operation), exc_info=True
        )
        return None


def cached[T](key: str, build: Callable[[], T], seconds: int) -> T:
    """The cached value, or `build()` stored for next time (built anyway if the cache fails)."""
    value = quietly(cache.get, key)
    if value is None:
        value = build()
        quietly(cache.set, key, value, seconds)
    return value


# Where a kept page has its CSRF token: each request puts its own there.
CSRF_STAND_IN = "csrf-token-of-this-visitor-4d2b7e"
# A user's kept pages outlive the session that made them by little: the next visit after a
# change makes new ones, and these are not read again.
USER_PAGE_SECONDS = 60 * 60


def practice_key(user: Any) -> tuple[int, float, int]:
    """A signed-in user as far as what is kept for them goes: who (the id, and when they
    joined, so that an account made again after a restore never reads another's pages) and
    their count of practice changes, read with the user on every request."""
    return (user.pk, user.date_joined.timestamp(), user.practice_version)


def kept_page(
    request: HttpRequest,
    key: tuple[Any, ...],
    render: Callable[[dict[str, Any]], HttpResponse],
    seconds: int = USER_PAGE_SECONDS,
    *,
    fresh: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The page `render(extra_context)` makes, kept in the cache for this visitor.

    `key` must hold everything the page shows besides the visitor, their practice and the code:
    the page and its query, the bank's version, a time bucket for a page that changes with the
    clock. Only a 200 is kept. A page showing a message is made fresh and never kept, so the
    message shows once. The page is made with a stand-in CSRF token that each response replaces
    with the visitor's own; `fresh` maps the page's other stand-ins (strings `render` wrote in
    place of what changes between two responses) to this response's HTML for them."""
    if get_messages(request):
        return render({})
    user = request.user
    viewer = (*practice_key(user), user.get_username()) if user.is_authenticated else None
    static = getattr(staticfiles_storage, "manifest_hash", "")
    digest = hashlib.blake2b(repr((code_version(), static, viewer, key)).encode(), digest_size=16)
    cache_key = "page:" + digest.hexdigest()
    values = {CSRF_STAND_IN: get_token(request), **(fresh or {})}
    html = quietly(cache.get, cache_key)
    if html is None:
        response = render({"csrf_token": CSRF_STAND_IN})
        html = response.content.decode()
        if response.status_code != 200:
            response.content = fill(html, values)
            return response
        quietly(cache.set, cache_key, html, seconds)
    return HttpResponse(fill(html, values))


def fill(html: str, values: Mapping[str, str]) -> str:
    """`html` with each stand-in (a key of `values`) replaced by its value, in one pass, so a
    value (a candidate's draft, say) is never searched for stand-ins itself."""
    if len(values) == 1:
        [(stand_in, value)] = values.items()
        return html.replace(stand_in, value)
    pattern = re.compile("|".join(map(re.escape, values)))
    return pattern.sub(lambda found: values[found.group()], html)


@functools.cache
def code_version() -> str:
    """A digest of what cached HTML is made from besides the data: every template and the
    project's Python source (read once per process), so that after a deploy a shared cache
    never serves HTML made by older code."""
    digest = hashlib.blake2b(digest_size=12)
    engines: list[dict[str, Any]] = settings.TEMPLATES
    roots = [Path(folder) for engine in engines for folder in engine["DIRS"]]
    apps = ("config", "core", "accounts", "questions", "interviews", "repetition", "progress")
    roots += [Path(settings.BASE_DIR) / app for app in apps]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".py"} and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


class _ReusedRedisClient(redis_backend.RedisCacheClient):
    """Django's Redis client, keeping one `redis.Redis` per connection pool. Django builds a new
    one for every cache call, and building it (its table of response callbacks) cost about a
    fifth of a millisecond: more than the call itself, several times per request. A client over
    a pool is safe to share between threads, as the pool is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reused: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # its private helpers are not in django-stubs
        index = django_client._get_connection_pool_index(write)
        client = self._reused.get(index)
        if client is None:
            pool = django_client._get_connection_pool(write)
            client = self._reused[index] = django_client._client(connection_pool=pool)
        return client


class RedisCache(redis_backend.RedisCache):
    """Django's Redis cache backend with the client above (settings: REDIS_URL)."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedRedisClient
