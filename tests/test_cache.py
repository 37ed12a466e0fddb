"""No stale outputs: the execution cache follows coursecode and the pins, not just the code.

Builds a scratch docs tree (the real configuration with Module 1) several times in the
contributors' `cache` mode, into the same output folder as `nox -s docs` does, and reads
myst-nb's log to see whether the page executed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import MODULE_PAGES, scratch_docs, sphinx_build
from coursesite.cache import package_dir

pytestmark = pytest.mark.build

EXECUTED = "Executing notebook"
CACHED = "Using cached notebook"


def build(docs: Path, env: dict[str, str] | None = None, jobs: int = 1) -> str:
    """Build in cache mode; return the log. Outside coverage: these seven builds of one
    or three pages test the cache's behaviour, and the extension code they run, the
    other builds measure (removing them from the report changed no line of it)."""
    result = sphinx_build(
        docs, docs / "_build" / "html", mode="cache", env=env, jobs=jobs, measured=False
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    return out


def test_cache_is_reused_only_while_package_and_pins_are_unchanged(tmp_path):
    page = MODULE_PAGES[0]
    docs = scratch_docs(tmp_path, {page.name: page.read_text()})
    package = tmp_path / "pkg" / "coursecode"
    shutil.copytree(
        package_dir("coursecode"), package, ignore=shutil.ignore_patterns("__pycache__")
    )
    # The kernel and the cache key both see this copy of coursecode first.
    env = {"PYTHONPATH": str(package.parent)}

    assert EXECUTED in build(docs, env)
    assert EXECUTED not in build(docs, env), "an unchanged tree re-executes nothing"

    repro = package / "repro.py"
    repro.write_text(repro.read_text() + "\n\ndef _new_helper() -> None:\n    pass\n")
    assert EXECUTED in build(docs, env), "a coursecode edit re-executes"

    pins = docs / "constraints.txt"
    pins.write_text(pins.read_text() + "\n# a pin changed\n")
    assert EXECUTED in build(docs, env), "a changed pin re-executes"

    shutil.rmtree(docs / "_build" / "html" / ".doctrees")  # Sphinx re-reads every page
    settled = build(docs, env)
    assert CACHED in settled, "re-reading an executed page takes its outputs from the cache"
    assert EXECUTED not in settled


def test_parallel_build_fills_and_reuses_the_cache(tmp_path):
    """`nox -s docs` reads with -j: two processes execute pages into one cold cache."""
    pages = MODULE_PAGES[:3]  # chunked with the other pages so two kernels run at once
    docs = scratch_docs(tmp_path, {p.name: p.read_text() for p in pages})
    out = build(docs, jobs=2)
    assert out.count("Executed notebook") == len(pages), out[-3000:]
    assert "database is locked" not in out
    assert (docs / "_build" / ".jupyter_cache").is_dir()

    shutil.rmtree(docs / "_build" / "html" / ".doctrees")  # Sphinx re-reads every page
    settled = build(docs)
    assert settled.count(CACHED) == len(pages), "every page was cached by its worker"
    assert EXECUTED not in settled
