"""Write the module notebooks from an existing build (nox -s notebooks builds first).

    python docs/_tools/notebooks_cli.py [--out FOLDER] [--executed DIR] [PAGE ...]

The notebooks quote numbers the executed pages printed: ``--executed`` is the build's
``jupyter_execute`` folder (default ``docs/_build/jupyter_execute``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from myst_nb.sphinx_ext import OUTPUT_FOLDER

from coursesite.notebooks import ConversionError, write_notebooks

DOCS = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the module notebooks.")
    parser.add_argument("pages", nargs="*", type=Path, help="module pages (default: all)")
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument("--out", type=Path, default=None, help="default: docs/_build/notebooks")
    parser.add_argument(
        "--executed",
        type=Path,
        default=None,
        help=f"the build's executed pages, for glued values (default: docs/_build/{OUTPUT_FOLDER})",
    )
    args = parser.parse_args(argv)
    out = args.out or args.docs / "_build" / "notebooks"
    try:
        written = write_notebooks(args.docs, out, args.pages or None, glue_dir=args.executed)
    except ConversionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    print(f"{len(written)} file(s) in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
