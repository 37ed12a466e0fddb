"""A jupyter-cache folder keyed on everything an executed page depends on.

jupyter-cache keys a notebook on its code cells and kernelspec only. A page's outputs
also depend on the ``coursecode`` package it imports and on the pinned versions of torch
and friends, so the cache lives in a folder named by a hash of those: change any of them
and the next build starts from an empty cache (re-executing every page) instead of
serving stale outputs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sys
from importlib import metadata
from pathlib import Path

from sphinx.application import Sphinx

# Packages whose version changes what an executed cell prints.
KEY_PACKAGES = ("torch", "numpy", "matplotlib", "scikit-learn", "coursecode")


def package_dir(name: str = "coursecode") -> Path:
    """Folder of an importable package, found without importing it (no torch import)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"{name} is not installed: run `pip install -e .` (nox -s docs does it for you)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def execution_key(package: Path, constraints: Path) -> str:
    """Hash of the package's sources, the pinned requirements and the runtime versions."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(constraints.read_bytes() if constraints.is_file() else b"no-constraints")
    digest.update(sys.version.split()[0].encode())
    for name in KEY_PACKAGES:
        try:
            digest.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} missing".encode())
    return digest.hexdigest()[:16]


def execution_cache_path(root: Path, key: str) -> Path:
    """``root/key``, after removing caches made for other keys (they can never be hit)."""
    if root.is_dir():
        for old in root.iterdir():
            if old.is_dir() and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    return root / key


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", create_cache_database)


def create_cache_database(app: Sphinx) -> None:
    """Create the execution cache's database before parallel readers start.

    jupyter-cache creates its SQLite database on first use, after checking that the file
    does not exist yet, so two processes of ``sphinx-build -j 2`` executing their first
    pages at once could both try to create it. Created here, in the main process before
    reading starts, it leaves the workers only adding rows, which SQLite serialises.
    """
    if app.config.nb_execution_mode == "cache":
        from jupyter_cache import get_cache

        get_cache(app.config.nb_execution_cache_path).db  # noqa: B018 (creates it)
