from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def htmx_notice(request: HttpRequest, template: str, context: dict, status: int) -> HttpResponse:
    """An htmx answer that fits wherever the request came from: the take page's save status
    when there is one (the typed text stays in its box), otherwise a notice at the top of
    <main>. Never a whole page swapped into a fragment's target."""
    response = HttpResponse(render_to_string(template, context, request), status=status)
    on_take_page = request.headers.get("HX-Target") in {"save-status", "interview-panel"}
    response["HX-Retarget"] = "#save-status" if on_take_page else "main"
    response["HX-Reswap"] = "outerHTML" if on_take_page else "afterbegin"
    return response


class LoginRequiredHtmxMiddleware(LoginRequiredMiddleware):
    """Deny by default, like Django's; but an expired session during an htmx request (an
    autosave, a submit) gets a 401 with a message in place, not a login page swapped into a
    corner of the interview. The text saved so far is kept on the server."""

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            try:
                page = request.htmx.current_url_abs_path or "/"
            except ValueError:
                # HX-Current-URL is the browser's word; a malformed one is no reason for a 500.
                page = "/"
            login_url = redirect_to_login(page, self.get_login_url(view_func))["Location"]
            template = (
                "accounts/session_expired.html"
                if request.headers.get("HX-Target") in {"save-status", "interview-panel"}
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
