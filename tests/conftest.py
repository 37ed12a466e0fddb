"""Shared fixtures: paths, the syllabus, and one strict build of the site per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
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
) -> subprocess.CompletedProcess[str]:
    """Run a strict HTML build as contributors do (`nox -s docs`), capturing its output.

    ``mode`` sets myst-nb's execution mode (``-D nb_execution_mode=...``: force, cache or
    off); by default conf.py's choice. ``jobs > 1`` reads (and so executes) pages in
    parallel, as `nox -s docs` does; in cache mode the database is created before the
    workers start (coursesite.cache). ``builder`` is html, epub or latex; ``doctrees``
    keeps each builder's doctrees apart from the output.
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
        env={**os.environ, **pinned, **(env or {})},
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


@pytest.fixture(scope="session")
def syllabus() -> Syllabus:
    return load_syllabus(DOCS)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole site, built strictly once per test run; returns its HTML folder.

    Under pytest-xdist every worker asks for it: the first to take the lock builds it
    into the run's shared temporary folder, the others wait and reuse it (a failed build
    is recorded, so they fail at once instead of building again). Uses the contributors'
    execution cache (keyed on coursecode and the pins), so it is quick after
    `nox -s docs`; on CI's clean clone every page executes, once, and the EPUB and PDF
    tests read their outputs from the cache as Read the Docs' other formats do.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    out = root / "site" / "html"
    failed = root / "site" / "build-failed.txt"
    with FileLock(str(root / "site.lock")):
        if failed.is_file():
            pytest.fail(f"site build failed (see the first failure):\n{failed.read_text()}")
        if not (out / "index.html").is_file():
            # One process: jupyter-cache has one writer. (Two workers filling an empty
            # cache at once can lose a record: "Notebook file does not exist for cache
            # record".) The EPUB and PDF tests then only read it.
            result = sphinx_build(DOCS, out, mode="cache", jobs=1)
            if result.returncode != 0:
                failed.parent.mkdir(parents=True, exist_ok=True)
                failed.write_text(f"{result.stdout[-5000:]}\n{result.stderr[-5000:]}")
                pytest.fail(f"site build failed:\n{result.stdout}\n{result.stderr}")
    return out


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
