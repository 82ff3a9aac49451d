"""Markdown and math to HTML, once, when the bank is loaded (never per request).

CommonMark with tables; raw HTML in the source is escaped, never passed through. Formulas in
`$...$` (inline) and `$$...$$` (display) become MathML on the server: browsers draw MathML
natively, so no script runs and the strict CSP stays as it is.
"""

from collections.abc import Sequence
from typing import Any

import latex2mathml.converter
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin


class MathError(ValueError):
    """A formula latex2mathml cannot convert; the message names the formula."""


def _mathml(latex: str, options: dict[str, Any]) -> str:
    display = "block" if options.get("display_mode") else "inline"
    try:
        return latex2mathml.converter.convert(latex, display=display)
    except Exception as error:  # the converter raises several kinds; all mean "not valid"
        raise MathError(f"formula ${latex}$ does not render: {error}") from error


def _display_math_in_a_line(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    # `$$...$$` inside a paragraph: the plugin wraps it in a <div>, which cannot sit in a <p>
    # (the HTML parser closes the paragraph there, and the validator reports the stray </p>).
    # A span is valid; <math display="block"> still draws it on a line of its own.
    content = _mathml(str(tokens[idx].content).strip(), {"display_mode": True})
    return f'<span class="math display">{content}</span>'


def _markdown() -> MarkdownIt:
    renderer = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    dollarmath_plugin(renderer, allow_space=True, double_inline=True, renderer=_mathml)
    renderer.add_render_rule("math_inline_double", _display_math_in_a_line)
    return renderer


_renderer = _markdown()


def render_markdown(text: str | None) -> str:
    """A block of Markdown (an answer) as HTML. Raises MathError for a broken formula."""
    return _renderer.render(text or "")


def render_inline(text: str | None) -> str:
    """One line of Markdown (a key point, a prompt) as inline HTML, math included."""
    return _renderer.renderInline(text or "")
