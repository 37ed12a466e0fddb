"""Math rendered to MathML when the site is built: no script, no CDN, works offline.

Sphinx's default renderer leaves the LaTeX in the page and loads MathJax from a CDN to
typeset it in the reader's browser: a few hundred KB of script on every page with math
(24 of the 27), raw ``\\(...\\)`` wherever the CDN is out of reach (a local build read
offline), and layout work on the main thread of a phone. Every current browser draws
MathML itself (MathML Core), so the build converts each formula once, with
``latex2mathml``, and the reader downloads nothing extra.

A formula the converter cannot read, or a command it does not know (it would otherwise
print ``\\foo`` as a variable), is a build warning that names the page and line; the
strict build turns it into a failure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

# An unknown command survives conversion as text: <mi>\foo</mi>.
_LEFTOVER_COMMAND = re.compile(r">[^<]*(\\[A-Za-z]+)")
# So does the & of an environment the converter cannot lay out as a table (<mi>&</mi>),
# and a bare \\ becomes a line break that MathML Core does not draw.
_LEFTOVER_LAYOUT = re.compile(r"&(?!#x[0-9A-Fa-f]+;|[a-z]+;)|linebreak=")
# latex2mathml lays out align* as a table but not aligned, which means the same inside
# a displayed formula.
_SYNONYMS = {r"\begin{aligned}": r"\begin{align*}", r"\end{aligned}": r"\end{align*}"}


class MathError(ValueError):
    """LaTeX that cannot be turned into faithful MathML."""


def to_mathml(latex: str, *, display: bool) -> str:
    """``latex`` (without delimiters) as one ``<math>`` element.

    Raises :class:`MathError` for malformed LaTeX and for commands the converter does
    not know.
    """
    source = latex.strip()
    for name, synonym in _SYNONYMS.items():
        source = source.replace(name, synonym)
    try:
        mathml = convert(source, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises a zoo of its own error types
        msg = f"cannot convert {latex.strip()!r} to MathML: {type(exc).__name__} {exc}".strip()
        raise MathError(msg) from exc
    if leftover := _LEFTOVER_COMMAND.search(mathml):
        msg = f"unsupported LaTeX command {leftover.group(1)} in {latex.strip()!r}"
        raise MathError(msg)
    if _LEFTOVER_LAYOUT.search(mathml):
        msg = f"unsupported environment or line break in {latex.strip()!r}"
        raise MathError(msg)
    return mathml


def _render(self: HTML5Translator, node: nodes.Element, latex: str, *, display: bool) -> str:
    try:
        return to_mathml(latex, display=display)
    except MathError as exc:
        logger.warning("%s", exc, location=node, type="coursesite", subtype="math")
        return f"<code>{self.encode(latex)}</code>"


def visit_math(self: HTML5Translator, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(_render(self, node, node.astext(), display=False))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_math_block(self: HTML5Translator, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    # As with MathJax, a blank line separates equations in one block. A displayed formula
    # wider than the column scrolls sideways, so it must take keyboard focus (WCAG 2.1.1;
    # axe's scrollable-region-focusable); MathJax, too, makes every formula focusable.
    for part in (p for p in node.astext().split("\n\n") if p.strip()):
        mathml = _render(self, node, part, display=True)
        if self.builder.name != "epub":  # EPUB's MathML schema has no tabindex
            mathml = mathml.replace("<math ", '<math tabindex="0" ', 1)
        self.body.append(mathml)
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> None:
    """Register the renderer; ``html_math_renderer = "mathml"`` in conf.py selects it."""
    app.add_html_math_renderer(
        "mathml", inline_renderers=(visit_math, None), block_renderers=(visit_math_block, None)
    )
