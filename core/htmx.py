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
