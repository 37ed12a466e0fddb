"""What readers click, checked in a real browser (Chromium driven by Playwright).

The built site is served over HTTP on 127.0.0.1, as Read the Docs serves it (search needs
HTTP). Every module page is covered automatically: it is opened once, and each of its
checks runs as a subtest of that visit (loading a page is most of a small check's cost).
Without Chromium these tests skip locally and fail on CI (.ci/run installs it). On a
failure, screenshots of the page in light mode, dark mode and at phone size are saved to
test-results/, named after the test (and the check).
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from chromium import CHROMIUM_FLAGS
from conftest import MODULE_PAGES, PROJECT_PAGES, ROOT

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
    """Light, dark and phone screenshots; the tab is left at the size and theme it had,
    so the visit's later checks go on from where they were."""
    folder.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", name)
    viewport = tab.viewport_size
    theme = tab.evaluate("document.documentElement.dataset.theme")
    tab.screenshot(path=str(folder / f"{stem}-light.png"), full_page=True)
    tab.evaluate("document.documentElement.dataset.theme = 'dark'")
    tab.screenshot(path=str(folder / f"{stem}-dark.png"), full_page=True)
    tab.evaluate("document.documentElement.dataset.theme = 'light'")
    tab.set_viewport_size(PHONE)
    tab.screenshot(path=str(folder / f"{stem}-phone.png"), full_page=True)
    tab.set_viewport_size(viewport)
    tab.evaluate("(theme) => { document.documentElement.dataset.theme = theme; }", theme)


TAB_STOPS_MEASURED = "document.documentElement.dataset.tabStops === 'measured'"


def open_page(page, docname: str):
    """Load a page and wait until course.js has measured its tab stops and laid out every
    section: from then on it is the page a reader scrolls through."""
    page.goto(f"/{docname}.html")
    page.wait_for_load_state("load")
    page.wait_for_function(TAB_STOPS_MEASURED)
    return page.locator("article.bd-article")


def resize(page, viewport: dict[str, int]) -> None:
    """Resize the tab as a reader turning a phone would, and wait for course.js to measure
    the tab stops again at the new width (it does so 300 ms after the last resize)."""
    page.evaluate("document.documentElement.dataset.tabStops = 'stale'")
    page.set_viewport_size(viewport)
    page.wait_for_function(TAB_STOPS_MEASURED)


@dataclass
class Visit:
    """One open page and what its checks need to know about it."""

    page: object  # playwright's Page
    article: object  # the article's Locator
    entry: object  # the syllabus entry (module or project)
    syllabus: object


def run_checks(subtests, visit: Visit, node, checks: list[Callable[[Visit], None]]) -> None:
    """Run ``checks`` in order, each as a subtest named after it (less ``check_``). A failed
    check leaves its screenshots at once, named after the test and the check, and the
    visit goes on."""
    for run in checks:
        name = run.__name__.removeprefix("check_")
        with subtests.test(name):
            try:
                run(visit)
            except Exception:
                _screenshots(visit.page, f"{node.name}-{name}")
                raise


# -- Accessibility (axe-core) ----------------------------------------------------------------

# Moderate findings the site accepts, each with its reason; any other one fails.
ACCEPTED_MODERATE = {
    "region": (
        "the theme puts the site title at the top of the primary sidebar outside any "
        "landmark (the navigation under it is a <nav>); fixing it means replacing the "
        "theme's sidebar template, and screen readers reach the title as the first link"
    ),
}

# Every axe rule over the whole page, in one run, except colour contrast inside code and
# outputs (div.highlight): there axe computes the background of each of thousands of
# syntax spans, most of its time on a module page, to check colours that come from one
# stylesheet. check_code_readable_in_both_themes reads every span's colour and background
# itself, in both themes, at a fraction of the cost. The rule's `selector` (axe.configure,
# public API) leaves those spans out; in one run the page's tree is built once, where two
# runs built it twice (about 0.8 s a page at each width). No CSSOM preload: only the
# css-orientation-lock rule reads it, an experimental rule axe does not run by default,
# and axe fetches the theme's `@import "../basic.css"` from the wrong folder (a 404 in
# the console that the site did not cause).
AXE_SETUP = """() => axe.configure({rules: [
  {id: "color-contrast", selector: "*:not(div.highlight *)"}]})"""
AXE_RUN = """async () => (await axe.run(document,
  {resultTypes: ["violations"], preload: {assets: ["media"]}})).violations"""


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(Axe().axe_script)
        page.evaluate(AXE_SETUP)
    return page.evaluate(AXE_RUN)


def assert_no_serious_accessibility_violations(page) -> None:
    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in serious]
    unlisted = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] == "moderate" and v["id"] not in ACCEPTED_MODERATE
    ]
    assert not unlisted, "fix these, or accept them in ACCEPTED_MODERATE with a reason"


def _contrast(rgb_a: str, rgb_b: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    light, dark = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Each distinct (text colour, background) of the text in code cells, outputs and code
# blocks, hidden ones (solutions, answers) included. A colour with alpha is composited
# over its background, as the browser draws it.
CODE_COLOURS = """() => {
  const clear = (c) => c === "transparent" || /^rgba\\(.*, 0\\)$/.test(c);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (!clear(bg)) return bg;
    }
    return getComputedStyle(document.body).backgroundColor;
  };
  const over = (fg, bg) => {
    const f = fg.match(/[\\d.]+/g).map(Number), b = bg.match(/[\\d.]+/g).map(Number);
    const a = f.length > 3 ? f[3] : 1;
    return `rgb(${[0, 1, 2].map(i => Math.round(f[i] * a + b[i] * (1 - a))).join(", ")})`;
  };
  const pairs = new Map();
  for (const pre of document.querySelectorAll("article div.highlight pre")) {
    for (const el of [pre, ...pre.querySelectorAll("span")]) {
      const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;  // only elements that draw text of their own
      const bg = background(el);
      const fg = over(getComputedStyle(el).color, bg);
      const key = `${fg}|${bg}`;
      if (!pairs.has(key)) pairs.set(key, {fg, bg, classes: el.className || "pre"});
    }
  }
  return [...pairs.values()];
}"""


def assert_code_is_readable(page, theme: str) -> None:
    """Every colour of code text reaches WCAG AA's 4.5:1 on its background."""
    pairs = page.evaluate(CODE_COLOURS)
    assert any(p["classes"] == "pre" for p in pairs), "no code on the page"
    ratios = [(p["classes"], round(_contrast(p["fg"], p["bg"]), 2)) for p in pairs]
    low = [(classes, ratio) for classes, ratio in ratios if ratio < 4.5]
    assert not low, f"code colours under 4.5:1 in {theme} mode: {low}"


def switch_theme(page, mode: str) -> None:
    page.locator("button.theme-switch-button").first.click()  # opens the colour-mode menu
    page.locator(f'button.theme-change-button[data-mode="{mode}"]').first.click()
    page.wait_for_function(f"document.documentElement.dataset.theme === '{mode}'")


# -- The checks of a module page, in the order a visit runs them ------------------------------
# Read-only checks first, on the page as it loaded; then those that click, switch the
# theme or resize; the one that follows a link away comes last.


def check_banner(v: Visit) -> None:
    banner = v.article.locator(".module-banner")
    assert f"Module {v.entry.number} of {v.syllabus.total}" in banner.inner_text()
    assert banner.is_visible()


def check_headings_and_alt_text(v: Visit) -> None:
    """Headings do not skip levels; every image has alt text."""
    levels = [
        int(tag[1])
        for tag in v.article.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
            "els => els.map(e => e.tagName.toLowerCase())"
        )
    ]
    assert levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading jumps from h{before} to h{after}"
    assert v.article.locator("img:not([alt]), img[alt='']").count() == 0


def check_downloads(v: Visit) -> None:
    """Full and practice notebooks (Colab and download), the script, the question link."""
    page, article = v.page, v.article
    stem = v.entry.docname.split("/")[1]
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
    assert f"Module+{v.entry.number}+" in question


def check_accessibility_desktop(v: Visit) -> None:
    """axe-core: no serious or critical violation, no unlisted moderate one."""
    assert_no_serious_accessibility_violations(v.page)


def check_copy_button(v: Visit) -> None:
    """The copy button copies the code, without prompts or output."""
    cell = v.article.locator("div.cell").first
    code = cell.locator("div.cell_input pre").inner_text()
    cell.locator("div.cell_input").hover()
    cell.locator("div.cell_input button.copybtn").click()
    copied = v.page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == code.strip()
    output = cell.locator("div.cell_output").inner_text().strip()
    assert not output or output not in copied
    assert not re.search(r"^(>>> |In \[\d*\]: )", copied, re.MULTILINE)
    assert cell.locator("div.cell_output button.copybtn").count() == 0


def check_answers_closed_until_clicked(v: Visit) -> None:
    dropdowns = v.article.locator("details.quiz-answer, details.inline-check")
    assert dropdowns.count() >= 6
    for i in range(dropdowns.count()):
        dropdown = dropdowns.nth(i)
        body = dropdown.locator(".sd-card-body")
        assert not body.is_visible(), f"answer {i + 1} is visible before a click"
        dropdown.locator("summary").click()
        body.wait_for(state="visible")
        assert body.inner_text().strip()


def check_solutions_hidden_until_opened(v: Visit) -> None:
    solutions = v.article.locator("details.hide", has_text="Show solution")
    assert solutions.count() >= 2
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        code = solution.locator("div.cell_input")
        assert not code.is_visible()
        solution.locator("summary").click()
        code.wait_for(state="visible")
        assert solution.locator("div.cell_output").is_visible(), "the solution was executed"


def check_code_readable_in_both_themes(v: Visit) -> None:
    """Every colour of code and outputs, hidden ones included, reaches 4.5:1 in light mode;
    the colour-mode menu switches to dark, where the same holds; then back to light."""
    assert_code_is_readable(v.page, "light")
    switch_theme(v.page, "dark")
    assert_code_is_readable(v.page, "dark")
    switch_theme(v.page, "light")


def check_phone_width(v: Visit) -> None:
    """At phone width: no sideways scrolling, the tables fit, and axe finds nothing serious
    (with the answers and solutions the visit opened)."""
    resize(v.page, PHONE)
    overflow = v.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    # The Key concepts table fits the screen: its last column is read without scrolling.
    hidden = v.page.evaluate(
        """[...document.querySelectorAll("article table")].map(
             t => t.scrollWidth - t.parentElement.clientWidth)"""
    )
    assert hidden or v.entry.kind != "module", "a module page has its Key concepts table"
    assert max(hidden, default=0) <= 1, f"tables wider than the phone by {hidden} px"
    assert_no_serious_accessibility_violations(v.page)


def check_no_console_errors(v: Visit) -> None:
    """Nothing the site's own scripts logged as an error, from load to here."""
    assert v.page.own_errors == []


def check_next_link(v: Visit) -> None:
    """The theme's next button and the course's own "Next:" line both lead onward."""
    page, syllabus = v.page, v.syllabus
    nxt = syllabus.next_module(v.entry)
    link = page.locator("a.right-next")
    ours = v.article.locator("p", has_text="Next:").locator("a")
    if nxt is not None and syllabus.is_written(nxt):
        target = f"{nxt.docname.split('/')[1]}.html"
        assert link.get_attribute("href").endswith(target)
        assert ours.count() == 1
        assert ours.get_attribute("href").endswith(target), "Next: points at the next module"
        ours.click()
        # The server's answer for the next page is enough: loading it is the next visit's.
        page.wait_for_url(f"**/{target}", wait_until="commit")
    else:
        assert link.count() == 0 or "modules/" not in (link.get_attribute("href") or "")
        assert ours.count() == 0


MODULE_CHECKS: list[Callable[[Visit], None]] = [
    check_banner,
    check_headings_and_alt_text,
    check_downloads,
    check_accessibility_desktop,
    check_copy_button,
    check_answers_closed_until_clicked,
    check_solutions_hidden_until_opened,
    check_code_readable_in_both_themes,
    check_phone_width,
    check_no_console_errors,
    check_next_link,
]


@pytest.mark.parametrize("path", MODULE_PAGES, ids=IDS)
def test_module_page(page, path, syllabus, subtests, request):
    """Every check of a module page, in one visit (see MODULE_CHECKS for the order)."""
    entry = syllabus.by_docname(f"modules/{path.stem}")
    visit = Visit(page, open_page(page, entry.docname), entry, syllabus)
    run_checks(subtests, visit, request.node, MODULE_CHECKS)


def test_landing_page(page, syllabus, subtests, request):
    """The syllabus table, the zip of every notebook, and axe at both widths."""
    article = open_page(page, "index")
    visit = Visit(page, article, None, syllabus)

    def syllabus_table(v: Visit) -> None:
        rows = v.page.locator("table.syllabus-table tbody tr").count()
        assert rows == syllabus.total + len(syllabus.projects)

    def zip_of_every_notebook(v: Visit) -> None:
        link = v.page.locator("a.download-all")
        response = v.page.request.get(
            v.page.url.rsplit("/", 1)[0] + "/" + link.get_attribute("href")
        )
        assert response.ok
        assert response.body()[:2] == b"PK", "a zip archive"

    def accessibility_phone(v: Visit) -> None:
        resize(v.page, PHONE)
        assert_no_serious_accessibility_violations(v.page)

    checks = [
        syllabus_table,
        zip_of_every_notebook,
        check_accessibility_desktop,
        accessibility_phone,
        check_no_console_errors,
    ]
    run_checks(subtests, visit, request.node, checks)


@pytest.mark.parametrize("path", PROJECT_PAGES, ids=[p.stem for p in PROJECT_PAGES])
def test_project_page(page, path, syllabus, subtests, request):
    """A project page: the checks of a module page that do not need a quiz or a banner."""
    entry = syllabus.by_docname(f"projects/{path.stem}")
    visit = Visit(page, open_page(page, entry.docname), entry, syllabus)
    checks = [
        check_headings_and_alt_text,
        check_accessibility_desktop,
        check_code_readable_in_both_themes,
        check_phone_width,
        check_no_console_errors,
    ]
    run_checks(subtests, visit, request.node, checks)


# -- Single checks of the site -----------------------------------------------------------------


def test_axe_checks_contrast_everywhere_but_inside_code(page, syllabus):
    """The one axe run still fails faint text in the prose; inside code it leaves contrast
    to check_code_readable_in_both_themes."""
    open_page(page, syllabus.by_slug("training-loop").docname)
    page.evaluate(
        """() => {
          for (const [id, where] of [["faint-prose", "article p"],
                                     ["faint-code", "article div.highlight pre"]]) {
            const span = document.createElement("span");
            Object.assign(span, {id, textContent: "faint"});
            span.style.color = "#eee";
            document.querySelector(where).append(span);
          }
        }"""
    )
    contrast = [v for v in axe_violations(page) if v["id"] == "color-contrast"]
    assert [n["target"] for v in contrast for n in v["nodes"]] == [["#faint-prose"]]


def test_printing_a_module_prints_answers_and_solutions_without_the_site(page, tmp_path):
    """Print to PDF in Chromium: every dropdown opens (quiz answers, solutions) and the
    navigation, buttons and toggles stay off the paper. It prints at once after load, before
    course.js has laid out the sections far from the screen: printing lays them out. The
    paper copy is laid out in the same task as beforeprint, as a browser's print command
    does; myst-nb's fade-in of an opened solution once printed it blank (course.css)."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        message = "pdftotext is not installed (Debian: poppler-utils)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    page.goto("/modules/07-training-loop.html")
    page.wait_for_load_state("load")
    answer = page.locator("details.quiz-answer .sd-summary-content").first.text_content()
    solution = page.locator("div.tag_solution pre").first.text_content()
    page.evaluate("window.printed = 0; addEventListener('beforeprint', () => window.printed++)")
    pdf = tmp_path / "module.pdf"
    page.pdf(path=str(pdf), format="A4")  # fires beforeprint, as printing does
    assert page.evaluate("window.printed") == 1, "course.js's beforeprint handler ran"
    text = subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert " ".join(answer.split())[:80] in flat, "the first quiz answer is printed"
    first_line = next(line for line in solution.splitlines() if line.strip())
    assert " ".join(first_line.split()) in flat, "the first worked solution is printed"
    for chrome in ("Skip to main content", "Ctrl+K", "Open in Colab", "Show solution"):
        assert chrome not in flat, f"{chrome!r} is printed"


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
    open_page(page, syllabus.by_slug("loss-functions").docname)
    drawn = page.evaluate(FORMULAS_AND_ICONS)
    assert any("Font Awesome" in family for family in drawn["fonts"]), drawn["fonts"]
    assert len(drawn["formulas"]) >= 20
    for formula in drawn["formulas"]:
        assert min(formula["w"], formula["h"]) > 0, formula
        assert formula["display"] in ("math", "inline math", "block math"), formula


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
