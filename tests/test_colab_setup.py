"""The notebooks' setup cell, run as Colab would run it, without Colab.

Each test runs the real setup cell in a fresh kernel where a stand-in ``google.colab``
module is loaded and ``subprocess.run`` (pip) and ``os.kill`` (the restart) are recorded
instead of run. Mutations these tests kill: a typo in the pip command, ``check=False``,
pinned torch or numpy versions in the install, a restart that never fires, a restart
that fires when nothing changed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import DOCS, MODULE_PAGES, ROOT, unmeasured_kernels
from coursesite.notebooks import BuiltWith, Converter
from coursesite.settings import load_settings
from coursesite.syllabus import load_syllabus

COMMIT = "0123456789abcdef0123456789abcdef01234567"
SETTINGS = load_settings(ROOT)
REQUIREMENT = f"coursecode @ git+{SETTINGS.repository_url}@{COMMIT}"

# Loaded before the setup cell: Colab's marker module, and recorders for pip and kill.
STAND_IN = """
import importlib.metadata, json, os, subprocess, sys, types
sys.modules["google.colab"] = types.ModuleType("google.colab")
calls, kills = [], []
def fake_run(args, **kwargs):
    calls.append({"args": list(args), "kwargs": kwargs})
    return subprocess.CompletedProcess(args, 0)
subprocess.run = fake_run
os.kill = lambda pid, sig: kills.append({"self": pid == os.getpid(), "signal": int(sig)})
"""

# What pip changes, for the restart test: numpy (imported) gets a new version.
NUMPY_CHANGES = """
import numpy
_real = importlib.metadata.distributions
class _AfterPip:
    def __init__(self, dist):
        self._dist = dist
    def __getattr__(self, name):
        return getattr(self._dist, name)
    @property
    def version(self):
        numpy = self._dist.metadata["Name"].lower() == "numpy"
        return "0.0.1" if numpy and calls else self._dist.version
importlib.metadata.distributions = lambda: map(_AfterPip, _real())
"""

REPORT = 'print(json.dumps({"calls": calls, "kills": kills}))'


def setup_source() -> str:
    converter = Converter(
        MODULE_PAGES[0],
        load_syllabus(DOCS),
        SETTINGS,
        COMMIT,
        BuiltWith(torch="2.13.0", python="3.11.7", device="CPU"),
    )
    return converter.setup_cell().source


def run_in_kernel(*sources: str) -> list[nbformat.NotebookNode]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    with unmeasured_kernels():
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb.cells


def text(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_in_colab_it_installs_coursecode_at_the_commit_and_nothing_pinned():
    cells = run_in_kernel(STAND_IN, setup_source(), REPORT)
    record = json.loads(text(cells[2]))
    assert record["calls"] == [
        {
            "args": [sys.executable, "-m", "pip", "install", "--quiet", REQUIREMENT],
            "kwargs": {"check": True},
        }
    ]
    assert record["kills"] == [], "nothing already imported changed: no restart"
    printed = text(cells[1])
    assert "the course site was built with PyTorch 2.13.0 on CPU" in printed
    assert "Numbers may differ slightly" in printed


def test_in_colab_a_changed_imported_package_restarts_the_runtime():
    cells = run_in_kernel(STAND_IN + NUMPY_CHANGES, setup_source(), REPORT)
    record = json.loads(text(cells[2]))
    assert record["kills"] == [{"self": True, "signal": 9}]
    assert "Installing coursecode changed numpy, which this runtime had already" in text(cells[1])


def test_outside_colab_it_installs_nothing_and_says_what_runs():
    recorder = STAND_IN.replace('sys.modules["google.colab"] = ', "_unused = ")
    cells = run_in_kernel(recorder, setup_source(), REPORT)
    assert json.loads(text(cells[2])) == {"calls": [], "kills": []}
    assert text(cells[1]).startswith("Running PyTorch ")


def test_the_install_would_add_coursecode_and_nothing_else(tmp_path):
    """pip's own resolver, offline: the pinned environment already satisfies coursecode's
    ranges, so the Colab install (this checkout in place of the GitHub commit) adds only
    coursecode. A pin that the environment does not hold would make it fail."""
    assert REQUIREMENT in setup_source()
    report = tmp_path / "report.json"
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--dry-run", "--no-index",
            "--no-build-isolation", "--quiet", "--report", str(report),
            f"coursecode @ {ROOT.as_uri()}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    installs = json.loads(report.read_text())["install"]
    assert [i["metadata"]["name"] for i in installs] == ["coursecode"]


@pytest.mark.parametrize("pinned", ["torch==2.13.0", "numpy=="])
def test_the_cell_pins_no_preloaded_package(pinned):
    assert pinned not in setup_source()


def test_a_module_that_needs_extras_installs_them():
    syllabus = load_syllabus(DOCS)
    needs = next(m for m in syllabus.modules if m.extras)
    page = DOCS / "modules" / needs.filename
    converter = Converter(page, syllabus, SETTINGS, COMMIT, BuiltWith("2.13.0", "3.11.7", "CPU"))
    extras = ",".join(needs.extras)
    assert f'"coursecode[{extras}] @ git+{SETTINGS.repository_url}@{COMMIT}"' in (
        converter.setup_cell().source
    )
