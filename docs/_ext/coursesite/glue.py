"""Glued values: numbers the prose quotes, read from the outputs that produced them.

A page stores a value with ``myst_nb.glue("name", value, display=False)`` in a code cell
and quotes it in prose with ``{glue:text}`name:.3f```. The site build pastes it itself
(myst-nb); this module does the same outside the build: for the generated notebooks
(which Jupyter cannot paste into) and for ``nox -s page``. The formatting is myst-nb's
own, so a notebook reads exactly the text the site shows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from myst_nb.core.variables import format_plain_text
from myst_nb.ext.glue import GLUE_PREFIX

__all__ = ["GLUE_PREFIX", "GlueError", "glue_values", "paste", "paste_text", "read_glue_file"]

ROLE = re.compile(r"\{glue(?::text)?\}`([^`]+)`")


class GlueError(Exception):
    """A {glue:text} role whose value is missing or cannot be formatted."""


def glue_values(notebook: Any) -> dict[str, str]:
    """``{name: text/plain}`` of every value glued by an executed notebook's cells."""
    values: dict[str, str] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for mime, data in output.get("data", {}).items():
                if mime.startswith(GLUE_PREFIX) and mime.endswith("text/plain"):
                    name = output.get("metadata", {}).get("scrapbook", {}).get("name")
                    if name:
                        values[name] = data
    return values


def read_glue_file(path: Path) -> dict[str, str]:
    """The ``text/plain`` of each value in a myst-nb ``*.glue.json`` file of a build."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: bundle["data"]["text/plain"]
        for name, bundle in raw.items()
        if "text/plain" in bundle.get("data", {})
    }


def split_role(content: str) -> tuple[str, str]:
    """``"acc:.3f"`` -> ``("acc", ".3f")``; no format spec -> ``"s"`` (as myst-nb)."""
    key, sep, spec = content.rpartition(":")
    return (key, spec) if sep else (content, "s")


def paste(content: str, values: dict[str, str]) -> str:
    """The text myst-nb shows for ``{glue:text}`content```.

    Raises:
        GlueError: When the name was not glued or the format does not fit the value.
    """
    key, spec = split_role(content)
    if key not in values:
        raise GlueError(f"{{glue:text}}`{content}`: no cell glued {key!r}")
    try:
        shown: str = format_plain_text(values[key], spec)  # myst-nb is untyped
        return shown
    except (ValueError, TypeError) as err:
        raise GlueError(f"{{glue:text}}`{content}`: {err} (value {values[key]!r})") from None


def paste_text(text: str, values: dict[str, str]) -> list[tuple[str, str]]:
    """``(role, shown text or 'ERROR: …')`` for every glue role in ``text``."""
    shown = []
    for match in ROLE.finditer(text):
        try:
            shown.append((match[0], paste(match[1], values)))
        except GlueError as err:
            shown.append((match[0], f"ERROR: {err}"))
    return shown
