"""What readers click, checked in a real browser (Chromium driven by Playwright).

The built site is served over HTTP on 127.0.0.1, as Read the Docs serves it (search needs
HTTP). Every module page is covered automatically. Without Chromium these tests skip
locally and fail on CI (.ci/run installs it). On a failure, screenshots of the page in
light mode, dark mode and at phone size are saved to test-results/.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from chromium import CHROMIUM_FLAGS
from conftest import MODULE_PAGES, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.build]  # needs the built site

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
SHOTS = ROOT / "test-results"
IDS = [p.stem for p in MODULE_PAGES]
# An API each module teaches, for the search test: (query, module slug).
SEARCHES = [
    ("MSELoss", "introduction-to-deep-learning"),
    ("broadcast_shapes", "tensors"),
    ("gradcheck", "autograd"),
    ("ModuleList", "building-models"),
    ("CrossEntropyLoss", "loss-functions"),
    ("AdamW", "optimizers"),
]


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI must run the browser tests)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser, server):
    ctx = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, server, request):
    """A browser tab that records the site's own console errors and, if the test fails,
    leaves screenshots (light, dark, phone) in test-results/."""
    tab = context.new_page()
    tab.own_errors = []

    def on_console(message) -> None:
        url = (message.location or {}).get("url", "")
        if message.type == "error" and (not url or url.startswith(server)):
            tab.own_errors.append(f"console: {message.text} ({url})")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: tab.own_errors.append(f"page error: {error}"))
    yield tab
    _after_test(tab, request.node)
    tab.close()


def _after_test(tab, node, folder: Path = SHOTS) -> None:
    """The failure hook: screenshots of a tab whose test failed (none otherwise)."""
    report = getattr(node, "rep_call", None)
    if report is not None and report.failed and tab.url.startswith("http"):
        _screenshots(tab, node.name, folder)


def _screenshots(tab, name: str, folder: Path = SHOTS) -> None:
    folder.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", name)
    tab.screenshot(path=str(folder / f"{stem}-light.png"), full_page=True)
    tab.evaluate("document.documentElement.dataset.theme = 'dark'")
    tab.screenshot(path=str(folder / f"{stem}-dark.png"), full_page=True)
    tab.evaluate("document.documentElement.dataset.theme = 'light'")
    tab.set_viewport_size(PHONE)
    tab.screenshot(path=str(folder / f"{stem}-phone.png"), full_page=True)


@pytest.fixture(params=MODULE_PAGES, ids=IDS)
def module(request, syllabus):
    return syllabus.by_docname(f"modules/{request.param.stem}")


def open_module(page, module):
    page.goto(f"/{module.docname}.html")
    page.wait_for_load_state("load")
    return page.locator("article.bd-article")


def test_printing_a_module_prints_answers_and_solutions_without_the_site(page, tmp_path):
    """Print to PDF in Chromium: every dropdown opens (quiz answers, solutions) and the
    navigation, buttons and toggles stay off the paper. It prints at once after load, before
    course.js has laid out the sections far from the screen: printing lays them out."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        message = "pdftotext is not installed (Debian: poppler-utils)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    page.goto("/modules/07-training-loop.html")
    page.wait_for_load_state("load")
    answer = page.locator("details.quiz-answer .sd-summary-content").first.text_content()
    solution = page.locator("div.tag_solution pre").first.text_content()
    pdf = tmp_path / "module.pdf"
    # A browser's print command fires beforeprint (course.js opens the dropdowns);
    # DevTools' printToPDF does not, so the test fires it as printing would.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.pdf(path=str(pdf), format="A4")
    text = subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert " ".join(answer.split())[:80] in flat, "the first quiz answer is printed"
    first_line = next(line for line in solution.splitlines() if line.strip())
    assert " ".join(first_line.split()) in flat, "the first worked solution is printed"
    for chrome in ("Skip to main content", "Ctrl+K", "Open in Colab", "Show solution"):
        assert chrome not in flat, f"{chrome!r} is printed"


def test_banner_shows_module_number_of_26(page, module):
    banner = open_module(page, module).locator(".module-banner")
    assert f"Module {module.number} of 26" in banner.inner_text()
    assert banner.is_visible()


def test_answers_are_closed_until_clicked(page, module):
    article = open_module(page, module)
    dropdowns = article.locator("details.quiz-answer, details.inline-check")
    assert dropdowns.count() >= 6
    for i in range(dropdowns.count()):
        dropdown = dropdowns.nth(i)
        body = dropdown.locator(".sd-card-body")
        assert not body.is_visible(), f"answer {i + 1} is visible before a click"
        dropdown.locator("summary").click()
        body.wait_for(state="visible")
        assert body.inner_text().strip()


def test_solutions_are_hidden_until_opened(page, module):
    article = open_module(page, module)
    solutions = article.locator("details.hide", has_text="Show solution")
    assert solutions.count() >= 2
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        code = solution.locator("div.cell_input")
        assert not code.is_visible()
        solution.locator("summary").click()
        code.wait_for(state="visible")
        assert solution.locator("div.cell_output").is_visible(), "the solution was executed"


def test_copy_button_copies_code_without_prompts_or_output(page, module):
    article = open_module(page, module)
    cell = article.locator("div.cell").first
    code = cell.locator("div.cell_input pre").inner_text()
    cell.locator("div.cell_input").hover()
    cell.locator("div.cell_input button.copybtn").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == code.strip()
    output = cell.locator("div.cell_output").inner_text().strip()
    assert not output or output not in copied
    assert not re.search(r"^(>>> |In \[\d*\]: )", copied, re.MULTILINE)
    assert cell.locator("div.cell_output button.copybtn").count() == 0


def test_next_link_follows_the_syllabus(page, module, syllabus):
    """The theme's next button and the course's own "Next:" line both lead onward."""
    article = open_module(page, module)
    nxt = syllabus.next_module(module)
    link = page.locator("a.right-next")
    ours = article.locator("p", has_text="Next:").locator("a")
    if nxt is not None and syllabus.is_written(nxt):
        target = f"{nxt.docname.split('/')[1]}.html"
        assert link.get_attribute("href").endswith(target)
        assert ours.count() == 1
        assert ours.get_attribute("href").endswith(target), "Next: points at the next module"
        ours.click()
        page.wait_for_url(f"**/{target}")
    else:
        assert link.count() == 0 or "modules/" not in (link.get_attribute("href") or "")
        assert ours.count() == 0


def test_every_download_link_serves_its_file(page, module):
    """Full and practice notebooks (Colab and download), the script, the question link."""
    article = open_module(page, module)
    stem = module.docname.split("/")[1]
    base = page.url.rsplit("/", 1)[0] + "/"
    for kind, name in (("full", f"{stem}.ipynb"), ("practice", f"{stem}-practice.ipynb")):
        colab = article.locator(f'a.colab-link[data-kind="{kind}"]')
        assert colab.get_attribute("href").endswith(f"/{name}")
        download = article.locator(f'a.download-notebook[data-kind="{kind}"]')
        response = page.request.get(base + download.get_attribute("href"))
        assert response.ok
        notebook = response.json()
        assert notebook["nbformat"] == 4
        assert notebook["metadata"]["coursecode"]["practice"] is (kind == "practice")
    script = page.request.get(base + article.locator("a.download-script").get_attribute("href"))
    assert script.ok
    assert "# %%" in script.text()
    question = article.locator("a.question-link").get_attribute("href")
    assert "/discussions/new?" in question
    assert f"Module+{module.number}+" in question


def test_landing_page_zip_of_every_notebook(page):
    page.goto("/index.html")
    link = page.locator("a.download-all")
    response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + link.get_attribute("href"))
    assert response.ok
    assert response.body()[:2] == b"PK", "a zip archive"


def test_no_console_errors_from_the_sites_own_scripts(page, module):
    open_module(page, module)
    page.wait_for_timeout(300)
    assert page.own_errors == []


def _contrast(rgb_a: str, rgb_b: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    light, dark = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


CODE_COLOURS = """() => {
  const pre = document.querySelector("article div.cell_input div.highlight pre");
  const bg = getComputedStyle(pre.closest("div.highlight")).backgroundColor;
  const spans = [...pre.querySelectorAll("span")].map(s => getComputedStyle(s).color);
  return {bg, text: getComputedStyle(pre).color, spans};
}"""


def test_dark_mode_toggles_and_code_stays_readable(page, module):
    open_module(page, module)
    before = page.evaluate("document.documentElement.dataset.theme")
    page.locator("button.theme-switch-button").first.click()  # opens the colour-mode menu
    page.locator('button.theme-change-button[data-mode="dark"]').first.click()
    page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    assert before != "dark"
    colours = page.evaluate(CODE_COLOURS)
    assert _contrast(colours["text"], colours["bg"]) >= 4.5
    worst = min(_contrast(c, colours["bg"]) for c in colours["spans"] or [colours["text"]])
    assert worst >= 3.0, f"a syntax colour has contrast {worst:.2f} on the dark background"


def test_headings_do_not_skip_levels_and_images_have_alt_text(page, module):
    article = open_module(page, module)
    levels = [
        int(tag[1])
        for tag in article.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
            "els => els.map(e => e.tagName.toLowerCase())"
        )
    ]
    assert levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading jumps from h{before} to h{after}"
    assert article.locator("img:not([alt]), img[alt='']").count() == 0


def test_phone_width_has_no_sideways_scrolling(page, module):
    page.set_viewport_size(PHONE)
    open_module(page, module)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    # The Key concepts table fits the screen: its last column is read without scrolling.
    hidden = page.evaluate(
        """[...document.querySelectorAll("article table")].map(
             t => t.scrollWidth - t.parentElement.clientWidth)"""
    )
    assert hidden
    assert max(hidden) <= 1, f"tables wider than the phone by {hidden} px"


TAB_STOPS_MEASURED = "document.documentElement.dataset.tabStops === 'measured'"
TAB_STOPS = """[...document.querySelectorAll("pre, .cell_output > .output")].map(
  box => ({focusable: box.tabIndex === 0,
           scrolls: box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight}))"""


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE])
def test_scrollable_code_and_outputs_take_keyboard_focus_and_others_do_not(page, viewport):
    """course.js measures every box a section at a time (the theme's loop is taken out:
    coursesite/tabstops.py); each box that scrolls gets tabindex 0, every other -1."""
    page.set_viewport_size(viewport)
    page.goto("/modules/21-attention-and-transformers.html")
    page.wait_for_load_state("load")
    page.wait_for_function(TAB_STOPS_MEASURED)
    boxes = page.evaluate(TAB_STOPS)
    assert any(b["scrolls"] for b in boxes)
    assert not all(b["scrolls"] for b in boxes)
    assert all(b["focusable"] == b["scrolls"] for b in boxes), boxes


SECTION_RENDERING = """() => {
  const sections = [...document.querySelectorAll("article section section")];
  const state = (s) => getComputedStyle(s).contentVisibility;
  const now = sections.map(state);
  const nested = sections.filter((s) => s.parentElement.closest("article section section"));
  nested[0].classList.remove("laid-out");  // as it was before course.js reached it
  const before = state(nested[0]);
  nested[0].classList.add("laid-out");
  return {now, nested: nested.length, before};
}"""


def test_sections_render_when_near_while_loading_and_for_good_once_idle(page):
    """course.css renders a section or subsection only near the screen while the page
    loads; course.js then lays each one out for good, so find-in-page, anchors and axe
    meet an ordinary page (Project 1 nests its milestones a level deeper)."""
    page.goto("/projects/p1-model-from-files.html")
    page.wait_for_load_state("load")
    page.wait_for_function(TAB_STOPS_MEASURED)
    rendering = page.evaluate(SECTION_RENDERING)
    assert rendering["nested"] >= 3
    assert rendering["before"] == "auto"
    assert set(rendering["now"]) == {"visible"}, rendering["now"]


FORMULAS_AND_ICONS = """async () => {
  await document.fonts.ready;
  const fonts = [...document.fonts].filter(f => f.status === "loaded").map(f => f.family);
  const formulas = [...document.querySelectorAll("article math")]
    .filter(m => m.checkVisibility())
    .map(m => { const r = m.getBoundingClientRect();
                return {w: r.width, h: r.height, display: getComputedStyle(m).display}; });
  return {fonts, formulas};
}"""


def test_formulas_and_icons_render_without_scripts_from_elsewhere(page, syllabus):
    """Formulas are MathML laid out by the browser; icons come from the cut-down font."""
    open_module(page, syllabus.by_slug("loss-functions"))
    page.wait_for_function(TAB_STOPS_MEASURED)  # and every section laid out (course.js)
    drawn = page.evaluate(FORMULAS_AND_ICONS)
    assert any("Font Awesome" in family for family in drawn["fonts"]), drawn["fonts"]
    assert len(drawn["formulas"]) >= 20
    for formula in drawn["formulas"]:
        assert min(formula["w"], formula["h"]) > 0, formula
        assert formula["display"] in ("math", "inline math", "block math"), formula


def test_landing_page_lists_26_modules(page, syllabus):
    page.goto("/index.html")
    rows = page.locator("table.syllabus-table tbody tr").count()
    assert rows == syllabus.total + len(syllabus.projects)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE])
def test_one_search_box_on_every_screen(page, viewport):
    page.set_viewport_size(viewport)
    page.goto("/modules/05-loss-functions.html")
    page.wait_for_load_state("load")
    fields = page.locator("button.search-button-field, button.search-button__button")
    visible = [i for i in range(fields.count()) if fields.nth(i).is_visible()]
    assert len(visible) == 1, f"{len(visible)} search controls visible"
    fields.nth(visible[0]).click()
    page.locator("input[name=q]").first.wait_for(state="visible")


@pytest.mark.parametrize(("query", "slug"), SEARCHES, ids=[q for q, _ in SEARCHES])
def test_search_finds_the_module_that_teaches_an_api(page, syllabus, query, slug):
    module = syllabus.by_slug(slug)
    if not syllabus.is_written(module):
        pytest.skip(f"module {module.number} is not written yet")
    page.goto(f"/search.html?q={query}")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    hrefs = results.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any(module.docname in href for href in hrefs), hrefs


AXE_PAGES = ["index", *(f"modules/{p.stem}" for p in MODULE_PAGES)]
# Moderate findings the site accepts, each with its reason; any other one fails.
ACCEPTED_MODERATE = {
    "region": (
        "the theme puts the site title at the top of the primary sidebar outside any "
        "landmark (the navigation under it is a <nav>); fixing it means replacing the "
        "theme's sidebar template, and screen readers reach the title as the first link"
    ),
}


@pytest.mark.parametrize("screen", ["desktop", "phone"])
@pytest.mark.parametrize("docname", AXE_PAGES)
def test_no_serious_accessibility_violations(page, docname, screen, record_property):
    from axe_playwright_python.sync_playwright import Axe

    if screen == "phone":
        page.set_viewport_size(PHONE)
    page.goto(f"/{docname}.html")
    page.wait_for_load_state("load")
    page.wait_for_function(TAB_STOPS_MEASURED)  # course.js: scrollable boxes take focus
    results = Axe().run(page)
    violations = results.response["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    moderate = [f"{v['id']} ({len(v['nodes'])})" for v in violations if v["impact"] == "moderate"]
    record_property("axe_moderate", ", ".join(moderate))
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in serious]
    unlisted = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] == "moderate" and v["id"] not in ACCEPTED_MODERATE
    ]
    assert not unlisted, "fix these, or accept them in ACCEPTED_MODERATE with a reason"


@pytest.mark.parametrize("failed", [True, False])
def test_screenshots_are_saved_when_a_check_fails(context, tmp_path, failed):
    """The failure hook writes the three screenshots a contributor needs, and only when the
    test failed (a node with the report pytest_runtest_makereport leaves on it)."""
    tab = context.new_page()
    tab.goto("/index.html")
    node = SimpleNamespace(name="example[x]", rep_call=SimpleNamespace(failed=failed))
    _after_test(tab, node, tmp_path / "shots")
    shots = sorted(p.name for p in (tmp_path / "shots").glob("*.png"))
    expected = ["example_x_-dark.png", "example_x_-light.png", "example_x_-phone.png"]
    assert shots == (expected if failed else [])
