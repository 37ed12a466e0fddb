"""The project's own promises: every nox session the docs and workflows name exists."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT

NOXFILE = (ROOT / "noxfile.py").read_text(encoding="utf-8")
DEFINED = set(re.findall(r"^def (\w+)\(session", NOXFILE, re.MULTILINE)) | set(
    re.findall(r'@nox\.session\(name="([\w-]+)"', NOXFILE)
)
SOURCES = [
    "README.md",
    "CONTRIBUTING.md",
    ".ci/run",
    *(p.relative_to(ROOT).as_posix() for p in (ROOT / ".github" / "workflows").glob("*.yml")),
]


@pytest.mark.parametrize("source", SOURCES)
def test_every_named_nox_session_exists(source):
    named = set(re.findall(r"nox -s ([\w-]+)", (ROOT / source).read_text(encoding="utf-8")))
    assert named, f"{source} names no nox session"
    missing = {n.replace("-", "_") for n in named} - {d.replace("-", "_") for d in DEFINED}
    assert not missing, f"{source} names sessions the noxfile lacks: {sorted(missing)}"
