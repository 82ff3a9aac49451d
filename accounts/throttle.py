"""Per-address limits on the forms that send mail or create accounts.

Counts live in Django's cache (local memory by default, shared when a shared cache is set), in
fixed windows: the first request of an address opens a window, and after `limit` POSTs in it
the address waits for the window to end.
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render


def over_limit(request: HttpRequest, scope: str, *, limit: int, seconds: int) -> bool:
    """Count this request against the address; True once the window's limit is passed."""
    key = f"throttle:{scope}:{get_client_ip_address(request) or 'unknown'}"
    if cache.add(key, 1, timeout=seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=seconds)
        return False
    return count > limit


def throttle_posts[R: HttpRequest, **P](
    scope: str, *, limit: int, seconds: int
) -> Callable[
    [Callable[Concatenate[R, P], HttpResponseBase]], Callable[Concatenate[R, P], HttpResponseBase]
]:
    """Refuse POSTs past `limit` per address in `seconds` with a 429 page; GETs pass."""

    def decorator(
        view: Callable[Concatenate[R, P], HttpResponseBase],
    ) -> Callable[Concatenate[R, P], HttpResponseBase]:
        @wraps(view)
        def wrapped(request: R, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if request.method == "POST" and over_limit(
                request, scope, limit=limit, seconds=seconds
            ):
                context = {"minutes": max(1, seconds // 60)}
                return render(request, "accounts/throttled.html", context, status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
