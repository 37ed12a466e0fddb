"""The inline checks' icon, drawn from the site's own icon font, not an emoji.

An inline check is a sphinx-design dropdown with ``:class-container: inline-check``. Its
title gets a question-mark icon (Font Awesome's ``circle-question``, which
:mod:`coursesite.pageweight` keeps in the subset font because a page now uses it) and a
text alternative for screen readers. A title typed with an emoji would show a
missing-glyph box to a reader without an emoji font; the contract rejects one.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_design.shared import is_component

from coursesite.compat import SPHINX_DESIGN, require
from coursesite.contract import CHECK_CLASS

ICON_HTML = (
    '<span class="fa-regular fa-circle-question check-icon" aria-hidden="true"></span>'
    '<span class="visually-hidden">Check your understanding: </span>'
)


class InlineCheckIcon(SphinxPostTransform):
    """Put the icon at the start of each inline check's title, before sphinx-design turns
    the dropdown into ``<details>`` (its transform runs at priority 199)."""

    default_priority = 198
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        for node in self.document.findall(lambda n: is_component(n, "dropdown")):
            if not isinstance(node, nodes.Element):
                continue
            if CHECK_CLASS not in node.get("container_classes", ()) or not node["has_title"]:
                continue
            title = node[0]
            if isinstance(title, nodes.rubric):
                title.insert(0, nodes.raw("", ICON_HTML, format="html"))


def setup(app: Sphinx) -> None:
    require("sphinx-design", SPHINX_DESIGN, "checkicons", "the dropdown's node layout")
    app.add_post_transform(InlineCheckIcon)
