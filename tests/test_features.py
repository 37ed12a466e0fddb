"""Features of the site extension, built in-process with ``sphinx.testing`` on tiny source
trees (no execution): a second or two each, so they run in the fast loop."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

CHECKS_PAGE = """\
# A page

::::{dropdown} Why does it work?
:class-container: inline-check

Because.
::::

::::{dropdown} Show the answer

Not an inline check: no icon.
::::
"""


def build(tmp_path: Path, extensions: list[str], pages: dict[str, str], builder: str = "html"):
    """Build ``pages`` (name -> MyST text) with ``extensions``; return the output folder."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"extensions = {['myst_parser', 'sphinx_design', *extensions]!r}\n"
        "myst_enable_extensions = ['colon_fence']\n"
    )
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text)
    app = SphinxTestApp(builder, srcdir=src, freshenv=True, status=None, warning=None)
    try:
        app.build()
    finally:
        app.cleanup()
    return Path(app.outdir)


def test_inline_checks_get_the_icon_font_question_and_a_text_alternative(tmp_path):
    out = build(tmp_path, ["coursesite.checkicons"], {"index": CHECKS_PAGE})
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    check, other = page.select("details.sd-dropdown")
    title = check.select_one(".sd-summary-text")
    icon = title.contents[0]
    assert icon["class"] == ["fa-regular", "fa-circle-question", "check-icon"]
    assert icon["aria-hidden"] == "true"
    label = title.select_one(".visually-hidden")
    assert label.get_text() == "Check your understanding: "
    assert title.get_text() == "Check your understanding: Why does it work?"
    assert other.select_one(".fa-circle-question") is None, "only inline checks get it"


@pytest.mark.parametrize("builder", ["text", "latex"])
def test_other_formats_build_without_the_icon(tmp_path, builder):
    out = build(tmp_path, ["coursesite.checkicons"], {"index": CHECKS_PAGE}, builder)
    text = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.t*x*"))
    assert "Why does it work?" in text
    assert "circle-question" not in text


def test_html_only_features_leave_other_formats_alone(tmp_path):
    """The theme's stylesheet, its scripts and its tab-stop loop exist only in HTML: for
    LaTeX these features do nothing, and the book builds."""
    features = ["coursesite.stylesheet", "coursesite.pageweight", "coursesite.tabstops"]
    out = build(tmp_path, features, {"index": "# A page\n\nSome text.\n"}, "latex")
    (tex,) = out.glob("*.tex")
    assert "Some text." in tex.read_text(encoding="utf-8")
