"""The generated notebooks: valid, faithful to their pages, runnable, linked from the site."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient

from conftest import DOCS, MODULE_PAGES, ROOT, scratch_docs, sphinx_build
from coursesite.failures import code_cells
from coursesite.notebooks import (
    SETUP_TAG,
    ConversionError,
    Converter,
    main,
    pinned_requirements,
    write_notebooks,
)
from coursesite.settings import load_settings, source_commit

SETTINGS = load_settings(ROOT)
MYST_RESIDUE = re.compile(r"\{[\w-]+\}`|^\s*(:{3,}|`{3,})\{|^\(\w[\w-]*\)=", re.MULTILINE)
IDS = [p.stem for p in MODULE_PAGES]


@pytest.fixture(scope="session")
def notebooks(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("notebooks")
    return {p.stem: p for p in write_notebooks(DOCS, out)}


@pytest.fixture(params=MODULE_PAGES, ids=IDS)
def page(request) -> Path:
    return request.param


def load(notebooks, page) -> nbformat.NotebookNode:
    return nbformat.read(notebooks[page.stem], as_version=4)


def test_one_valid_notebook_per_module_page(notebooks, page):
    nb = load(notebooks, page)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.coursecode.slug == page.stem.split("-", 1)[1]


def test_setup_cell_comes_first_and_pins_commit_and_versions(notebooks, page):
    setup = load(notebooks, page).cells[0]
    assert setup.cell_type == "code"
    assert setup.metadata.tags == [SETUP_TAG]
    assert 'if "google.colab" in sys.modules:' in setup.source
    commit = source_commit(ROOT)
    assert f"{SETTINGS.repository_url}@{commit}'" in setup.source
    assert re.fullmatch(r"[0-9a-f]{40}", commit), "a commit, never a moving branch"
    assert "'torch==2.13.0'" in setup.source


def test_same_code_cells_as_the_page(notebooks, page):
    nb = load(notebooks, page)
    code = [c.source for c in nb.cells[1:] if c.cell_type == "code"]
    assert code == [source for source, _ in code_cells(page)]


def test_markdown_has_no_myst_only_syntax(notebooks, page):
    for cell in load(notebooks, page).cells:
        if cell.cell_type == "markdown":
            assert not MYST_RESIDUE.search(cell.source), cell.source[:300]


def test_solutions_are_kept_marked_and_collapsed(notebooks, page):
    cells = load(notebooks, page).cells
    solutions = [i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 2
    for i in solutions:
        assert cells[i].metadata.jupyter.source_hidden is True
        assert cells[i - 1].cell_type == "markdown"
        assert cells[i - 1].source.startswith("**Solution.**")


def test_links_point_at_the_published_site(notebooks, page, syllabus):
    text = "\n".join(c.source for c in load(notebooks, page).cells if c.cell_type == "markdown")
    links = re.findall(r"\]\((https://[^)]+)\)", text)
    site_links = [link for link in links if link.startswith(SETTINGS.site_url)]
    assert site_links, "glossary and module links lead to the site"
    for link in site_links:
        path = link.removeprefix(SETTINGS.site_url + "/").split("#")[0]
        assert path in {"glossary.html"} | {f"{m.docname}.html" for m in syllabus.modules}


@pytest.mark.build
def test_notebook_runs_top_to_bottom_in_a_fresh_kernel(notebooks, page):
    nb = load(notebooks, page)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", [])
        for o in c.outputs
        if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
    ]
    assert not errors, errors
    assert not nb.cells[0].outputs, "the setup cell does nothing outside Colab"


def with_directive(tmp_path: Path) -> Path:
    page = tmp_path / "modules" / MODULE_PAGES[0].name
    page.parent.mkdir()
    text = MODULE_PAGES[0].read_text().replace("## Summary\n", "## Summary\n\n:::{foo}\nx\n:::\n")
    page.write_text(text)
    return page


def test_unknown_directive_is_refused_naming_page_and_directive(tmp_path, syllabus, capsys):
    page = with_directive(tmp_path)
    converter = Converter(
        page, syllabus, SETTINGS, "0" * 40, pinned_requirements(DOCS / "constraints.txt")
    )
    with pytest.raises(ConversionError, match=r"01-introduction.*directive \{foo\}"):
        converter.convert()
    assert main([str(page), "--docs", str(DOCS), "--out", str(tmp_path / "out")]) == 1
    assert "directive {foo} has no notebook equivalent" in capsys.readouterr().err


@pytest.mark.build
def test_unknown_directive_fails_the_docs_build_too(tmp_path):
    text = MODULE_PAGES[0].read_text().replace("## Summary\n", "## Summary\n\n:::{foo}\nx\n:::\n")
    docs = scratch_docs(tmp_path, {MODULE_PAGES[0].name: text})
    result = sphinx_build(docs, docs / "_build" / "html", env={"COURSE_EXECUTION_MODE": "off"})
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(rf"{MODULE_PAGES[0].name}.*foo", out), out[-2000:]


def test_setup_cell_refuses_to_guess_a_commit(tmp_path, monkeypatch):
    for var in ("COURSE_COMMIT", "READTHEDOCS_GIT_COMMIT_HASH", "GITHUB_SHA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(RuntimeError, match="set COURSE_COMMIT"):
        source_commit(tmp_path)
    monkeypatch.setenv("COURSE_COMMIT", "abc")
    assert source_commit(tmp_path) == "abc"


@pytest.mark.build
def test_site_links_colab_and_download_for_every_module(site, page):
    html = BeautifulSoup((site / "modules" / f"{page.stem}.html").read_text(), "html.parser")
    colab = html.select("a.colab-link")
    download = html.select("a.download-notebook")
    assert len(colab) == 1
    assert len(download) == 1
    assert colab[0]["href"] == (
        f"https://colab.research.google.com/github/{SETTINGS.github_path}"
        f"/blob/{SETTINGS.notebooks_branch}/{page.stem}.ipynb"
    )
    target = (site / "modules" / download[0]["href"]).resolve()
    assert target == (site / "notebooks" / f"{page.stem}.ipynb").resolve()
    nbformat.validate(nbformat.read(target, as_version=4))


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
