"""The built site: what a reader receives. Built once per session (see conftest.site)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import MODULE_PAGES
from coursesite.failures import code_cells

pytestmark = pytest.mark.build

# What must never appear in an executed output: traces of the build machine.
LEAKS = {
    "memory address": re.compile(r"0x[0-9a-f]{6,}"),
    "build path": re.compile(r"/(home|root|tmp|work)/|site-packages|\.nox/"),
    "traceback": re.compile(r"Traceback \(most recent call last\)"),
    "warning": re.compile(r"\b\w*Warning:"),
}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(site: Path, page: Path) -> BeautifulSoup:
    html = soup(site / "modules" / f"{page.stem}.html")
    main = html.select_one("article.bd-article")
    assert main is not None
    return main


@pytest.fixture(params=MODULE_PAGES, ids=[p.stem for p in MODULE_PAGES])
def page(request) -> Path:
    return request.param


def test_banner_comes_from_the_syllabus(site, page, syllabus):
    module = syllabus.by_docname(f"modules/{page.stem}")
    banner = article(site, page).select_one(".module-banner")
    assert banner is not None
    assert f"Module {module.number} of 26 · Deep Learning with PyTorch · Intermediate" in (
        banner.get_text()
    )
    assert f"⏱ {module.minutes} min" in banner.get_text()


def test_every_code_cell_was_executed_with_clean_output(site, page):
    main = article(site, page)
    cells = main.select("div.cell")
    assert len(cells) == len(code_cells(page))
    outputs = main.select("div.cell_output")
    assert len(outputs) >= 6
    assert not main.select(".output.stderr"), "a cell wrote to stderr"
    for i, cell in enumerate(cells, 1):
        text = " ".join(o.get_text() for o in cell.select("div.cell_output"))
        for what, pattern in LEAKS.items():
            assert not pattern.search(text), f"{page.name} cell {i}: {what} in output: {text}"


def test_quizzes_checks_and_solutions_are_hidden_dropdowns(site, page):
    main = article(site, page)
    answers = main.select("details.quiz-answer")
    checks = main.select("details.inline-check")
    assert len(answers) >= 4
    assert len(checks) >= 2
    for d in answers + checks:
        assert not d.has_attr("open"), "answers start closed"
        assert d.select_one("summary").get_text(strip=True)
        assert d.select_one(".sd-card-body").get_text(strip=True)
    solutions = [d for d in main.select("details.hide") if "Show solution" in d.summary.get_text()]
    assert len(solutions) >= 2
    assert all(s.select_one("div.cell_output") for s in solutions), "solutions are executed"


def test_tip_figure_and_glossary_links(site, page):
    main = article(site, page)
    assert main.select("div.admonition.tip")
    figures = main.select("figure img")
    assert figures
    assert all(len(img.get("alt", "")) >= 20 for img in figures)
    assert all(img.get("src", "").endswith(".png") for img in figures)
    terms = main.select('a[href*="glossary.html#term-"]')
    assert len(terms) >= 3


def test_next_and_further_reading_links(site, page):
    main = article(site, page)
    hrefs = [a.get("href", "") for a in main.select("a")]
    assert any(h.startswith("https://docs.pytorch.org/") for h in hrefs)


def test_landing_page_lists_all_26_modules_and_links_the_written_ones(site, syllabus):
    html = soup(site / "index.html")
    rows = html.select("table.syllabus-table tbody tr")
    assert len(rows) == 26
    linked = [r for r in rows if r.select_one("a")]
    assert len(linked) == len(syllabus.written)
    for row, module in zip(rows, syllabus.modules, strict=True):
        assert row.select("td")[1].get_text(strip=True) == module.title
    nav = html.select("nav.bd-docs-nav a.reference.internal")
    nav_targets = [a["href"] for a in nav if "modules/" in a["href"]]
    expected = [f"{m.docname}.html" for m in syllabus.modules if syllabus.is_written(m)]
    assert nav_targets == expected, "the sidebar lists written modules in syllabus order"


def test_glossary_and_api_reference_pages(site):
    glossary = soup(site / "glossary.html")
    terms = [dt.get_text(strip=True).rstrip("¶#") for dt in glossary.select("dl.glossary dt")]
    for term in ("Neuron", "Weight", "Bias", "Backpropagation"):
        assert term in terms
    api = soup(site / "api.html").get_text()
    for name in ("seed_everything", "get_device", "draw_network", "fit", "load_digits"):
        assert name in api
    assert "Module 1" in api, "docstrings name the module that teaches each helper"
