"""Sphinx configuration for *Deep Learning with PyTorch · Intermediate*.

One flat file in sections, as MyST-NB's own docs do: project, general, MyST-NB, HTML.
Declarative: it computes and writes nothing. What depends on the project's state (the
execution cache's key and folder, the kernels' environment, the repository and site URLs
from pyproject.toml) is set by the course's extension at ``config-inited``
(docs/_ext/coursesite/state.py).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from importlib import metadata
from pathlib import Path

DOCS = Path(__file__).parent
# The site's own extension (syllabus, banners, failure reports) lives beside this file.
sys.path.insert(0, str(DOCS / "_ext"))

from coursesite.markup import MYST_EXTENSIONS

# -- Project -------------------------------------------------------------------------------

project = "Deep Learning with PyTorch"
author = "Deep Learning with PyTorch course contributors"
copyright = f"2026–{date.today().year}, {author}. Text CC BY 4.0, code MIT"
release = metadata.version("coursecode")
version = release

# The repository, the site URL and the notebooks branch are configured once, in
# pyproject.toml ([project.urls], [tool.coursesite]); coursesite sets html_baseurl and the
# theme's repository_url from there.

# -- General -------------------------------------------------------------------------------

extensions = [
    "myst_nb",  # also loads myst_parser: do not list it again
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "coursesite",
]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints", "README.md"]
nitpicky = True
nitpick_ignore_regex = [
    # Objects of other projects named in coursecode's docstrings and type hints. The site
    # has no intersphinx (no network at build time), so they cannot resolve.
    (r"py:.*", r"(torch|matplotlib|numpy|collections)\..*"),
]

# -- MyST and MyST-NB ----------------------------------------------------------------------

myst_enable_extensions = list(MYST_EXTENSIONS)  # the same list the contract parser uses
myst_heading_anchors = 3

# Contributors and Read the Docs get "cache": a page executes only when its code changed.
# Read the Docs starts every build from a fresh checkout, so its HTML build executes every
# page once and its PDF and EPUB builds reuse those results. CI (CI=true) executes every
# page from scratch. Override with -D nb_execution_mode=force (or off). The cache folder
# is keyed on coursecode and the pins (coursesite/state.py).
_on_ci = bool(os.environ.get("CI")) and os.environ.get("READTHEDOCS") != "True"
nb_execution_mode = "force" if _on_ci else "cache"
nb_execution_raise_on_error = False
nb_execution_show_tb = False
nb_execution_timeout = 60  # seconds per cell; a module's whole budget is 20 s
nb_execution_excludepatterns = ["index.md", "glossary.md", "api.md", "build-report.md"]
nb_output_stderr = "error"  # warnings and anything else on stderr are defects
nb_merge_streams = True
nb_code_prompt_show = "Show {type}"
nb_code_prompt_hide = "Hide {type}"

# -- HTML ----------------------------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_title = f"{project} · Intermediate"
html_static_path = ["_static"]
# Formulas become MathML at build time (coursesite/mathml.py): no MathJax, no CDN.
html_math_renderer = "mathml"
templates_path = ["_templates"]  # layout.html: the theme minus fontawesome.js
html_css_files = ["course.css"]
html_js_files = ["course.js"]  # tab stops on scrollable code; every dropdown open in print
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = None
# Follow the reader's system light/dark preference; without a default the theme's script
# logs "Got invalid theme mode" on a first visit.
html_context = {"default_mode": "auto"}
# The theme shows a search field in the header and again in the sidebar: keep the header's.
html_sidebars = {"**": ["navbar-logo.html", "icon-links.html", "sbt-sidebar-nav.html"]}
html_theme_options = {
    "repository_branch": "main",
    "path_to_docs": "docs",
    "use_repository_button": True,
    "use_issues_button": True,
    "use_edit_page_button": True,
    "use_source_button": False,
    "use_download_button": False,  # its .md download is not a notebook; see issue on Colab
    "show_toc_level": 2,
    "navigation_with_keys": False,
}

# sphinx-copybutton: no buttons on outputs, and strip prompts if a page shows any.
copybutton_selector = "div:not(.output) > div.highlight pre"
copybutton_prompt_text = r">>> |\.\.\. |\$ |In \[\d*\]: | {2,5}\.\.\.: "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = False

# -- API reference (autodoc) ---------------------------------------------------------------

autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# -- EPUB (nox -s epub; Read the Docs' epub format) -----------------------------------------

epub_basename = "deep-learning-with-pytorch"
epub_title = html_title
epub_author = author
epub_publisher = author
epub_copyright = copyright
epub_show_urls = "no"  # links stay links; their addresses would crowd the text
epub_tocdepth = 2
epub_css_files = ["epub.css"]  # code wraps on a narrow page
# epub_identifier (the site's URL) is set by coursesite from pyproject.toml.

# -- PDF through LaTeX (nox -s pdf; Read the Docs' pdf format) ------------------------------

# xelatex reads the pages' Unicode (·, ★, ✓, Greek, arrows) with the FreeFont faces
# (Debian's fonts-freefont-otf; Read the Docs' build image has them).
latex_engine = "xelatex"
latex_documents = [
    ("index", "deep-learning-with-pytorch.tex", html_title, author, "manual"),
]
latex_show_urls = "no"
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    # Long code lines and outputs wrap instead of running off the page.
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true",
    # FreeSerif has the difficulty star upright only; the labels are in italics.
    # Modules are sections of the landing page's "Syllabus" chapter, so LaTeX's numbers
    # (6.22 for Module 21) would contradict the banners ("Module 21 of 26"): no numbers.
    "preamble": (
        r'\usepackage{newunicodechar}\newunicodechar{★}{\textup{\symbol{"2605}}}'
        "\n\\setcounter{secnumdepth}{-1}"
        # The contents list every module, and keep their own name (Sphinx would take the
        # first toctree's caption, "Part I · Foundations").
        "\n\\setcounter{tocdepth}{1}"
        "\n\\addto\\captionsenglish{\\renewcommand{\\contentsname}{Contents}}"
    ),
}
latex_use_xindy = False  # makeindex: Debian's xindy lacks the language modules Sphinx asks for
