from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

register = template.Library()

# CommonMark with tables; raw HTML in the source is escaped, never passed through.
_renderer = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


@register.filter
def markdown(text):
    return mark_safe(_renderer.render(text or ""))
