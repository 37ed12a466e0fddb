"""What a page makes a reader download: keep it light on a phone.

Lighthouse (``nox -s lighthouse``) found two sets of scripts in the theme's ``<head>``
that every page loads and no page needs; ``docs/_templates/layout.html`` passes the
theme's head through :func:`drop_scripts` to remove them:

``fontawesome.js``
    pydata-sphinx-theme (under sphinx-book-theme) draws its icons twice over: its
    stylesheet carries Font Awesome's web-font rules (``.fa-sun::before`` and the
    ``@font-face``), and every page also loads ``fontawesome.js``, 1.5 MB of SVG paths
    for every Font Awesome icon (540 KB over the wire), which re-draws the same icons as
    inline SVG. It was half of a module page's bytes and the heaviest script on the main
    thread. The web font alone draws every icon the theme uses.
``searchtools.js``, ``language_data.js``, ``searchindex.js``
    The theme loads Sphinx's search engine and the whole search index, render-blocking,
    on every page, for its search-as-you-type box. That box is off
    (``search_as_you_type``, the theme's default), so the header's search field submits
    to ``search.html``, which loads them itself. The index grows with every module.

The remaining scripts in ``<head>`` (doctools, highlighting, the copy button and its
clipboard library, sphinx-design's tabs, sphinx-book-theme's) all wait for the page to be
parsed before they act, yet Sphinx loads them render-blocking. :func:`defer_head_scripts`
marks them ``defer``: they still run in the same order, before ``DOMContentLoaded``.
Only ``documentation_options.js`` stays as it is, because inline scripts right after it
set properties on the object it defines; and the search page is left alone, because its
index script (added by the theme's template) calls ``searchtools.js`` as it loads.

The icons themselves come from three Font Awesome web fonts (solid, regular, brands:
245 KB of fonts with about 2,000 icons each) that every page fetches at the highest
priority, competing with the page's own stylesheets on a slow connection. The site uses
about a dozen icons, so after each build :func:`subset_icon_fonts` rewrites the copies
in ``_static`` to hold only the icons some page or script names (a few KB in all).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from coursesite import compat
from coursesite.compat import require

logger = logging.getLogger(__name__)

FONT_DIR = Path("_static") / "vendor" / "fontawesome" / "webfonts"
THEME_CSS = Path("_static") / "styles" / "pydata-sphinx-theme.css"
# ".fa-bars,.fa-navicon{--fa:"\f0c9"}": every name of an icon, then its code point.
_ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+,?)+)\{--fa:"\\([0-9a-f]+)"')
_ICON_NAME = re.compile(r"\bfa-([a-z0-9-]+)")


def _script_tag(name: str) -> re.Pattern[str]:
    src = rf'src="(?:[^"]*/)?{re.escape(name)}(?:\?[^"]*)?"'
    return re.compile(rf"[ \t]*<script\b[^>]*\b{src}[^>]*>\s*</script>[ \t]*\n?")


def drop_scripts(head: str, *names: str) -> str:
    """``head`` without the ``<script src=…>`` tags that load the files ``names``.

    Each must be loaded exactly once: if the theme stops loading one of them that way,
    this fails the build, so the template call is updated rather than left doing nothing.
    """
    for name in names:
        head_without, count = _script_tag(name).subn("", str(head))
        if count != 1:
            msg = (
                f"expected the theme to load {name} once, found {count}: update "
                "docs/_templates/layout.html (see coursesite/pageweight.py)"
            )
            raise ValueError(msg)
        head = head_without
    return head


# Scripts that inline scripts use while the page is being parsed: they must not wait.
KEEP_BLOCKING = frozenset({"documentation_options.js"})


def defer_head_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    """Load the page's ``script_files`` with ``defer``, except those in :data:`KEEP_BLOCKING`."""
    if pagename == "search":
        return
    deferred = []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", None)
        filename = str(getattr(script, "filename", "") or "")
        if (
            attributes is None  # an old-style string: leave it
            or not filename  # an inline script runs where it stands
            or filename.rsplit("/", 1)[-1] in KEEP_BLOCKING
            or {"defer", "async", "type"} & set(attributes)
        ):
            deferred.append(script)
        else:
            deferred.append(
                type(script)(script.filename, priority=script.priority, **attributes, defer="defer")
            )
    context["script_files"] = deferred


def add_template_filters(app: Sphinx) -> None:
    """Make :func:`drop_scripts` available to the site's templates."""
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is not None:
        environment.filters["drop_scripts"] = drop_scripts


def icon_code_points(css: str) -> dict[str, int]:
    """Every Font Awesome icon name in the theme's stylesheet, with its code point."""
    points = {}
    for rule in _ICON_RULE.finditer(css):
        for name in rule.group(1).split(","):
            points[name.removeprefix(".fa-")] = int(rule.group(2), 16)
    return points


def icons_used(outdir: Path) -> set[str]:
    """Names of the form ``fa-NAME`` in the site's pages and in its scripts."""
    files = [*outdir.rglob("*.html"), *(outdir / "_static").rglob("*.js")]
    names: set[str] = set()
    for path in files:
        if path.name != "fontawesome.js":  # lists every icon; no page loads it
            names.update(_ICON_NAME.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def subset_font(original: Path, target: Path, code_points: set[int]) -> None:
    """Write ``original`` to ``target`` keeping only the glyphs for ``code_points``."""
    font = TTFont(original)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(code_points))
    subsetter.subset(font)
    font.flavor = "woff2"
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)


def subset_icon_fonts(app: Sphinx, exception: Exception | None) -> None:
    """Shrink the site's copies of the icon fonts to the icons its pages use.

    Reads the theme's original fonts every time, so a page that starts using another
    icon gets it on the next build, incremental or not.
    """
    outdir = Path(app.outdir)
    if exception is not None or app.builder.format != "html" or not (outdir / THEME_CSS).is_file():
        return
    points = icon_code_points((outdir / THEME_CSS).read_text(encoding="utf-8"))
    used = {points[name] for name in icons_used(outdir) if name in points}
    originals = _theme_font_dir(app)
    for original in sorted(originals.glob("*.woff2")):
        subset_font(original, outdir / FONT_DIR / original.name, used)
    logger.info("icon fonts reduced to the %d icon(s) the site uses", len(used))


def _theme_font_dir(app: Sphinx) -> Path:
    builder = app.builder
    theme_dirs = (
        builder.theme.get_theme_dirs() if isinstance(builder, StandaloneHTMLBuilder) else []
    )
    for theme_dir in theme_dirs:
        candidate = Path(theme_dir) / "static" / FONT_DIR.relative_to("_static")
        if candidate.is_dir():
            return candidate
    msg = "the theme ships no Font Awesome web fonts: remove subset_icon_fonts"
    raise FileNotFoundError(msg)


def setup(app: Sphinx) -> None:
    require("sphinx", compat.SPHINX, "pageweight", "the script objects in page contexts")
    app.connect("builder-inited", add_template_filters)
    app.connect("html-page-context", defer_head_scripts, priority=900)
    app.connect("build-finished", subset_icon_fonts)
