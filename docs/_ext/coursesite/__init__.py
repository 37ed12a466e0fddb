"""Sphinx extension for the course site, one module per feature.

Each feature module registers its own config values, directives, nodes and event
handlers in its ``setup(app)``; this ``setup`` only lists them. To add a feature, write
``coursesite/<feature>.py`` with a ``setup(app)`` and add it to :data:`FEATURES`.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from coursesite import (
    accessibility,
    cache,
    checkicons,
    contract,
    directives,
    epub,
    failures,
    figures,
    mathml,
    notebooks,
    pageweight,
    provenance,
    state,
    streams,
    stylesheet,
    tabstops,
)

FEATURES = (
    state,  # syllabus and settings, loaded once; fingerprint, cache key, kernel env
    contract,  # the module contract, checked as each page is read
    directives,  # banner, syllabus table and navigation, next link, downloads
    checkicons,  # the inline checks' question icon, from the site's icon font
    streams,  # printed text exactly as printed (replaces myst-nb's stream merge)
    cache,  # the execution cache's database, created before parallel readers start
    failures,  # a failed page execution named by page, cell and line
    provenance,  # when and with what each page's outputs were made
    accessibility,  # hidden cells labelled by their visible text
    mathml,  # formulas as MathML, made at build time
    pageweight,  # scripts deferred or dropped, icon fonts cut to the icons used
    figures,  # figures sized (no layout shift), lazy below the first, PNGs optimised
    stylesheet,  # the theme's stylesheet cut to the rules the site can use
    tabstops,  # scrollable code takes keyboard focus, measured per section (course.js)
    notebooks,  # full and practice notebooks, scripts, zip
    epub,  # the course as a valid EPUB: stylesheet, namespaced SVG, links to the site
)


def setup(app: Sphinx) -> dict[str, object]:
    for feature in FEATURES:
        feature.setup(app)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
