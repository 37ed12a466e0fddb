"""Bad input stops the build with a message that names the page (and the cell).

Each test builds a scratch docs tree (the real conf.py, extension and syllabus) holding
a copy of a real module page with one thing broken.
"""

from __future__ import annotations

import re

import pytest

from conftest import MODULE_PAGES, scratch_docs, sphinx_build

pytestmark = pytest.mark.build

PAGE = MODULE_PAGES[0]


def insert_cell(text: str, source: str, after: str = "## The forward pass\n") -> str:
    assert after in text
    return text.replace(after, f"{after}\n```{{code-cell}} ipython3\n{source}\n```\n", 1)


def output_of(result) -> str:
    return result.stdout + result.stderr


def parallel_docs(tmp_path, text: str):
    """A scratch tree where ``-j 2`` really reads in parallel (Sphinx needs over 5 pages):
    the page under test, executed, and two more module pages that are not executed."""
    others = {
        p.name: p.read_text().replace("---\n", "---\nmystnb:\n  execution_mode: 'off'\n", 1)
        for p in MODULE_PAGES[1:3]
    }
    return scratch_docs(tmp_path, {PAGE.name: text, **others})


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_raising_cell_fails_the_build_naming_page_and_cell(tmp_path, jobs):
    text = insert_cell(PAGE.read_text(), "x = 1\nraise ValueError('deliberate failure')")
    docs = parallel_docs(tmp_path, text) if jobs > 1 else scratch_docs(tmp_path, {PAGE.name: text})
    result = sphinx_build(docs, docs / "_build" / "html", mode="force", jobs=jobs)
    out = output_of(result)
    assert result.returncode != 0
    assert "SphinxParallelError" not in out
    cells_before = text[: text.index("deliberate failure")].count("```{code-cell}")
    fence = text[: text.index("deliberate failure")].rindex("```{code-cell}")
    line = text[:fence].count("\n") + 1  # the 1-based line of the cell's opening fence
    assert re.search(
        rf"page docs/modules/{PAGE.name} failed: code cell {cells_before} \(line {line}\) "
        r"raised ValueError: deliberate failure",
        out,
    ), out[-3000:]
    report = docs / "_build" / "html" / "reports" / "modules" / f"{PAGE.stem}.err.log"
    assert report.is_file()
    assert "deliberate failure" in report.read_text()
    assert str(report) in out


def test_a_drifted_claim_fails_the_parallel_build_naming_page_and_claim(tmp_path):
    """What an upgrade that changes a result does: the claim's assert fails, and the
    build names the page, the cell and the claim with the measured value."""
    claim = (
        ":tags: [remove-cell, claim]\nmeasured = 0.42\n"
        "assert measured > 0.5, f\"claim 'above one half': measured {measured}\""
    )
    text = insert_cell(PAGE.read_text(), claim)
    docs = parallel_docs(tmp_path, text)
    result = sphinx_build(docs, docs / "_build" / "html", mode="force", jobs=2)
    out = output_of(result)
    assert result.returncode != 0
    cells_before = text[: text.index("above one half")].count("```{code-cell}")
    assert re.search(
        rf"page docs/modules/{PAGE.name} failed: code cell {cells_before} \(line \d+\) "
        r"raised AssertionError: claim 'above one half': measured 0\.42",
        out,
    ), out[-3000:]


def test_a_hanging_cell_is_stopped_by_the_timeout(tmp_path):
    text = PAGE.read_text().replace("---\n", "---\nmystnb:\n  execution_timeout: 3\n", 1)
    text = insert_cell(text, "import time\ntime.sleep(120)")
    docs = scratch_docs(tmp_path, {PAGE.name: text})
    result = sphinx_build(docs, docs / "_build" / "html", mode="force", timeout=120)
    out = output_of(result)
    assert result.returncode != 0
    assert f"page docs/modules/{PAGE.name} failed" in out, out[-3000:]
    assert "timed out" in out


def test_broken_front_matter_fails_naming_the_file(tmp_path):
    text = PAGE.read_text().replace("  name: python3", "  name: [python3", 1)
    docs = scratch_docs(tmp_path, {PAGE.name: text})
    result = sphinx_build(docs, docs / "_build" / "html", mode="force")
    out = output_of(result)
    assert result.returncode != 0
    assert re.search(rf"modules/{PAGE.name}.*front matter", out), out[-3000:]


def test_a_contract_break_fails_the_docs_build_too(tmp_path):
    text = re.sub(r":::\{tip\}.*?:::\n", "", PAGE.read_text(), flags=re.DOTALL)
    docs = scratch_docs(tmp_path, {PAGE.name: text})
    result = sphinx_build(docs, docs / "_build" / "html")
    out = output_of(result)
    assert result.returncode != 0
    assert re.search(rf"{PAGE.name}: WARNING: module contract: tip:", out), out[-3000:]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("02-no-such-module.md", "unknown slug 'no-such-module'"),
        ("27-tensors.md", "module number 27 is out of range 1..26"),
    ],
)
def test_a_page_unknown_to_the_syllabus_stops_the_build_at_start(tmp_path, name, message):
    docs = scratch_docs(tmp_path, {PAGE.name: PAGE.read_text(), name: "# Stray\n"})
    result = sphinx_build(docs, docs / "_build" / "html")
    out = output_of(result)
    assert result.returncode != 0
    assert "syllabus:" in out
    assert message in out
    assert "reading sources" not in out  # stopped before any page was read
