"""Are two builds' outputs byte-identical? Compare what readers see, cell by cell.

    python docs/_tools/reproduce.py HTML_A HTML_B      (or: nox -s reproducibility)

Each argument is a built site (the HTML folder). For every module and project page, every code cell's
rendered output must be byte-identical between the two builds: the text as printed, and
each figure (myst-nb names an image file by a hash of its bytes, so the same name means
the same picture). Cells tagged ``nondeterministic`` (timings; only a module marked
``measures = true`` may use the tag) are skipped and counted. Differences are listed by
page and cell number.

The rendered HTML is compared rather than the executed notebooks that myst-nb stores in
``jupyter_execute/``: how a kernel splits printed text into stream chunks depends on
timing, and the page shows the chunks merged.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup

NONDETERMINISTIC = "tag_nondeterministic"
PAGE_DIRS = ("modules", "projects")  # every executed page


@dataclass
class Report:
    pages: int = 0
    cells: int = 0
    skipped: int = 0
    differences: list[str] = field(default_factory=list)


def _cells(page: Path) -> list[tuple[bool, str]]:
    """(skipped?, rendered output) of every code cell of a built page."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    cells = []
    for cell in soup.select("article div.cell"):
        output = cell.select_one("div.cell_output")
        cells.append((NONDETERMINISTIC in cell["class"], str(output) if output else ""))
    return cells


def compare(html_a: Path, html_b: Path) -> Report:
    """Compare the module pages of two built sites."""
    report = Report()
    pages_a = {p.relative_to(html_a) for d in PAGE_DIRS for p in (html_a / d).glob("*.html")}
    pages_b = {p.relative_to(html_b) for d in PAGE_DIRS for p in (html_b / d).glob("*.html")}
    for missing in sorted(pages_a ^ pages_b):
        report.differences.append(f"{missing}: built in only one of the sites")
    for rel in sorted(pages_a & pages_b):
        report.pages += 1
        cells_a, cells_b = _cells(html_a / rel), _cells(html_b / rel)
        if len(cells_a) != len(cells_b):
            report.differences.append(f"{rel}: {len(cells_a)} vs {len(cells_b)} code cells")
            continue
        for number, ((skip, a), (_, b)) in enumerate(zip(cells_a, cells_b, strict=True), 1):
            report.cells += 1
            if skip:
                report.skipped += 1
            elif a != b:
                report.differences.append(f"{rel}: code cell {number} printed different outputs")
    return report


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print("usage: python docs/_tools/reproduce.py HTML_A HTML_B", file=sys.stderr)
        return 2
    report = compare(Path(args[0]), Path(args[1]))
    for difference in report.differences:
        print(f"DIFFERS {difference}")
    print(
        f"{report.pages} pages, {report.cells} code cells compared, "
        f"{report.skipped} skipped (tagged nondeterministic), "
        f"{len(report.differences)} difference(s)"
    )
    return 1 if report.differences or report.pages == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
