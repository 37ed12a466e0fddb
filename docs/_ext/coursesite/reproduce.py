"""Are two builds' outputs byte-identical? Compare the executed notebooks cell by cell.

    python -m coursesite.reproduce BUILD_A BUILD_B      (or: nox -s reproducibility)

Each argument is a build folder that holds myst-nb's ``jupyter_execute/`` (the parent of
the HTML output). Every code cell's outputs must be identical, except cells tagged
``nondeterministic`` (timings; only a module marked ``measures = true`` may use the tag),
which are skipped and counted. Differences are listed by page and cell number.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

NONDETERMINISTIC = "nondeterministic"


@dataclass
class Report:
    pages: int = 0
    cells: int = 0
    skipped: int = 0
    differences: list[str] = field(default_factory=list)


def _outputs(cell: nbformat.NotebookNode) -> str:
    return json.dumps(cell.get("outputs", []), sort_keys=True)


def compare(build_a: Path, build_b: Path) -> Report:
    """Compare the executed module notebooks under ``build_a`` and ``build_b``."""
    report = Report()
    root_a, root_b = build_a / "jupyter_execute", build_b / "jupyter_execute"
    pages_a = {p.relative_to(root_a) for p in root_a.rglob("*.ipynb")}
    pages_b = {p.relative_to(root_b) for p in root_b.rglob("*.ipynb")}
    for missing in sorted(pages_a ^ pages_b):
        report.differences.append(f"{missing}: executed in only one of the builds")
    for rel in sorted(pages_a & pages_b):
        report.pages += 1
        cells_a = [c for c in nbformat.read(root_a / rel, 4).cells if c.cell_type == "code"]
        cells_b = [c for c in nbformat.read(root_b / rel, 4).cells if c.cell_type == "code"]
        if len(cells_a) != len(cells_b):
            report.differences.append(f"{rel}: {len(cells_a)} vs {len(cells_b)} code cells")
            continue
        for number, (a, b) in enumerate(zip(cells_a, cells_b, strict=True), start=1):
            report.cells += 1
            if NONDETERMINISTIC in a.metadata.get("tags", []):
                report.skipped += 1
            elif _outputs(a) != _outputs(b):
                report.differences.append(f"{rel}: code cell {number} printed different outputs")
    return report


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print("usage: python -m coursesite.reproduce BUILD_A BUILD_B", file=sys.stderr)
        return 2
    report = compare(Path(args[0]), Path(args[1]))
    for difference in report.differences:
        print(f"DIFFERS {difference}")
    print(
        f"{report.pages} pages, {report.cells} code cells compared, "
        f"{report.skipped} skipped (tagged {NONDETERMINISTIC}), "
        f"{len(report.differences)} difference(s)"
    )
    return 1 if report.differences or report.pages == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
