"""The course offline: the EPUB (valid by epubcheck) and the PDF (LaTeX, xelatex).

Both are built after the site from its doctrees (conftest.build_format), as `nox -s epub`
and `nox -s pdf` do after `nox -s docs`, so they read and execute nothing again.
The checkers come from Debian (epubcheck; TeX Live's xelatex and latexmk; poppler's
pdftotext); .ci/run installs them. Without them a test is skipped locally and fails on CI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import DOCS, MODULE_PAGES, build_format
from coursesite.settings import load_settings

pytestmark = pytest.mark.build

EPUBCHECK = Path("/usr/share/java/epubcheck.jar")


def need(available: bool, what: str) -> None:
    if not available:
        message = f"{what} is not installed (Debian: see .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def epub(site) -> Path:
    (book,) = build_format(site, "epub").glob("*.epub")
    return book


def test_epub_is_valid(epub):
    need(EPUBCHECK.is_file() and shutil.which("java") is not None, "epubcheck")
    result = subprocess.run(
        ["java", "-jar", str(EPUBCHECK), str(epub)], capture_output=True, text=True, check=False
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-5000:]
    assert "0 fatals / 0 errors / 0 warnings" in report, report[-5000:]


def test_epub_holds_every_module_with_outputs_solutions_and_answers(epub):
    with zipfile.ZipFile(epub) as book:
        names = set(book.namelist())
        pages = {p.stem: book.read(f"modules/{p.stem}.xhtml").decode() for p in MODULE_PAGES}
    assert any(n.startswith("_images/") and n.endswith(".png") for n in names), "no figures"
    site = load_settings(DOCS.parent).site_url
    for stem, text in pages.items():
        assert 'class="output' in text or "cell_output" in text, f"{stem}: no outputs"
        assert '<p class="admonition-title">Solution</p>' in text, f"{stem}: solution hidden"
        assert "Check your understanding:" in text, stem
        assert re.search(r'class="[^"]*quiz-answer', text), f"{stem}: no quiz answers"
        links = [
            link
            for link in re.findall(r'href="([^"]*notebooks/[^"]*)"', text)
            if "colab.research.google.com" not in link
        ]
        assert links, stem
        assert all(link.startswith(f"{site}/notebooks/") for link in links), links


@pytest.fixture(scope="module")
def pdf(site) -> Path:
    need(shutil.which("xelatex") is not None and shutil.which("latexmk") is not None, "TeX")
    # Outside coverage, which doubles a Sphinx build: the few lines of the extension only a
    # LaTeX build runs (HTML-only features standing aside) are measured in-process by
    # tests/test_features.py, and the report is the same without this build.
    (tex,) = build_format(site, "latex", measured=False).glob("*.tex")
    make = subprocess.run(
        ["latexmk", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tex.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    log = tex.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    assert make.returncode == 0, make.stdout[-4000:]
    assert "Missing character" not in log, re.findall(r"Missing character.*", log)[:5]
    return tex.with_suffix(".pdf")


def test_pdf_holds_the_course_with_answers_and_solutions(pdf):
    need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for page in MODULE_PAGES:
        title = re.search(r"^# (.+)$", page.read_text(encoding="utf-8"), re.MULTILINE)[1]
        assert title in text, f"{page.stem}: not in the PDF"
    flat = " ".join(text.split())
    for page in MODULE_PAGES:  # the first code line of each module's first worked solution
        cell = re.search(
            r"tags: \[solution, hide-cell\]\n.*?^---\n(.*?)^```",
            page.read_text(encoding="utf-8"),
            re.DOTALL | re.MULTILINE,
        )
        line = next(s for s in cell[1].splitlines() if s.strip() and not s.startswith("#"))
        assert " ".join(line.split()) in flat, f"{page.stem}: solution not printed ({line})"
    assert text.count("Answer") >= 4 * len(MODULE_PAGES), "quiz answers are printed"
    # An executed output: Module 2's first printed tensor shape.
    assert "torch.Size([" in text
