from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils.html import format_html


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
            login = redirect_to_login(page, self.get_login_url(view_func))["Location"]
            return HttpResponse(
                format_html(
                    '<p id="save-status" class="save-status save-status-error" role="alert">'
                    'Your session has expired, so this was not saved. <a href="{}">Log in '
                    "again</a>; everything saved before is kept.</p>",
                    login,
                ),
                status=401,
            )
        return super().handle_no_permission(request, view_func)
