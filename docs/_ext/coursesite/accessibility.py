"""Fixes to markup the site's extensions write, found by Lighthouse and axe-core.

myst-nb draws a hidden cell (an exercise's solution) as ``<details>`` whose
``<summary>`` says "Show solution" on screen but carries ``aria-label="Toggle hidden
content"``. A screen reader then announces a name that is not the visible label, and a
voice-control user who says "click Show solution" finds nothing (WCAG 2.5.3, Label in
Name; Lighthouse's ``label-content-name-mismatch``). The site draws the same element
without the label, so its accessible name is the visible text.
"""

from __future__ import annotations

from html import escape

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator

from coursesite import compat
from coursesite.compat import require


def visit_hidden_cell(self: HTML5Translator, node: HideCodeCellNode) -> None:
    """myst-nb's ``visit_HideCellInput``, less the ``aria-label`` that hid the label.

    In the EPUB a book has nothing to click: the cell is printed open, under a title
    ("Show solution" becomes "Solution").
    """
    classes = " ".join(node["classes"])
    if self.builder.name == "epub":
        title = node["prompt_show"].removeprefix("Show ")
        self.body.append(f'<div class="admonition hidden-cell {classes}">\n')
        self.body.append(
            f'<p class="admonition-title">{escape(title[:1].upper() + title[1:])}</p>\n'
        )
        return
    self.body.append(f'<details class="admonition hide {classes}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def depart_hidden_cell(self: HTML5Translator, node: HideCodeCellNode) -> None:
    if self.builder.name == "epub":
        self.body.append("</div>\n")
    else:
        depart_HideCellInput(self, node)


def setup(app: Sphinx) -> None:
    require("myst-nb", compat.MYST_NB, "accessibility", "the HideCodeCellNode visitor")
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_hidden_cell))
