"""Turn a failed page execution into an error that names the page, the cell and the line.

myst-nb records every page's execution result in the environment
(``NbMetadataCollector.get_exec_data``: succeeded, error, traceback); with
``nb_execution_raise_on_error = False`` it records a failure instead of raising. Raising
would not survive ``sphinx-build -j N``: the exception comes back from the worker as a
generic ``SphinxParallelError`` with neither cell nor traceback. So the build records,
and once every page is read (``env-updated``, in the main process, serial or parallel)
this module finds which code cell of each failed page raised, writes the traceback to
``<outdir>/reports/`` and logs one error per page::

    page docs/modules/03-autograd.md failed: code cell 5 (line 158) raised
    AssertionError: claim '…': measured …. Traceback saved in …/reports/modules/….err.log

An error fails the build (``-W``, as nox, CI and Read the Docs build).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from myst_nb.core.read import read_myst_markdown_notebook
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from coursesite import compat
from coursesite.compat import require

logger = logging.getLogger(__name__)

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


def report_failed_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated``: log an error naming page, cell and line for each failed page."""
    root = Path(app.srcdir).parent
    for docname in sorted(env.found_docs):
        data = NbMetadataCollector.get_exec_data(env, docname)
        if not data or data.get("succeeded", True):
            continue
        text = data.get("traceback") or data.get("error") or ""
        page = Path(env.doc2path(docname))
        report = Path(app.outdir, "reports", *(docname + ".err.log").split("/"))
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text, encoding="utf-8")
        where = locate(page, text)
        rel = page.relative_to(root) if page.is_relative_to(root) else page
        cell = f"code cell {where.index} (line {where.line})" if where else "a code cell"
        logger.error(
            "page %s failed: %s raised %s. Traceback saved in %s",
            rel,
            cell,
            error_summary(text),
            report,
            location=docname,
        )
    return []


def setup(app: Sphinx) -> None:
    """The failures feature: failed page executions become named build errors."""
    require("nbclient", compat.NBCLIENT, "failures", "the text of CellExecutionError")
    app.connect("env-updated", report_failed_pages)
