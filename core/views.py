import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .htmx import SiteRequest, htmx_notice

logger = logging.getLogger(__name__)


def landing(request: SiteRequest) -> HttpResponse:
    """The home page for visitors who are not signed in: what the site is and how it works.
    (Signed-in users get their dashboard, progress.views.home, at the same address.)"""
    return render(request, "core/home.html", {"in_progress": request.references.paused_by})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the benchmark: 200 when the database answers, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "unhealthy", never a 500 page
        # The error text stays in the log: it can name hosts, users and database names.
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: a page, or for htmx a notice at the top of <main>, never a page in a fragment."""
    if getattr(request, "htmx", False):
        context = {
            "message": "That is not here any more. Reload the page to see where things stand."
        }
        return htmx_notice(request, "fragment_notice.html", context, 404)
    return render(request, "404.html", status=404)
