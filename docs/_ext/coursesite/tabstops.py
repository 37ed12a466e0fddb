"""Scrollable code and outputs take keyboard focus, without stalling the page's load.

A code block or output wider (or taller) than its box scrolls, and a keyboard user can
only scroll it if it can take focus (axe's ``scrollable-region-focusable``). On ``load``
pydata-sphinx-theme gives each such element ``tabindex=0`` (and the others ``-1``) in
one loop that writes a tabindex and then reads the next element's size, so the browser
recomputes style and layout once per element: on a module page (300 or more code blocks
and outputs) that loop was the longest task of the load, 400-600 ms in Lighthouse's
throttled mobile run, and most of the pages' blocking time.

The site's ``course.js`` does the same measurement a section at a time while the browser
is idle, reading every size of a section before writing any tabindex, and sets
``data-tab-stops="measured"`` on ``<html>`` when it is done. After an HTML build this
feature takes the theme's per-element write out of the site's copy of its script,
starting from the theme's original file each build. The edit is made on the exact text
of the theme version in :data:`THEME`; another version stops the build (compat.require)
so that a changed script is looked at, not silently left as it was.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from coursesite.compat import require
from coursesite.stylesheet import theme_original

logger = logging.getLogger(__name__)

THEME = ">=0.20,<0.21"
SCRIPT = Path("_static") / "scripts" / "pydata-sphinx-theme.js"
# The theme's minified loop body: one write, then the next element's read.
THEME_WRITE = "e.tabIndex=e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1"
REPLACEMENT = "void 0/* tab stops: the site's course.js */"


def without_theme_tab_stops(script: str) -> str:
    """``script`` with the theme's per-element tab-stop write taken out.

    Raises:
        ExtensionError: the script does not hold the write exactly once.
    """
    if script.count(THEME_WRITE) != 1:
        raise ExtensionError(
            f"coursesite.tabstops: {SCRIPT.name} no longer holds the tab-stop loop it "
            f"replaces ({THEME_WRITE!r}); check what the theme does now and update "
            "coursesite/tabstops.py and course.js together"
        )
    return script.replace(THEME_WRITE, REPLACEMENT)


def replace_theme_tab_stops(app: Sphinx, exception: Exception | None) -> None:
    original = theme_original(app, SCRIPT)
    if exception is not None or app.builder.name != "html" or original is None:
        return
    script = without_theme_tab_stops(original.read_text(encoding="utf-8"))
    (Path(app.outdir) / SCRIPT).write_text(script, encoding="utf-8")
    logger.info("theme's tab-stop loop replaced by course.js's measurement per section")


def setup(app: Sphinx) -> None:
    require("pydata-sphinx-theme", THEME, "tabstops", "the minified tab-stop loop")
    app.connect("build-finished", replace_theme_tab_stops)
