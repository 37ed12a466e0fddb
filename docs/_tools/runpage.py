"""Run one module page quickly, without building the site.

    python docs/_tools/runpage.py docs/modules/NN-slug.md      (or: nox -s page -- PAGE)

Checks the page against the module contract, executes its code cells in a fresh kernel
(as the build does), prints every cell's output with its number and line, flags anything
on stderr, saves the figures as PNG files, and reports the execution time against the
module budget. Nothing is cached and nothing in ``docs/_build/html`` is touched, so
several pages can be run at once.
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from datetime import datetime
from pathlib import Path

from myst_nb.core.read import read_myst_markdown_notebook
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat import NotebookNode

from coursesite.contract import ContractError, check_page
from coursesite.glue import glue_values, paste_text
from coursesite.kernels import prepare_kernel_environment
from coursesite.syllabus import load_syllabus

BUDGET_S = 20.0


def _outputs(cell: NotebookNode) -> tuple[list[str], list[str], list[bytes]]:
    text: list[str] = []
    errors: list[str] = []
    images: list[bytes] = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            (errors if out.name == "stderr" else text).append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            data = out.get("data", {})
            if "image/png" in data:
                images.append(base64.b64decode(data["image/png"]))
            elif "text/plain" in data:
                text.append(data["text/plain"] + "\n")
        elif out.output_type == "error":
            errors.append(f"{out.ename}: {out.evalue}\n")
    return text, errors, images


def _seconds(cell: NotebookNode) -> float | None:
    """A cell's own run time, from the timestamps nbclient records."""
    execution = cell.metadata.get("execution", {})
    start, end = execution.get("iopub.execute_input"), execution.get("shell.execute_reply")
    if not (start and end):
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def run(page: Path, out_dir: Path) -> int:
    """Check ``page`` against the contract, execute it, print every cell; 1 on any problem."""
    page = page.resolve()
    status = _check_contract(page)
    text = page.read_text(encoding="utf-8")
    notebook, lines, elapsed, failed = _execute(page, text)
    status |= _print_cells(notebook, lines, out_dir)
    if failed is not None:
        print(f"\n== execution FAILED:\n{failed}")
        status = 1
    status |= _show_glue(text, notebook)
    _print_times(notebook, elapsed)
    return status


def _check_contract(page: Path) -> int:
    try:
        problems = [str(problem) for problem in check_page(page, load_syllabus(page.parent.parent))]
    except ContractError as err:
        problems = [str(err)]
    print(f"== contract: {page.name}")
    for problem in problems:
        print(f"   PROBLEM {problem}")
    print("   ok" if not problems else f"   {len(problems)} problem(s)")
    return int(bool(problems))


def _execute(
    page: Path, text: str
) -> tuple[NotebookNode, list[int], float, CellExecutionError | None]:
    """Run the page in a fresh kernel, as the docs build runs it."""
    notebook = read_myst_markdown_notebook(text, add_source_map=True)
    lines = notebook.metadata.pop("source_map")
    prepare_kernel_environment(page.parent.parent / "_build")
    client = NotebookClient(
        notebook,
        timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(page.parent)}},
    )
    start = time.perf_counter()
    failed = None
    try:
        client.execute()
    except CellExecutionError as err:
        failed = err
    return notebook, lines, time.perf_counter() - start, failed


def _print_cells(notebook: NotebookNode, lines: list[int], out_dir: Path) -> int:
    """Each code cell's output; its figures saved to ``out_dir``; 1 if one wrote stderr."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.png"):
        old.unlink()
    status = 0
    code = [
        (c, line) for c, line in zip(notebook.cells, lines, strict=True) if c.cell_type == "code"
    ]
    for number, (cell, line) in enumerate(code, 1):
        tags = ",".join(cell.metadata.get("tags", []))
        print(f"\n== cell {number} (line {line}){f' [{tags}]' if tags else ''}")
        text_out, errors, images = _outputs(cell)
        print("".join(text_out).rstrip("\n") or "   (no text output)")
        for k, png in enumerate(images, 1):
            path = out_dir / f"cell{number:02d}-{k}.png"
            path.write_bytes(png)
            print(f"   [figure saved: {path}]")
        for error in errors:
            print(f"   STDERR/ERROR (fails the build): {error.rstrip()}")
            status = 1
    return status


def _print_times(notebook: NotebookNode, elapsed: float) -> None:
    verdict = "within" if elapsed <= BUDGET_S else "OVER"
    print(f"\n== executed in {elapsed:.1f} s ({verdict} the {BUDGET_S:.0f} s budget)")
    measured = [_seconds(c) for c in notebook.cells if c.cell_type == "code"]
    times = [t for t in measured if t is not None]
    if times and len(times) == len(measured):
        slowest = max(range(len(times)), key=lambda i: times[i])
        print(
            f"   cell 1 (imports) {times[0]:.1f} s; cells 2-{len(times)} {sum(times[1:]):.1f} s; "
            f"slowest: cell {slowest + 1} {times[slowest]:.1f} s; the rest is kernel start-up"
        )


def _show_glue(text: str, notebook: NotebookNode) -> int:
    """Print what each {glue:text} role of the prose will read, as the site renders it."""
    values = glue_values(notebook)
    roles = paste_text(text, values)
    if not roles:
        return 0
    print("\n== glued values as the prose shows them")
    status = 0
    for role, shown in roles:
        print(f"   {role} -> {shown}")
        status |= shown.startswith("ERROR")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", type=Path, help="a module page, docs/modules/NN-slug.md")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for figures (default: docs/_build/page/)"
    )
    args = parser.parse_args(argv)
    out = args.out or args.page.resolve().parent.parent / "_build" / "page" / args.page.stem
    return run(args.page, out)


if __name__ == "__main__":
    sys.exit(main())
