"""The build's course state, loaded once per build at ``config-inited``, and what follows.

At build start the syllabus and the pages in ``docs/modules/`` are checked against each
other (a disagreement stops the build naming the file) and the project settings are read
from ``pyproject.toml``. Both are kept in the config value ``coursesite_state``, where
every feature reads them (:func:`course_state`). The same handler sets the values that
depend on them, so ``conf.py`` stays declarative:

- ``coursesite_fingerprint``: changes with the syllabus, the pages' derived times and this
  extension's code, so Sphinx re-reads every page when any of them changes;
- ``coursesite_execution_key`` and ``nb_execution_cache_path``: the execution cache keyed
  on coursecode's sources and the pinned versions (:mod:`coursesite.cache`);
- the kernels' environment (:mod:`coursesite.kernels`);
- the repository and site URLs the theme, ``html_baseurl`` and the EPUB's identifier show.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

from coursesite.cache import execution_cache_path, execution_key, package_dir
from coursesite.kernels import prepare_kernel_environment
from coursesite.settings import Settings, load_settings
from coursesite.syllabus import Syllabus, SyllabusError, load_syllabus

CACHE_DIR = Path("_build", ".jupyter_cache")  # under the docs folder


@dataclass(frozen=True)
class CourseState:
    syllabus: Syllabus
    settings: Settings


def course_state(config: Config) -> CourseState:
    """The state loaded at build start (raises if the extension was not set up)."""
    state = config.coursesite_state
    if not isinstance(state, CourseState):
        raise ExtensionError("coursesite: the course state was not loaded at config-inited")
    return state


def load_state(app: Sphinx, config: Config) -> None:
    docs = Path(app.confdir)
    try:
        syllabus = load_syllabus(docs)
    except SyllabusError as err:
        raise ExtensionError(f"syllabus: {err}") from None
    settings = load_settings(docs.parent)
    config.coursesite_state = CourseState(syllabus, settings)

    digest = hashlib.sha256((docs / "syllabus.toml").read_bytes())
    digest.update(repr(sorted(syllabus.written)).encode())
    digest.update(repr(sorted(syllabus.estimates.items())).encode())  # the landing totals
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    config.coursesite_fingerprint = digest.hexdigest()[:16]

    # jupyter-cache keys a page on its code cells only; key the cache folder on
    # coursecode's sources and the pinned requirements too (a config value Sphinx compares
    # between builds, so a change re-reads, and so re-executes, every page).
    key = execution_key(package_dir("coursecode"), docs / "constraints.txt")
    config.coursesite_execution_key = key
    config.nb_execution_cache_path = str(execution_cache_path(docs / CACHE_DIR, key))
    prepare_kernel_environment(docs / "_build")

    config.html_baseurl = settings.site_url + "/"
    # The EPUB's identifier is the site's host name: also its uid, which must be an XML
    # name (the NCX table of contents repeats it and epubcheck compares the two).
    config.epub_identifier = config.epub_uid = urlsplit(settings.site_url).hostname
    config.epub_scheme = "URL"
    config.html_theme_options = {
        **config.html_theme_options,
        "repository_url": settings.repository_url,
    }


def setup(app: Sphinx) -> None:
    app.add_config_value("coursesite_state", None, "")
    app.add_config_value("coursesite_fingerprint", "", "env", types=(str,))
    app.add_config_value("coursesite_execution_key", "", "env", types=(str,))
    app.connect("config-inited", load_state, priority=100)  # before myst-nb reads its config
