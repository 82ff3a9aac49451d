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


# An inline formula this long (in LaTeX characters) may be wider than a phone's column: it
# gets its own sideways scroll, and a tab stop so that a keyboard reaches the scroll.
LONG_INLINE_FORMULA = 40


def _inline_math(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    latex = str(tokens[idx].content)
    content = _mathml(latex, {"display_mode": False})
    # Not in one-line Markdown (prompts, key points): those sit in links and labels, where a
    # tab stop of its own would be interactive content inside interactive content.
    if len(latex) >= LONG_INLINE_FORMULA and not (env or {}).get("one_line"):
        return f'<span class="math inline long" tabindex="0">{content}</span>'
    return f'<span class="math inline">{content}</span>'


def _focusable(renderer: MarkdownIt, rule: str, tag: str) -> None:
    """Code blocks and displayed formulas scroll sideways in a narrow column: a keyboard user
    must be able to reach the scroll, so each can take focus (axe's
    scrollable-region-focusable). `tag` is the opening tag the rule writes."""
    default = renderer.renderer.rules[rule]  # type: ignore[attr-defined]
    focusable = tag[:-1] + ' tabindex="0">'

    def render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return str(default(tokens, idx, options, env)).replace(tag, focusable, 1)

    renderer.add_render_rule(rule, render)


def _markdown() -> MarkdownIt:
    renderer = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    dollarmath_plugin(renderer, allow_space=True, double_inline=True, renderer=_mathml)
    renderer.add_render_rule("math_inline_double", _display_math_in_a_line)
    renderer.add_render_rule("math_inline", _inline_math)
    _focusable(renderer, "fence", "<pre>")
    _focusable(renderer, "code_block", "<pre>")
    _focusable(renderer, "math_block", '<div class="math block">')
    return renderer


_renderer = _markdown()


def render_markdown(text: str | None) -> str:
    """A block of Markdown (an answer) as HTML. Raises MathError for a broken formula."""
    return _renderer.render(text or "")


def render_inline(text: str | None) -> str:
    """One line of Markdown (a key point, a prompt) as inline HTML, math included."""
    return _renderer.renderInline(text or "", {"one_line": True})
