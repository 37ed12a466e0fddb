"""Printed text shown exactly as printed, whatever chunks the kernel sent it in.

A kernel sends a cell's printed text in chunks whose boundaries depend on timing (one
``print`` of several values is several writes, and ipykernel flushes on a timer). myst-nb
1.4's ``coalesce_streams`` (used for ``nb_merge_streams``) joins chunks with
``rstrip()`` + newline, so a boundary in the middle of a line puts a line break into the
page that the code never printed, differently from build to build (found by comparing
two cold builds, see docs/_tools/reproduce.py). The site uses this exact join instead.
"""

from __future__ import annotations

import re

from nbformat import NotebookNode
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from coursesite import compat
from coursesite.compat import require


def carriage_returns(text: str) -> str:
    """Apply ``\r`` as a terminal and Jupyter do: later text overwrites the line's start.

    A progress line printed as ``"\rstep 1"``, ``"\rstep 2"`` shows as its last state,
    ``step 2``, in Jupyter; without this the page would show every state on its own line.
    """
    lines = []
    for line in re.sub(r"\r+\n", "\n", text).split("\n"):
        shown = ""
        for segment in line.split("\r"):
            shown = segment + shown[len(segment) :]
        lines.append(shown)
    return "\n".join(lines)


def merge_stream_chunks(outputs: list[NotebookNode]) -> list[NotebookNode]:
    """Join consecutive chunks of the same stream by plain concatenation, then apply
    carriage returns as Jupyter shows them.

    Only neighbours are joined, so text printed before and after a figure stays on its
    own side of it. The inputs are not modified.
    """
    merged: list[NotebookNode] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            joined = NotebookNode(previous)
            joined["text"] = previous["text"] + output["text"]
            merged[-1] = joined
        else:
            merged.append(output)
    for k, output in enumerate(merged):
        if output.get("output_type") == "stream" and "\r" in output.get("text", ""):
            fixed = NotebookNode(output)
            fixed["text"] = carriage_returns(output["text"])
            merged[k] = fixed
    return merged


def install() -> None:
    """Make myst-nb's renderer use :func:`merge_stream_chunks`."""
    from myst_nb.core import render

    if not callable(getattr(render, "coalesce_streams", None)):
        raise ExtensionError("coursesite.streams: myst_nb.core.render has no coalesce_streams")
    render.coalesce_streams = merge_stream_chunks


def setup(app: Sphinx) -> None:
    require("myst-nb", compat.MYST_NB, "streams", "render.coalesce_streams")
    install()
