"""The generated notebooks: valid, faithful to their pages, runnable, linked from the site."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from myst_nb.core.read import read_myst_markdown_notebook
from nbclient import NotebookClient

from conftest import (
    COURSE_PAGES,
    DOCS,
    MODULE_PAGES,
    ROOT,
    built_page,
    scratch_docs,
    sphinx_build,
    unmeasured_kernels,
)
from coursecode.checks import STRICT_ENV
from coursesite.notebooks import (
    PLACEHOLDER_TAG,
    SETUP_TAG,
    ZIP_NAME,
    BuiltWith,
    ConversionError,
    Converter,
    notebook_names,
)
from coursesite.settings import load_settings, source_commit
from notebooks_cli import main

SETTINGS = load_settings(ROOT)
MYST_RESIDUE = re.compile(r"\{[\w-]+\}`|^\s*(:{3,}|`{3,})\{|^\(\w[\w-]*\)=", re.MULTILINE)
IDS = [p.stem for p in COURSE_PAGES]


BUILT_WITH = BuiltWith(torch="2.13.0", python="3.11.7", device="CPU")


@pytest.fixture(scope="session")
def notebooks(site) -> dict[str, Path]:
    """The full notebooks the site build wrote (their glued numbers come from it)."""
    return {p.stem: p for p in (site / "notebooks").glob("*.ipynb") if "-practice" not in p.name}


@pytest.fixture(scope="session")
def practice(site) -> dict[str, Path]:
    """The practice notebooks, by their page's stem."""
    return {
        p.stem.removesuffix("-practice"): p for p in (site / "notebooks").glob("*-practice.ipynb")
    }


@pytest.fixture(params=COURSE_PAGES, ids=IDS)
def page(request) -> Path:
    return request.param


# Running a notebook again in a fresh kernel repeats what the site build executed (the
# same code cells, asserted above). What it adds, that no cell needs a cell the notebook
# leaves out, the contract checks on every page without running anything (its rules
# notebook-hidden-names and practice-solution-names). So the suite runs a sample with one
# page of each kind (the simplest module, the one that reads files, a project); the
# publishing workflow runs them all (COURSE_RUN_ALL_NOTEBOOKS=1).
RUN_ALL = os.environ.get("COURSE_RUN_ALL_NOTEBOOKS") == "1"
RUN_SAMPLE = {
    "01-introduction-to-deep-learning",
    "08-datasets-and-dataloaders",
    "p1-model-from-files",
}
RUN_PAGES = [p for p in COURSE_PAGES if RUN_ALL or p.stem in RUN_SAMPLE]


@pytest.fixture(params=RUN_PAGES, ids=[p.stem for p in RUN_PAGES])
def run_page(request) -> Path:
    return request.param


def load(notebooks, page) -> nbformat.NotebookNode:
    return nbformat.read(notebooks[page.stem], as_version=4)


@pytest.mark.build
def test_one_valid_notebook_per_module_page(notebooks, page):
    nb = load(notebooks, page)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.coursecode.slug == page.stem.split("-", 1)[1]


@pytest.mark.build
def test_setup_cell_comes_first_and_pins_the_commit(notebooks, page, syllabus):
    setup = load(notebooks, page).cells[0]
    assert setup.cell_type == "code"
    assert setup.metadata.tags == [SETUP_TAG]
    assert 'if "google.colab" in sys.modules:' in setup.source
    commit = source_commit(ROOT)
    entry = syllabus.by_docname(f"{page.parent.name}/{page.stem}")
    extras = f"[{','.join(entry.extras)}]" if entry.extras else ""
    assert f'"coursecode{extras} @ git+{SETTINGS.repository_url}@{commit}"' in setup.source
    assert re.fullmatch(r"[0-9a-f]{40}", commit), "a commit, never a moving branch"


def visible_code(page: Path) -> list[str]:
    """The page's code cells that readers see (hidden glue and claim cells left out)."""
    notebook = read_myst_markdown_notebook(page.read_text(encoding="utf-8"))
    return [
        c.source
        for c in notebook.cells
        if c.cell_type == "code" and "remove-cell" not in c.metadata.get("tags", [])
    ]


@pytest.mark.build
def test_same_visible_code_cells_as_the_page(notebooks, page):
    nb = load(notebooks, page)
    code = [c.source for c in nb.cells[1:] if c.cell_type == "code"]
    assert code == visible_code(page)
    assert not any("myst_nb" in c for c in code), "notebooks run where myst_nb is absent"


@pytest.mark.build
def test_glued_numbers_read_as_on_the_site(notebooks, page, site):
    """Every {glue:text} of the page appears in the notebook as the text the site shows."""
    text = "\n".join(c.source for c in load(notebooks, page).cells if c.cell_type == "markdown")
    assert "{glue" not in text
    html = built_page(site / page.parent.name / f"{page.stem}.html")
    for pasted in html.select("span.pasted-text"):
        assert pasted.get_text() in text


@pytest.mark.build
def test_practice_notebook_leaves_each_solution_to_the_learner(notebooks, practice, page):
    full = load(notebooks, page)
    nb = nbformat.read(practice[page.stem], as_version=4)
    solutions = [c for c in full.cells if "solution" in c.metadata.get("tags", [])]
    blanks = [c for c in nb.cells if PLACEHOLDER_TAG in c.metadata.get("tags", [])]
    assert len(blanks) == len(solutions) >= 2
    assert all(c.source == "# your code here\n" for c in blanks)
    assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    checks = [c.source for c in nb.cells if "check" in c.metadata.get("tags", [])]
    assert checks == [c.source for c in full.cells if "check" in c.metadata.get("tags", [])]
    assert len(checks) >= 2
    assert nb.metadata.coursecode.practice is True


@pytest.mark.build
def test_script_and_zip_hold_the_notebooks(site, notebooks, page):
    folder = site / "notebooks"
    script = (folder / notebook_names(page.stem)["script"]).read_text()
    assert script.count("# %%") >= len(visible_code(page))
    compile(script, page.stem, "exec")  # a valid Python file
    with zipfile.ZipFile(folder / ZIP_NAME) as bundle:
        names = {Path(n).name for n in bundle.namelist()}
    assert {notebook_names(page.stem)["full"], notebook_names(page.stem)["practice"]} <= names


@pytest.mark.build
def test_markdown_has_no_myst_only_syntax(notebooks, page):
    for cell in load(notebooks, page).cells:
        if cell.cell_type == "markdown":
            assert not MYST_RESIDUE.search(cell.source), cell.source[:300]


@pytest.mark.build
def test_inline_checks_are_named_in_words(notebooks, page):
    """The site draws an icon before each inline check; the notebook says what it is."""
    text = "\n".join(c.source for c in load(notebooks, page).cells if c.cell_type == "markdown")
    expected = page.read_text(encoding="utf-8").count(":class-container: inline-check")
    assert text.count("<summary><b>Check your understanding:</b> ") == expected


@pytest.mark.build
def test_solutions_are_kept_marked_and_collapsed(notebooks, page):
    cells = load(notebooks, page).cells
    solutions = [i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 2
    for i in solutions:
        assert cells[i].metadata.jupyter.source_hidden is True
        assert cells[i - 1].cell_type == "markdown"
        assert cells[i - 1].source.startswith("**Solution.**")


@pytest.mark.build
def test_links_point_at_the_published_site(notebooks, page, syllabus):
    text = "\n".join(c.source for c in load(notebooks, page).cells if c.cell_type == "markdown")
    links = re.findall(r"\]\((https://[^)]+)\)", text)
    site_links = [link for link in links if link.startswith(SETTINGS.site_url)]
    assert site_links, "glossary and module links lead to the site"
    for link in site_links:
        path = link.removeprefix(SETTINGS.site_url + "/").split("#")[0]
        assert path in {"glossary.html", "api.html", "index.html"} | {
            f"{e.docname}.html" for e in syllabus.entries
        }


def run_fresh(nb: nbformat.NotebookNode, *, strict: bool) -> list:
    """Run top to bottom in a fresh kernel; return error and stderr outputs.

    The kernel inherits this process's environment: strict checks are set there for the
    duration of the run only (and coverage is left out: conftest.COVERAGE_ENV).
    """
    saved = os.environ.get(STRICT_ENV)
    os.environ[STRICT_ENV] = "1" if strict else "0"
    try:
        with unmeasured_kernels():
            NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    finally:
        if saved is None:
            os.environ.pop(STRICT_ENV, None)
        else:
            os.environ[STRICT_ENV] = saved
    return [
        o
        for c in nb.cells
        if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", [])
        for o in c.outputs
        if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
    ]


@pytest.mark.build
def test_notebook_runs_top_to_bottom_in_a_fresh_kernel(notebooks, run_page):
    """The full notebook, with its check cells strict: every worked solution passes."""
    nb = load(notebooks, run_page)
    assert not run_fresh(nb, strict=True)
    assert [o.text for o in nb.cells[0].outputs] == [nb.cells[0].outputs[0].text], (
        "outside Colab the setup cell only says what runs"
    )
    assert nb.cells[0].outputs[0].text.startswith("Running PyTorch ")
    checks = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
    assert all("✓" in "".join(o.get("text", "") for o in c.outputs) for c in checks)


@pytest.mark.build
def test_practice_notebook_runs_and_its_checks_wait_for_answers(practice, run_page):
    nb = nbformat.read(practice[run_page.stem], as_version=4)
    assert not run_fresh(nb, strict=False)
    checks = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
    for cell in checks:
        printed = "".join(o.get("text", "") for o in cell.outputs)
        assert "not answered yet" in printed, printed


def with_directive(tmp_path: Path) -> Path:
    page = tmp_path / "modules" / MODULE_PAGES[0].name
    page.parent.mkdir()
    text = MODULE_PAGES[0].read_text().replace("## Summary\n", "## Summary\n\n:::{foo}\nx\n:::\n")
    page.write_text(re.sub(r"\{glue:text\}`[^`]*`", "1", text))  # no build to paste from
    return page


def test_unknown_directive_is_refused_naming_page_and_directive(tmp_path, syllabus, capsys):
    page = with_directive(tmp_path)
    converter = Converter(page, syllabus, SETTINGS, "0" * 40, BUILT_WITH)
    with pytest.raises(ConversionError, match=r"01-introduction.*directive \{foo\}"):
        converter.convert()
    assert main([str(page), "--docs", str(DOCS), "--out", str(tmp_path / "out")]) == 1
    assert "directive {foo} has no notebook equivalent" in capsys.readouterr().err


@pytest.mark.build
def test_unknown_directive_fails_the_docs_build_too(tmp_path):
    text = MODULE_PAGES[0].read_text().replace("## Summary\n", "## Summary\n\n:::{foo}\nx\n:::\n")
    docs = scratch_docs(tmp_path, {MODULE_PAGES[0].name: text})
    result = sphinx_build(docs, docs / "_build" / "html", mode="force")
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(
        rf"ERROR: notebooks: .*{MODULE_PAGES[0].name}: directive \{{foo\}} has no notebook", out
    ), out[-2000:]


def test_setup_cell_refuses_to_guess_a_commit(tmp_path, monkeypatch):
    for var in ("COURSE_COMMIT", "READTHEDOCS_GIT_COMMIT_HASH", "GITHUB_SHA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(RuntimeError, match="set COURSE_COMMIT"):
        source_commit(tmp_path)
    monkeypatch.setenv("COURSE_COMMIT", "abc")
    assert source_commit(tmp_path) == "abc"


@pytest.mark.build
@pytest.mark.build
@pytest.mark.parametrize("kind", ["full", "practice"])
def test_site_links_colab_and_download_for_every_module(site, page, kind):
    html = built_page(site / page.parent.name / f"{page.stem}.html")
    name = notebook_names(page.stem)[kind]
    colab = html.select(f'a.colab-link[data-kind="{kind}"]')
    download = html.select(f'a.download-notebook[data-kind="{kind}"]')
    assert len(colab) == 1
    assert len(download) == 1
    assert colab[0]["href"] == (
        f"https://colab.research.google.com/github/{SETTINGS.github_path}"
        f"/blob/{SETTINGS.notebooks_branch}/{name}"
    )
    target = (site / page.parent.name / download[0]["href"]).resolve()
    assert target == (site / "notebooks" / name).resolve()
    nb = nbformat.read(target, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.coursecode.practice is (kind == "practice")


@pytest.mark.build
def test_site_links_the_script_and_a_question_for_every_module(site, page, syllabus):
    html = built_page(site / page.parent.name / f"{page.stem}.html")
    script = html.select("a.download-script")
    assert len(script) == 1
    assert (site / page.parent.name / script[0]["href"]).resolve() == (
        site / "notebooks" / f"{page.stem}.py"
    ).resolve()
    entry = syllabus.by_docname(f"{page.parent.name}/{page.stem}")
    question = html.select("a.question-link")
    assert len(question) == 1
    assert question[0]["href"] == SETTINGS.question_url(f"{entry.label} · {entry.title}")
    assert question[0]["href"].startswith(f"{SETTINGS.repository_url}/discussions/new?")
    assert f"{entry.label.replace(' ', '+')}+" in question[0]["href"]


@pytest.mark.build
def test_landing_page_links_the_zip_of_every_notebook(site):
    html = built_page(site / "index.html")
    link = html.select_one("a.download-all")
    assert link is not None
    with zipfile.ZipFile(site / link["href"]) as bundle:
        names = bundle.namelist()
    assert len(names) == 2 * len(COURSE_PAGES)


@pytest.mark.build
def test_no_link_on_the_site_opens_a_markdown_file_in_colab(site):
    for html_file in site.rglob("*.html"):
        for link in re.findall(r'href="(https://colab[^"]+)"', html_file.read_text()):
            assert link.endswith(".ipynb"), f"{html_file.name}: {link}"


def test_workflow_publishes_to_the_configured_branch():
    workflow = (ROOT / ".github" / "workflows" / "notebooks.yml").read_text()
    assert "nox -s notebooks" in workflow
    assert "['tool']['coursesite']['notebooks-branch']" in workflow
    assert "branches: [main]" in workflow
