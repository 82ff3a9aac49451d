"""Markdown and math to HTML, once, when the bank is loaded (never per request).

CommonMark with tables; raw HTML in the source is escaped, never passed through. Formulas in
`$...$` (inline) and `$$...$$` (display) become MathML on the server: browsers draw MathML
natively, so no script runs and the strict CSP stays as it is.
"""

from html import escape
from typing import Any

import latex2mathml.converter
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin


class MathError(ValueError):
    """A formula latex2mathml cannot convert; the message names the formula."""


def _mathml(latex: str, options: dict[str, Any]) -> str:
    display = "block" if options.get("display_mode") else "inline"
    try:
        return latex2mathml.converter.convert(latex, display=display)
    except Exception as error:  # the converter raises several kinds; all mean "not valid"
        raise MathError(f"formula ${latex}$ does not render: {error}") from error


def _markdown() -> MarkdownIt:
    renderer = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    dollarmath_plugin(renderer, allow_space=True, double_inline=True, renderer=_mathml)
    return renderer


_renderer = _markdown()


def render_markdown(text: str | None) -> str:
    """A block of Markdown (an answer) as HTML. Raises MathError for a broken formula."""
    return _renderer.render(text or "")


def render_inline(text: str | None) -> str:
    """One line of Markdown (a key point, a prompt) as inline HTML, math included."""
    return _renderer.renderInline(text or "")


def plain_text_fallback(text: str | None) -> str:
    return f"<p>{escape(text or '')}</p>"
