"""The course as an EPUB (``sphinx-build -b epub``; ``nox -s epub``), valid by epubcheck.

EPUB pages are XHTML, stricter than the HTML a browser accepts, and an e-reader has no
site around the book. For the EPUB builder:

- inline SVG icons (sphinx-design's chevrons) are put in the SVG namespace, and the
  manifest declares the pages that hold SVG or MathML (``properties``), as EPUB 3
  requires and Sphinx's builder does not;
- each module's download links (notebooks, scripts, the zip) point at the published site,
  where the files are, instead of at files the book does not hold;
- myst-nb's stylesheet is left out: its modern CSS is beyond what e-readers (and
  epubcheck) parse, and the book's own theme lays out code and outputs.

Hidden cells print open under a title (:mod:`coursesite.accessibility`), and formulas lose
the ``tabindex`` that EPUB's MathML does not allow (:mod:`coursesite.mathml`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder
from sphinx.transforms.post_transforms import SphinxPostTransform

from coursesite.figures import CACHE as FIGURE_CACHE
from coursesite.figures import optimise
from coursesite.notebooks import NOTEBOOKS_DIR
from coursesite.state import course_state

SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
_SVG = re.compile(r"<svg(?![^>]*\bxmlns=)")
_LOCAL_DOWNLOAD = re.compile(rf'href="(?:\.\./)*{NOTEBOOKS_DIR}/')


def fix_raw_html(html: str, site_url: str) -> str:
    """``html`` with SVG namespaced and download links absolute on the site."""
    html = _SVG.sub(f"<svg {SVG_NS}", html)
    return _LOCAL_DOWNLOAD.sub(f'href="{site_url}/{NOTEBOOKS_DIR}/', html)


class EpubRawHtml(SphinxPostTransform):
    """Apply :func:`fix_raw_html` to every raw HTML node of an EPUB page. Runs after
    sphinx-design has drawn its dropdowns (priority 199)."""

    default_priority = 210
    builders = ("epub",)

    def run(self, **kwargs: Any) -> None:
        site_url = course_state(self.config).settings.site_url
        for node in self.document.findall(nodes.raw):
            if "html" in node.get("format", "").split():
                fixed = fix_raw_html(node.astext(), site_url)
                node.children[:] = [nodes.Text(fixed)]


def declare_properties(opf: str, read: Callable[[str], str]) -> str:
    """``opf`` (content.opf) with ``properties="mathml svg"`` on each page item whose
    file (``read(href)``) holds MathML or SVG."""

    def item(match: re.Match[str]) -> str:
        tag, href = match[0], match[1]
        if "properties=" in tag or not href.endswith(".xhtml"):
            return tag
        text = read(unquote(href))
        found = [name for name, mark in (("mathml", "<math"), ("svg", "<svg")) if mark in text]
        return tag.replace(" />", f' properties="{" ".join(found)}" />') if found else tag

    return re.sub(r'<item id="[^"]*" href="([^"]*)"[^>]*/>', item, opf)


class CourseEpubBuilder(Epub3Builder):
    """Sphinx's EPUB 3 builder, with a manifest that declares MathML and SVG, and the
    figures optimised as the site's are."""

    def copy_image_files(self) -> None:
        super().copy_image_files()
        for path in sorted(Path(self.outdir, self.imagedir).glob("*.png")):
            optimise(path, Path(self.srcdir) / FIGURE_CACHE)

    def build_content(self) -> None:
        super().build_content()
        opf = Path(self.outdir, "content.opf")
        text = opf.read_text(encoding="utf-8")

        def read(href: str) -> str:
            return Path(self.outdir, href).read_text(encoding="utf-8")

        opf.write_text(declare_properties(text, read), encoding="utf-8")


def drop_mystnb_css(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    if app.builder.name == "epub":
        context["css_files"] = [
            css for css in context.get("css_files", []) if "mystnb." not in str(css.filename)
        ]


def setup(app: Sphinx) -> None:
    app.add_builder(CourseEpubBuilder, override=True)
    app.add_post_transform(EpubRawHtml)
    app.connect("html-page-context", drop_mystnb_css)
