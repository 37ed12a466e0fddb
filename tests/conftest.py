"""Shared fixtures: paths, the syllabus, and one strict build of the site per session."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from filelock import FileLock

from coursesite.settings import source_commit
from coursesite.syllabus import Syllabus, load_syllabus

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MODULE_PAGES = sorted((DOCS / "modules").glob("*.md"))
PROJECT_PAGES = sorted((DOCS / "projects").glob("p*.md"))
COURSE_PAGES = MODULE_PAGES + PROJECT_PAGES  # every page that executes and has notebooks
STRICT = ["-n", "-W", "--keep-going"]

# Under `nox -s tests`, coverage measures the Python processes the tests start
# (pyproject.toml: patch = ["subprocess"]): Sphinx runs the extension there. The kernels
# that execute pages and notebooks are left out: they run torch and the pages' code, so
# tracing every call slowed each of them down, and the report was the same without them
# (what they run of coursecode, its own tests measure in-process). Coverage starts a process when
# this variable is set; a process that is already measured drops it before any kernel
# starts, and kernels inherit the environment.
COVERAGE_ENV = "COVERAGE_PROCESS_CONFIG"
SPHINX_WITHOUT_MEASURED_KERNELS = (
    f"import os, sys; os.environ.pop({COVERAGE_ENV!r}, None); "
    "from sphinx.cmd.build import main; sys.exit(main(sys.argv[1:]))"
)


@contextmanager
def unmeasured_kernels() -> Iterator[None]:
    """Kernels started in this block (nbclient) run without coverage (see COVERAGE_ENV)."""
    saved = os.environ.pop(COVERAGE_ENV, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[COVERAGE_ENV] = saved


def sphinx_build(
    srcdir: Path,
    outdir: Path,
    *,
    mode: str | None = None,
    env: dict[str, str] | None = None,
    timeout: int = 900,
    jobs: int = 1,
    builder: str = "html",
    doctrees: Path | None = None,
    measured: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a strict HTML build as contributors do (`nox -s docs`), capturing its output.

    ``mode`` sets myst-nb's execution mode (``-D nb_execution_mode=...``: force, cache or
    off); by default conf.py's choice. ``jobs > 1`` reads (and so executes) pages in
    parallel, as `nox -s docs` does; in cache mode the database is created before the
    workers start (coursesite.cache). ``builder`` is html, epub or latex; ``doctrees``
    keeps each builder's doctrees apart from the output. ``measured=False`` runs Sphinx
    outside coverage, for builds that repeat what others measure: under coverage's
    tracer (Python 3.11) a build takes over twice as long.
    """
    # Scratch trees live outside the git checkout: pin the notebooks to this checkout's commit.
    pinned = {"COURSE_COMMIT": source_commit(ROOT)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            SPHINX_WITHOUT_MEASURED_KERNELS,
            *STRICT,
            *(["-D", f"nb_execution_mode={mode}"] if mode else []),
            "-j",
            str(jobs),
            "-b",
            builder,
            *(["-d", str(doctrees)] if doctrees else []),
            str(srcdir),
            str(outdir),
        ],
        capture_output=True,
        text=True,
        env={
            name: value
            for name, value in {**os.environ, **pinned, **(env or {})}.items()
            if measured or name != COVERAGE_ENV
        },
        timeout=timeout,
        check=False,
    )


def scratch_docs(tmp_path: Path, pages: dict[str, str]) -> Path:
    """A docs tree with the real configuration, syllabus and extension, and only ``pages``.

    ``pages`` maps a file name under ``modules/`` to its text.
    """
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for name in ("conf.py", "syllabus.toml", "constraints.txt"):
        shutil.copy(DOCS / name, docs / name)
    for page in DOCS.glob("*.md"):  # landing page, glossary, API, build report
        shutil.copy(page, docs / page.name)
    # The API page's autodoc imports coursecode, and with it torch: 2.4 s of a 5 s build
    # that executes nothing. Scratch sites test module pages; the shared site builds the
    # real API page (tests/test_site.py).
    (docs / "api.md").write_text("# The `coursecode` package\n\nDocumented in the real site.\n")
    shutil.copytree(DOCS / "_ext", docs / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("_static", "_templates"):
        shutil.copytree(DOCS / folder, docs / folder)
    (docs / "modules").mkdir()
    for name, text in pages.items():
        (docs / "modules" / name).write_text(text, encoding="utf-8")
    return docs


@functools.cache
def built_page(path: Path) -> BeautifulSoup:
    """A page of the built site, parsed once per test process (tests only read it): about
    0.2 s a module page, and several hundred tests read the same 29 pages."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def syllabus() -> Syllabus:
    return load_syllabus(DOCS)


def build_once(root: Path, name: str, build: Callable[[], object]) -> None:
    """Run ``build()`` once per test run, whichever pytest-xdist worker asks first: the
    others wait for it and reuse what it made. A failed build is recorded, so they fail
    at once with its message instead of building again."""
    done, failed = root / f"{name}.done", root / f"{name}.failed"
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / f"{name}.lock")):
        if failed.is_file():
            pytest.fail(f"{name} build failed (see the first failure):\n{failed.read_text()}")
        if not done.is_file():
            try:
                build()
            except BaseException as err:
                failed.write_text(str(err))
                raise
            done.touch()


def check_build(result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0:
        pytest.fail(f"the build failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole site, built strictly once per test run (:func:`build_once`); returns its
    HTML folder. Uses the contributors' execution cache (keyed on coursecode and the pins),
    so it is quick after `nox -s docs`; on CI's clean clone every page executes, once.

    Its folder is laid out as `nox -s docs` lays out docs/_build: ``html/`` (with the
    doctrees in ``html/.doctrees``) beside ``jupyter_execute/``, the executed pages.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    html = root / "site" / "html"
    # One process: jupyter-cache has one writer. (Two workers filling an empty cache at
    # once can lose a record: "Notebook file does not exist for cache record".) The EPUB
    # and PDF builds then only read it.
    build_once(root, "site", lambda: check_build(sphinx_build(DOCS, html, mode="cache")))
    return html


def build_format(site: Path, builder: str, *, measured: bool = True) -> Path:
    """The course built by ``builder`` (epub or latex) once per run, after the site, as
    `nox -s epub` and `nox -s pdf` do after `nox -s docs`: from a copy of the HTML build's
    doctrees, so no page is read or executed again (images and outputs come from the
    site's ``jupyter_execute/``). Returns the builder's output folder."""
    out, doctrees = site.parent / builder, site.parent / f"doctrees-{builder}"

    def build() -> None:
        shutil.copytree(site / ".doctrees", doctrees)
        check_build(
            sphinx_build(
                DOCS, out, mode="cache", builder=builder, doctrees=doctrees, measured=measured
            )
        )

    build_once(site.parent, builder, build)
    return out


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# The longest tests that need the site: started first among those, so that none of them
# is left to end the run on one worker while the other has finished (the PDF: a minute).
SLOWEST_FIRST = ("test_formats.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that need the built site run after all the others, the slowest of them first.

    `nox -s tests` hands each pytest-xdist worker half of this list (``--dist worksteal``,
    and a worker that runs out takes half of what the other has left). The worker whose
    half starts with tests that need the site builds it (a minute or more) while the other
    runs tests that do not; neither waits for the other.
    """
    items.sort(
        key=lambda item: (
            "site" in getattr(item, "fixturenames", ()),
            item.path.name not in SLOWEST_FIRST,
        )
    )
