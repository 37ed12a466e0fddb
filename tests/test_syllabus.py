"""The syllabus data file and the pages on disk: one source of truth, checked."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from myst_nb.core.read import read_myst_markdown_notebook

from conftest import COURSE_PAGES, DOCS, MODULE_PAGES
from coursesite.syllabus import (
    SyllabusError,
    check_pages,
    check_project_pages,
    load_syllabus,
    parse_syllabus,
)
from coursesite.timing import CODE_CELL, NOT_READ, Estimate, cell_tags, count_page

RAW = tomllib.loads((DOCS / "syllabus.toml").read_text(encoding="utf-8"))


def test_the_course_has_26_modules_in_six_parts(syllabus):
    assert syllabus.total == 26
    assert [p.id for p in syllabus.parts] == ["I", "II", "III", "IV", "V", "VI"]
    assert [m.number for m in syllabus.modules] == list(range(1, 27))
    assert syllabus.modules[0].slug == "introduction-to-deep-learning"
    assert syllabus.modules[-1].slug == "deploying-models"


def test_every_page_on_disk_is_a_written_module(syllabus):
    assert {p.stem for p in MODULE_PAGES} == {
        m.docname.split("/")[1] for m in syllabus.modules if syllabus.is_written(m)
    }


def test_only_the_performance_module_measures(syllabus):
    assert [m.slug for m in syllabus.modules if m.measures] == ["performance-and-acceleration"]


def test_banner_and_next_module_derive_from_order(syllabus):
    first = syllabus.by_slug("introduction-to-deep-learning")
    assert syllabus.banner(first) == "Module 1 of 26 · Deep Learning with PyTorch · Intermediate"
    assert syllabus.next_module(first) == syllabus.by_slug("tensors")
    assert syllabus.next_module(syllabus.entries[-1]) is None
    assert syllabus.by_docname("modules/02-tensors").number == 2
    assert syllabus.by_docname("index") is None


def test_projects_follow_their_part_in_reading_order(syllabus):
    order = syllabus.entries
    assert [e.slug for e in order if e.kind == "module"] == [m.slug for m in syllabus.modules]
    for project in syllabus.projects:
        before = order[order.index(project) - 1]
        assert before.part == project.part, "a project comes right after its part"
        assert syllabus.banner(project).startswith(
            f"Project {project.number} of {len(syllabus.projects)} · "
        )
        assert project.docname == f"projects/p{project.number}-{project.slug}"
    last_of_part_two = [m for m in syllabus.modules if m.part.id == "II"][-1]
    assert syllabus.next_module(last_of_part_two).kind == "project"


def test_a_project_page_must_match_its_entry(tmp_path, syllabus):
    folder = tmp_path / "projects"
    folder.mkdir()
    (folder / "p2-model-from-files.md").write_text("x")
    with pytest.raises(SyllabusError, match=r"its page must be p1-model-from-files\.md"):
        check_project_pages(syllabus.projects, folder)


def with_module(**changes) -> dict:
    data = {**RAW, "module": [dict(m) for m in RAW["module"]]}
    data["module"][1].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (with_module(slug="Bad Slug"), "slug 'Bad Slug' must be lowercase"),
        (with_module(slug="introduction-to-deep-learning"), "duplicate slug"),
        (with_module(part="VII"), "unknown part 'VII'"),
        (with_module(minutes=20), "do not write 'minutes'"),
        (with_module(number=2), "do not write 'number'"),
        (with_module(measures="yes"), "measures must be true or false"),
        ({**RAW, "module": []}, "no \\[\\[module\\]\\] entries"),
        ({k: v for k, v in RAW.items() if k != "course"}, "missing required key 'course'"),
    ],
)
def test_bad_syllabus_data_is_refused_with_a_reason(data, message):
    with pytest.raises(SyllabusError, match=message):
        parse_syllabus(data, "syllabus.toml")


def write_pages(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "modules"
    folder.mkdir()
    for name in names:
        (folder / name).write_text("x", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("02-not-a-module.md", "unknown slug 'not-a-module'"),
        (
            "05-tensors.md",
            "'tensors' is module 2 in syllabus.toml, so its page must be 02-tensors.md",
        ),
        ("27-tensors.md", "module number 27 is out of range 1..26"),
        ("tensors.md", "module pages are named NN-slug.md"),
    ],
)
def test_pages_that_disagree_with_the_syllabus_are_named(syllabus, tmp_path, name, message):
    folder = write_pages(tmp_path, name)
    with pytest.raises(SyllabusError, match=message) as info:
        check_pages(syllabus.modules, folder)
    assert name in str(info.value)


def test_written_pages_are_found(syllabus, tmp_path):
    folder = write_pages(tmp_path, "02-tensors.md", "_draft.md")
    assert check_pages(syllabus.modules, folder) == {"tensors"}


def test_missing_or_broken_syllabus_file(tmp_path):
    with pytest.raises(SyllabusError, match="the syllabus file is missing"):
        load_syllabus(tmp_path)
    (tmp_path / "syllabus.toml").write_text("course = [", encoding="utf-8")
    with pytest.raises(SyllabusError, match="not valid TOML"):
        load_syllabus(tmp_path)


def test_times_are_derived_from_the_page():
    page = (
        """---
kernelspec:
  name: python3
---
# Title

"""
        + "word " * 300
        + """

```{code-cell} ipython3
x = 1
```

```{code-cell} ipython3
:tags: [remove-cell]
hidden = 1
```

### Quiz 1 · One
### Quiz 2 · Two

::::{dropdown} Why?
:class-container: inline-check
Because.
::::

### Exercise 1 · Try

```{code-cell} ipython3
:tags: [solution, hide-cell]
y = 2
```
"""
    )
    counts = count_page(page)
    assert (counts.code_cells, counts.quizzes, counts.checks, counts.exercises) == (1, 2, 1, 1)
    assert 300 <= counts.words <= 315  # the words, a title and a few of the answer's
    # 2 min of words + 1.5 (cell) + 3 (quizzes) + 1 (check) = 7.6 -> 10; one exercise, 12
    assert counts.estimate() == Estimate(read_run=10, exercises=12)


@pytest.mark.parametrize("page", COURSE_PAGES, ids=lambda p: p.stem)
def test_code_cells_are_counted_as_myst_nb_reads_them(page):
    """The estimate reads a cell's tags itself (fast); MyST-NB's reader agrees on every
    page about which code cells a reader runs and reads."""
    text = page.read_text(encoding="utf-8")
    notebook = read_myst_markdown_notebook(text)
    tags = [set(c.metadata.get("tags", [])) for c in notebook.cells if c.cell_type == "code"]
    body = text.split("\n---", 1)[1]
    assert [cell_tags(cell) for cell in CODE_CELL.findall(body)] == tags
    assert count_page(text).code_cells == sum(1 for t in tags if not NOT_READ & t)


def test_cell_tags_read_both_option_forms():
    assert cell_tags("```{code-cell} ipython3\n:tags: [remove-cell, claim]\nx = 1") == {
        "remove-cell",
        "claim",
    }
    block = "```{code-cell} ipython3\n---\ntags: ['solution', hide-cell]\n---\nx = 1"
    assert cell_tags(block) == {"solution", "hide-cell"}
    assert cell_tags("```{code-cell} ipython3\nx = [1]\ntags: [not, options]") == set()


def test_landing_total_adds_every_module_and_project(syllabus):
    total = syllabus.total_estimate
    written = [e for e in syllabus.entries if syllabus.is_written(e)]
    assert total.read_run == sum(syllabus.estimate(e).read_run for e in written)
    counted = [
        count_page((DOCS / e.docname.split("/")[0] / e.filename).read_text()) for e in written
    ]
    assert total.exercises == sum(12 * c.exercises + 25 * c.milestones for c in counted)


def test_every_extra_a_module_needs_is_declared(syllabus):
    """A module's Colab setup installs coursecode[extras]: each must exist in pyproject."""
    project = tomllib.loads((DOCS.parent / "pyproject.toml").read_text())["project"]
    declared = set(project["optional-dependencies"])
    needed = {extra for e in syllabus.entries for extra in e.extras}
    assert needed, "the deployment modules need onnx and safetensors"
    assert needed <= declared


def test_extras_must_be_a_list_of_names():
    with pytest.raises(SyllabusError, match="extras must be a list"):
        parse_syllabus(with_module(extras="deploy"), "syllabus.toml")
