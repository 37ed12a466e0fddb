"""The theme's stylesheet cut to the rules the site can use.

pydata-sphinx-theme's stylesheet (376 KB, with all of Bootstrap) blocks the first paint of
every page, and the browser matches every one of its rules against every element: on a
module page (about 4,600 elements) style and layout were the largest main-thread cost.
After an HTML build, this keeps a rule only if every class and id its selector requires
appears somewhere the site can put it: in a page, or as a word in one of the site's
scripts (which add classes such as ``show`` or ``active`` at run time), or belongs to a
family Bootstrap assembles at run time (:data:`SAFE_PREFIXES`). Selectors it
cannot judge (``:is()``, ``:where()``, ``:has()``) are kept; a class inside ``:not()`` is
not required. At-rules are kept, with the rules inside ``@media``/``@supports`` cut the
same way.

Like the icon fonts (:mod:`coursesite.pageweight`), it starts from the theme's original
file each build, so a page that starts using a class gets its rules on the next build.
The browser tests check what the theme's styles serve: dark mode, navigation, dropdowns,
search, icons, phone layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import tinycss2
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from coursesite.pageweight import THEME_CSS

logger = logging.getLogger(__name__)

_CLASS_ATTR = re.compile(r'\bclass="([^"]*)"')
_ID_ATTR = re.compile(r'\bid="([^"]*)"')
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_SELECTOR_ID = re.compile(r"#(-?[_a-zA-Z][\w-]*)")
_NOT = re.compile(r":not\([^()]*\)")
_UNJUDGED = (":is(", ":where(", ":has(")
# Class families Bootstrap's script builds at run time from pieces (``bs-${name}-auto``),
# which no page or script holds whole: kept, with every class of the family.
SAFE_PREFIXES = ("bs-", "tooltip", "popover", "dropdown", "offcanvas", "modal", "collaps")
_NESTED_RULES = {"media", "supports", "layer", "container"}


def names_in_use(outdir: Path) -> set[str]:
    """Every class and id in the site's pages, and every word of its scripts."""
    names: set[str] = set()
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        for value in _CLASS_ATTR.findall(text) + _ID_ATTR.findall(text):
            names.update(value.split())
    for script in (outdir / "_static").rglob("*.js"):
        if script.name != "fontawesome.js":  # lists every icon; no page loads it
            names.update(_WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    return names


def selector_in_use(selector: str, names: set[str]) -> bool:
    if any(marker in selector for marker in _UNJUDGED):
        return True
    required = _NOT.sub("", selector)
    return all(
        c in names or c.startswith(SAFE_PREFIXES) for c in _SELECTOR_CLASS.findall(required)
    ) and all(i in names for i in _SELECTOR_ID.findall(required))


def _split_selectors(prelude: str) -> list[str]:
    """Top-level comma-separated selectors (commas inside parentheses stay)."""
    parts, depth, start = [], 0, 0
    for k, char in enumerate(prelude):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(prelude[start:k])
            start = k + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def prune_rules(rules: Iterable[tinycss2.ast.Node], names: set[str]) -> list[str]:
    """Serialised rules of ``rules`` that the site can use."""
    kept: list[str] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = _split_selectors(tinycss2.serialize(rule.prelude))
            used = [s for s in selectors if selector_in_use(s, names)]
            if used:
                kept.append(f"{','.join(used)}{{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in _NESTED_RULES and rule.content:
            inner = prune_rules(
                tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True),
                names,
            )
            if inner:
                prelude = tinycss2.serialize(rule.prelude).strip()
                kept.append(f"@{rule.at_keyword} {prelude}{{{''.join(inner)}}}")
        elif rule.type == "at-rule":
            kept.append(tinycss2.serialize([rule]))
    return kept


def prune_stylesheet(css: str, names: set[str]) -> str:
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return "".join(prune_rules(rules, names)) + "\n"


def theme_original(app: Sphinx, copied: Path) -> Path | None:
    """The theme's own file behind ``copied`` (a path under the site's ``_static``)."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder):
        return None
    for theme_dir in builder.theme.get_theme_dirs():
        candidate = Path(theme_dir) / "static" / copied.relative_to("_static")
        if candidate.is_file():
            return candidate
    return None


def prune_theme_stylesheet(app: Sphinx, exception: Exception | None) -> None:
    outdir = Path(app.outdir)
    original = theme_original(app, THEME_CSS)
    if exception is not None or app.builder.name != "html" or original is None:
        return
    css = original.read_text(encoding="utf-8")
    pruned = prune_stylesheet(css, names_in_use(outdir))
    (outdir / THEME_CSS).write_text(pruned, encoding="utf-8")
    logger.info(
        "theme stylesheet cut to the rules the site uses: %d KB of %d KB",
        len(pruned) // 1024,
        len(css) // 1024,
    )


def setup(app: Sphinx) -> None:
    # After pageweight's icon-font subsetting (priority 500), which reads the full file.
    app.connect("build-finished", prune_theme_stylesheet, priority=600)
