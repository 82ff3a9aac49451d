from collections.abc import Callable
from typing import cast

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from core.htmx import SiteRequest, htmx_notice, targets_take_page


class LoginRequiredHtmxMiddleware(LoginRequiredMiddleware):
    """Deny by default, like Django's; but an expired session during an htmx request (an
    autosave, a submit) gets a 401 with a message in place, not a login page swapped into a
    corner of the interview. The text saved so far is kept on the server."""

    # django-stubs narrows this hook's return to HttpResponseRedirect, though Django takes any
    # response from it (process_view returns it as is); the 401 notice below is one.
    def handle_no_permission(  # type: ignore[override]
        self, request: HttpRequest, view_func: Callable[..., HttpResponseBase]
    ) -> HttpResponse:
        if getattr(request, "htmx", False):
            try:
                page = cast(SiteRequest, request).htmx.current_url_abs_path or "/"
            except ValueError:
                # HX-Current-URL is the browser's word; a malformed one is no reason for a 500.
                page = "/"
            login_url = redirect_to_login(page, self.get_login_url(view_func))["Location"]
            template = (
                "accounts/session_expired.html"
                if targets_take_page(request)
                else "fragment_notice.html"
            )
            context = {
                "login_url": login_url,
                "message": "Your session has expired, so this was not done.",
                "link": login_url,
                "link_text": "Log in again",
            }
            return htmx_notice(request, template, context, 401)
        return super().handle_no_permission(request, view_func)
