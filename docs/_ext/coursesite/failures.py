"""Turn a failed page execution into a message that names the page and the cell.

With ``nb_execution_raise_on_error = True`` myst-nb stops the build with an
``ExecutionError`` whose text is only the page's path, and it does not write the
traceback to ``<outdir>/reports/`` as it does for non-fatal failures. This module finds
which code cell failed, writes the traceback to the reports folder and says both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from myst_nb.core.read import read_myst_markdown_notebook

_SEPARATOR = re.compile(r"^-{3,}$", re.MULTILINE)
_PREVIEW = re.compile(r"Here is a preview of the cell contents:\s*-+\s*(\[.*?\])", re.DOTALL)


@dataclass(frozen=True)
class CellLocation:
    index: int  # 1-based among the page's code cells
    line: int  # 1-based line of the cell's opening fence in the .md file


def code_cells(path: Path) -> list[tuple[str, int]]:
    """(source, 1-based line) of every code cell of a MyST-NB page."""
    notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), add_source_map=True)
    lines = notebook.metadata.get("source_map", [])
    return [
        (cell.source, lines[i])  # source_map is 0-based after the fence: the fence, 1-based
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    ]


def failed_source(error_text: str) -> str | None:
    """The failing cell's source quoted in an nbclient error message, if any."""
    preview = _PREVIEW.search(error_text)
    if preview:  # CellTimeoutError quotes the first lines as a Python list literal
        first = re.findall(r"'((?:[^'\\]|\\.)*)'", preview.group(1))
        return "\n".join(first) if first else None
    parts = _SEPARATOR.split(error_text, maxsplit=2)
    return parts[1].strip("\n") if len(parts) == 3 else None


def locate(path: Path, error_text: str) -> CellLocation | None:
    """Which code cell of ``path`` the error came from (``None`` if it cannot tell)."""
    source = failed_source(error_text)
    if source is None or not path.is_file():
        return None
    for index, (cell_source, line) in enumerate(code_cells(path), start=1):
        if cell_source.strip() == source.strip() or (
            source.strip() and cell_source.startswith(source.strip())
        ):
            return CellLocation(index, line)
    return None


def error_summary(error_text: str) -> str:
    """The last non-empty line of an nbclient error: usually ``ExcType: message``."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", error_text)
    lines = [ln.strip() for ln in plain.splitlines() if ln.strip()]
    if "timed out" in plain:
        return next((ln for ln in lines if "timed out" in ln), "the cell timed out")
    return lines[-1] if lines else "unknown error"
