"""The module contract, checked: the structural parts every module page must have.

The prose contract lives in CONTRIBUTING.md; this is its executable half. ``check_page``
parses a MyST-NB page once, with the same parsers the build uses (myst-parser's
markdown-it and myst-nb's notebook reader), into a :class:`ParsedPage`, then runs a list
of small named checks over it (:data:`CHECKS`). Each problem carries the code of the
rule it breaks (:data:`RULES`) and a message naming the part, so a contributor sees
exactly what to add; the tests prove every rule can fire. The build runs it on every
module page (a problem is a warning, an error under ``-W``) and so do the tests.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import yaml
from markdown_it.token import Token
from myst_nb.core.read import MystMetadataParsingError, read_myst_markdown_notebook
from nbformat import NotebookNode
from sphinx.application import Sphinx
from sphinx.util import logging

from coursesite.glue import ROLE as GLUE_ROLE
from coursesite.glue import split_role
from coursesite.markup import parser, split_directive
from coursesite.state import course_state
from coursesite.syllabus import Entry, Syllabus

logger = logging.getLogger(__name__)

MIN_CODE_CELLS = 6
MAX_CODE_LINE = 79  # wider code scrolls sideways in the theme's column
MIN_CHECKS = 2
MIN_QUIZZES = 4
MIN_EXERCISES = 2
OBJECTIVES = (3, 5)
SUMMARY_BULLETS = (3, 6)
QUIZ_OPTIONS = (3, 4)
DOCS_URL = "https://docs.pytorch.org/"

# Level-2 sections every module has, in reading order.
SECTIONS = (
    "What you will learn",
    "Prerequisites",
    "Key concepts",
    "Run it yourself",
    "Practice quizzes",
    "Exercises",
    "Summary",
    "What's next",
)
CHECK_CLASS = "inline-check"
ANSWER_CLASS = "quiz-answer"
SOLUTION_TAGS = ("solution", "hide-cell")
NONDETERMINISTIC = "nondeterministic"
CLAIM_TAGS = ("claim", "remove-cell")  # a hidden cell asserting what the prose says
CHECK_TAG = "check"  # the cell after a solution that checks the learner's answer
MIN_CHECKED_CLAIMS = 3
MIN_CHECKED_EXERCISES = 2

_OPTION = re.compile(r"^([A-D])\.\s+\S")
_ANSWER_LETTER = re.compile(r"^\*\*([A-D])\.\*\*")
_TERM = re.compile(r"\{term\}`([^`]+)`")
_EXPLICIT = re.compile(r"<([^<>]+)>\s*$")
_GLUE_CALL = re.compile(r"""\bglue\(\s*(f?)(["'])([^"']+)\2""")


class ContractError(Exception):
    """A page cannot even be read (e.g. its front matter is not valid YAML)."""


@dataclass
class Directive:
    name: str
    argument: str
    options: dict[str, str]
    body: str
    line: int


@dataclass
class Section:
    title: str
    level: int
    line: int
    tokens: list[Token] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    def directives(self, name: str | None = None) -> list[Directive]:
        found = [d for t in self.tokens if (d := _as_directive(t))]
        for child in self.children:
            found += child.directives()
        return [d for d in found if name is None or d.name == name]

    def list_items(self) -> list[str]:
        """Text of the items of the section's own top-level bullet lists."""
        items, depth = [], 0
        for i, tok in enumerate(self.tokens):
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                depth += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
            elif tok.type == "list_item_open" and depth == 1:
                inline = next(t for t in self.tokens[i:] if t.type == "inline")
                items.append(inline.content)
        return items

    def text(self) -> str:
        return "\n".join(t.content for t in self.tokens if t.content)


def _as_directive(token: Token) -> Directive | None:
    if token.type not in ("fence", "colon_fence"):
        return None
    parts = split_directive(token.info, token.content)
    if parts is None:
        return None
    line = (token.map[0] + 1) if token.map else 0
    return Directive(*parts, line)


def _sections(tokens: list[Token]) -> Section:
    root = Section("(page)", 0, 0)
    stack = [root]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            title = tokens[i + 1].content.strip()
            while stack[-1].level >= level:
                stack.pop()
            section = Section(title, level, (tok.map[0] + 1) if tok.map else 0)
            stack[-1].children.append(section)
            stack.append(section)
            i += 3
            continue
        stack[-1].tokens.append(tok)
        i += 1
    return root


def _front_matter(text: str) -> dict[str, Any]:
    if not text.startswith("---\n"):
        raise ContractError("front matter: the page must start with a '---' YAML block")
    end = text.find("\n---", 4)
    if end < 0:
        raise ContractError("front matter: the '---' YAML block is not closed")
    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError as err:
        raise ContractError(f"front matter: not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise ContractError("front matter: must be a YAML mapping")
    return data


# Every rule a page can break, by code: what a problem's message starts with.
RULES = {
    "kernelspec": "front matter names a kernel, so the page is executed",
    "banner": "a module-banner directive above the title",
    "title": "exactly one '# Title', the syllabus title",
    "introduction": "text under the title",
    "section": "every level-2 section of the contract",
    "section-order": "the sections in the contract's order",
    "objectives": "'What you will learn' has 3-5 bullets",
    "prerequisites": "'Prerequisites' links an earlier module (from Module 2 on)",
    "figure": "a code cell draws a figure",
    "figure-caption": "each figure has a caption",
    "figure-alt": "each figure has alt text",
    "key-concepts-header": "the Key concepts table's header",
    "key-concepts-count": "at least 3 concepts",
    "key-concepts-links": "each concept links the glossary",
    "glossary": "every {term} names a glossary entry",
    "code-cells": "at least 6 code cells",
    "code-width": "code lines of at most 79 characters",
    "nondeterministic": "timing cells only in the measuring module",
    "skip-execution": "every cell runs",
    "claims-count": "at least 3 glued numbers or asserted claims",
    "claims-unknown-glue": "every pasted name is glued by a cell",
    "claims-visible-glue": "glue calls only in hidden cells",
    "claims-hidden": "claim cells are hidden",
    "claims-assert": "claim cells assert",
    "claims-message": "every claim assert has a message",
    "paragraph-length": "no paragraph over 150 words",
    "module-links": "a link 'Module N · Title' leads to Module N and gives its title",
    "tip": "at least one tip",
    "inline-checks": "at least 2 inline checks",
    "inline-check-icon": "inline check titles hold no emoji: the site draws the icon",
    "inline-check-answer": "inline checks hold an answer",
    "run-it-yourself": "the run-it-yourself links",
    "quizzes": "at least 4 quizzes",
    "quiz-answer": "each quiz has one answer dropdown",
    "quiz-options": "multiple choice has 3-4 options",
    "quiz-letter": "the answer starts with the right option's letter",
    "quizzes-multiple-choice": "most quizzes are multiple choice",
    "exercises": "at least 2 exercises",
    "exercise-solution": "each exercise has a solution cell",
    "exercise-check-order": "a check cell comes after its solution",
    "exercise-checks": "at least 2 exercises have a check cell",
    "summary": "3-6 summary bullets",
    "next-module": "a next-module directive",
    "further-reading": "a Further reading section",
    "further-reading-docs": "Further reading links the PyTorch docs",
    "exercise-difficulty": "each exercise says its difficulty, ★ to ★★★",
    "exercise-hint": "exercises from ★★ on have a hint before the solution",
    "objectives-numbered": "'What you will learn' is a numbered list",
    "notebook-hidden-names": "no visible cell needs a name only a hidden cell defines",
    "practice-solution-names": "no cell after a solution needs a name only solutions define",
    "exercise-objectives": "each exercise names the objectives it practises",
    "objectives-practised": "every objective is practised by an exercise",
    "project-section": "every level-2 section of a project page",
    "project-section-order": "a project's sections in order",
    "project-skills": "a project lists the skills it practises, each linked to its module",
    "project-rubric": "a project's rubric has at least 3 bullets",
    "project-milestones": "a project has at least 3 milestones",
    "project-milestone-solution": "each milestone has a hidden reference solution",
    "project-milestone-check": "each milestone has a check cell after its solution",
}


@dataclass(frozen=True)
class Problem:
    """One broken rule: its code (a key of :data:`RULES`) and what to do."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Cell:
    """A code cell of the page: 1-based number among code cells, and fence line."""

    number: int
    line: int
    source: str
    tags: list[str]
    metadata: dict[str, Any]


@dataclass
class ParsedPage:
    """A module page, parsed once for every check."""

    path: Path
    text: str
    meta: dict[str, Any]
    cells: list[Cell]
    top: Section  # the '# Title' section (sections are its children)
    root: Section  # the whole page
    module: Entry | None
    glossary: set[str]
    titles: dict[int, str]  # every module's syllabus title, by number

    @property
    def sections(self) -> dict[str, Section]:
        return {s.title: s for s in self.top.children if s.level == 2}

    def tagged(self, tag: str) -> list[Cell]:
        return [c for c in self.cells if tag in c.tags]


def parse_page(path: Path, syllabus: Syllabus) -> ParsedPage | list[Problem]:
    """The page parsed; or, when it has no single title, the problems that says.

    Raises:
        ContractError: when the page cannot be parsed at all.
    """
    text = path.read_text(encoding="utf-8")
    meta = _front_matter(text)
    try:
        notebook = read_myst_markdown_notebook(text, add_source_map=True)
    except MystMetadataParsingError as err:  # e.g. a code cell's options are not YAML
        raise ContractError(f"code cells: cannot be read: {err}") from None
    lines = notebook.metadata.get("source_map", [])
    cells = [
        _cell(n, lines[i], c)
        for n, (i, c) in enumerate(
            ((i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code"), 1
        )
    ]
    root = _sections(parser().parse(text))
    h1 = [s for s in root.children if s.level == 1]
    if len(h1) != 1:
        problems = [
            _problem("title", f"the page needs exactly one '# Title' heading, found {len(h1)}")
        ]
        if not root.directives("module-banner"):
            problems.insert(0, _problem("banner", _BANNER))
        return problems
    return ParsedPage(
        path=path,
        text=text,
        meta=meta,
        cells=cells,
        top=h1[0],
        root=root,
        module=syllabus.by_docname(f"{path.parent.name}/{path.stem}"),
        glossary=glossary_terms(path.parent.parent / "glossary.md"),
        titles={m.number: m.title for m in syllabus.modules},
    )


def _cell(number: int, line: int, cell: NotebookNode) -> Cell:
    return Cell(number, line, cell.source, list(cell.metadata.get("tags", [])), cell.metadata)


def _problem(code: str, message: str) -> Problem:
    if code not in RULES:  # a typo in this module, caught by its tests
        raise KeyError(f"unknown contract rule {code!r}")
    return Problem(code, message)


Check = Callable[[ParsedPage], Iterator[Problem]]
CHECKS: list[Check] = []  # for module pages
PROJECT_CHECKS: list[Check] = []  # for project pages
BOTH = ("module", "project")


@overload
def check(function: Check, *, kinds: tuple[str, ...] = ...) -> Check: ...
@overload
def check(function: None = None, *, kinds: tuple[str, ...] = ...) -> Callable[[Check], Check]: ...
def check(
    function: Check | None = None, *, kinds: tuple[str, ...] = ("module",)
) -> Check | Callable[[Check], Check]:
    """Register a check for module pages (or for the ``kinds`` named), in reading order."""

    def register(f: Check) -> Check:
        if "module" in kinds:
            CHECKS.append(f)
        if "project" in kinds:
            PROJECT_CHECKS.append(f)
        return f

    return register(function) if function is not None else register


def check_page(path: Path, syllabus: Syllabus) -> list[Problem]:
    """Every contract problem of the module page at ``path`` (empty when it passes).

    Raises:
        ContractError: when the page cannot be parsed at all.
    """
    page = parse_page(path, syllabus)
    if isinstance(page, list):
        return page
    checks = PROJECT_CHECKS if page.module and page.module.kind == "project" else CHECKS
    return [problem for run in checks for problem in run(page)]


_BANNER = "banner: add a ':::{module-banner}' directive above the title"


@check(kinds=BOTH)
def front_matter(page: ParsedPage) -> Iterator[Problem]:
    spec = page.meta.get("kernelspec")
    if not (isinstance(spec, dict) and spec.get("name")):
        yield _problem(
            "kernelspec",
            "front matter: needs a kernelspec (name: python3) so the page is executed",
        )


@check(kinds=BOTH)
def banner_and_title(page: ParsedPage) -> Iterator[Problem]:
    if not page.root.directives("module-banner"):
        yield _problem("banner", _BANNER)
    if page.module is not None and page.top.title != page.module.title:
        yield _problem(
            "title",
            f"title: '# {page.top.title}' differs from syllabus.toml's title '{page.module.title}'",
        )
    if not page.top.text().strip():
        yield _problem("introduction", "introduction: write an introduction under the title")


@check
def sections(page: ParsedPage) -> Iterator[Problem]:
    found = page.sections
    for name in SECTIONS:
        if name not in found:
            yield _problem("section", f"section: missing '## {name}'")
    order = [s.title for s in page.top.children if s.level == 2 and s.title in SECTIONS]
    if order != [s for s in SECTIONS if s in order]:
        yield _problem(
            "section-order", f"sections: expected in the order {list(SECTIONS)}, found {order}"
        )


@check
def objectives_and_prerequisites(page: ParsedPage) -> Iterator[Problem]:
    if objectives := page.sections.get("What you will learn"):
        n, (lo, hi) = len(objectives.list_items()), OBJECTIVES
        if not lo <= n <= hi:
            yield _problem(
                "objectives", f"objectives: 'What you will learn' needs {lo}-{hi} bullets, has {n}"
            )
    prereq = page.sections.get("Prerequisites")
    if prereq and page.module and page.module.number > 1 and "{doc}" not in prereq.text():
        yield _problem(
            "prerequisites", "prerequisites: link at least one earlier module with {doc}"
        )


@check
def figures(page: ParsedPage) -> Iterator[Problem]:
    drawn = [c for c in page.cells if c.metadata.get("mystnb", {}).get("figure")]
    if not drawn:
        yield _problem("figure", "figure: no code cell with mystnb.figure (caption) metadata")
    for cell in drawn:
        mystnb = cell.metadata["mystnb"]
        if not str(mystnb["figure"].get("caption", "")).strip():
            yield _problem("figure-caption", f"figure: code cell {cell.number} has no caption")
        if len(str(mystnb.get("image", {}).get("alt", "")).strip()) < 20:
            yield _problem(
                "figure-alt",
                f"figure: code cell {cell.number} needs mystnb.image.alt describing it",
            )


@check
def key_concepts(page: ParsedPage) -> Iterator[Problem]:
    if concepts := page.sections.get("Key concepts"):
        rows = _table_cells(concepts.tokens)
        header = [h.strip() for h in rows[:3]] if rows else []
        if header != ["Concept", "Definition", "Role"]:
            yield _problem(
                "key-concepts-header",
                "key concepts: the table's header must be Concept | Definition | Role",
            )
        concept_cells = rows[3::3]
        if len(concept_cells) < 3:
            yield _problem(
                "key-concepts-count", "key concepts: the table needs at least 3 concepts"
            )
        unlinked = [c for c in concept_cells if "{term}" not in c]
        if unlinked:
            yield _problem(
                "key-concepts-links",
                f"key concepts: link each concept to the glossary with {{term}}: {unlinked}",
            )


@check(kinds=BOTH)
def glossary_links(page: ParsedPage) -> Iterator[Problem]:
    if page.glossary:
        missing = sorted({t for t in _TERM.findall(page.text) if _target(t) not in page.glossary})
        if missing:
            yield _problem("glossary", f"glossary: no entry in glossary.md for {{term}} {missing}")


@check(kinds=BOTH)
def code(page: ParsedPage) -> Iterator[Problem]:
    if len(page.cells) < MIN_CODE_CELLS:
        yield _problem(
            "code-cells",
            f"code: needs at least {MIN_CODE_CELLS} code cells, has {len(page.cells)}",
        )
    wide = [
        f"cell {c.number} line {k}"
        for c in page.cells
        for k, code_line in enumerate(c.source.splitlines(), 1)
        if len(code_line) > MAX_CODE_LINE
    ]
    if wide:
        yield _problem(
            "code-width",
            f"code: lines longer than {MAX_CODE_LINE} characters scroll sideways: {wide}",
        )
    measured = [c.number for c in page.tagged(NONDETERMINISTIC)]
    if measured and not (page.module is not None and page.module.measures):
        yield _problem(
            "nondeterministic",
            f"code: cells {measured} are tagged {NONDETERMINISTIC}, which only a module marked "
            "'measures = true' in syllabus.toml may use (for timings); seed the randomness "
            "instead",
        )
    if skipped := [c.number for c in page.tagged("skip-execution")]:
        yield _problem(
            "skip-execution",
            f"code: every cell must run; cells {skipped} are tagged skip-execution",
        )


@check(kinds=BOTH)
def checked_claims(page: ParsedPage) -> Iterator[Problem]:
    """Numbers glued from outputs, and hidden cells asserting results."""
    # glue("name", ...) or glue(f"acc_{seed}", ...): a pattern per call
    glued = [
        re.compile(re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(m[3])) if m[1] else re.escape(m[3]))
        for c in page.cells
        for m in _GLUE_CALL.finditer(c.source)
    ]
    quoted = [split_role(m)[0] for m in GLUE_ROLE.findall(_outside_code_cells(page.text))]
    unknown = sorted({k for k in quoted if not any(p.fullmatch(k) for p in glued)})
    if unknown:
        yield _problem(
            "claims-unknown-glue",
            f"checked claims: the prose pastes {unknown} but no code cell calls glue() with "
            "that name",
        )
    asserts = 0
    for cell in page.cells:
        hidden = "remove-cell" in cell.tags
        if not hidden and ("myst_nb" in cell.source or _GLUE_CALL.search(cell.source)):
            yield _problem(
                "claims-visible-glue",
                f"checked claims: code cell {cell.number} calls glue() where readers see it; "
                "glue in a hidden cell tagged [remove-cell] (notebooks run where myst_nb is "
                "absent)",
            )
        if CLAIM_TAGS[0] not in cell.tags:
            continue
        if not hidden:
            yield _problem(
                "claims-hidden",
                f"checked claims: code cell {cell.number} is tagged {CLAIM_TAGS[0]} but not "
                f"{CLAIM_TAGS[1]}; a claim check is hidden from readers",
            )
        try:
            statements = [n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Assert)]
        except SyntaxError:
            continue  # the build reports it when the cell runs
        if not statements:
            yield _problem(
                "claims-assert",
                f"checked claims: code cell {cell.number} is a claim cell with no assert",
            )
        if bare := [n.lineno for n in statements if n.msg is None]:
            yield _problem(
                "claims-message",
                f"checked claims: code cell {cell.number}: every assert needs a message "
                f"quoting the claim and the measured values (lines {bare} of the cell have "
                "none)",
            )
        asserts += len(statements)
    if len(quoted) + asserts < MIN_CHECKED_CLAIMS:
        yield _problem(
            "claims-count",
            f"checked claims: needs at least {MIN_CHECKED_CLAIMS} numbers pasted with "
            f"{{glue:text}} or claims asserted in hidden cells tagged {list(CLAIM_TAGS)}; "
            f"has {len(quoted)} glued and {asserts} asserted",
        )


MAX_PARAGRAPH_WORDS = 150
_MODULE_LINK = re.compile(
    r"\{doc\}`Module (\d+)\b(?: · )?([^`<]*)<(?:\.\./modules/|/modules/)?(\d\d)-"
)


@check(kinds=BOTH)
def prose(page: ParsedPage) -> Iterator[Problem]:
    """Paragraphs short enough to read on a screen; module links that say where they go."""
    for token in parser().parse(_outside_code_cells(page.text)):
        if token.type == "inline" and token.level == 1:
            words = len(token.content.split())
            if words > MAX_PARAGRAPH_WORDS:
                start = " ".join(token.content.split()[:8])
                yield _problem(
                    "paragraph-length",
                    f"prose: a paragraph of {words} words ('{start} …') is hard to read on "
                    f"screen; split it (at most {MAX_PARAGRAPH_WORDS})",
                )
    for said, title, target in _MODULE_LINK.findall(page.text):
        if int(said) != int(target):
            yield _problem(
                "module-links",
                f"prose: a link says 'Module {said}' but leads to module {int(target)}'s page",
            )
        elif (title := " ".join(title.split())) and title != page.titles.get(int(said), title):
            yield _problem(
                "module-links",
                f"prose: a link calls Module {said} '{title}'; its title is "
                f"'{page.titles[int(said)]}'",
            )


# Pictographs, dingbats and technical symbols (❓ U+2753, ⏱ U+23F1), which a reader's
# browser draws from an emoji font, if it has one. The difficulty stars (★ ☆) and the
# checks' marks (✓ ✗) are in ordinary text fonts and stay allowed.
EMOJI = re.compile(
    "[\u2300-\u23ff\u2600-\u2604\u2607-\u2712\u2714-\u2716\u2718-\u27bf"
    "\u2b00-\u2bff\U0001f000-\U0001faff]"
)


@check
def tips_and_inline_checks(page: ParsedPage) -> Iterator[Problem]:
    if not page.top.directives("tip"):
        yield _problem("tip", "tip: add at least one ':::{tip}' admonition")
    checks = [
        d
        for d in page.top.directives("dropdown")
        if CHECK_CLASS in d.options.get("class-container", "")
    ]
    if len(checks) < MIN_CHECKS:
        yield _problem(
            "inline-checks",
            f"inline checks: needs at least {MIN_CHECKS} dropdowns with "
            f":class-container: {CHECK_CLASS}, has {len(checks)}",
        )
    for d in checks:
        if emoji := EMOJI.search(d.argument):
            yield _problem(
                "inline-check-icon",
                f"inline check (line {d.line}): remove the {emoji[0]} from its title; the "
                "site draws a question icon there (an emoji shows as a box without an "
                "emoji font)",
            )
        if not d.body:
            yield _problem(
                "inline-check-answer",
                f"inline check (line {d.line}) '{d.argument}': has no answer",
            )


@check(kinds=BOTH)
def run_it_yourself(page: ParsedPage) -> Iterator[Problem]:
    run = page.sections.get("Run it yourself")
    if run and not run.directives("run-it-yourself"):
        yield _problem(
            "run-it-yourself",
            "run it yourself: add a ':::{run-it-yourself}' directive (Colab and download links)",
        )


@check
def quizzes(page: ParsedPage) -> Iterator[Problem]:
    section = page.sections.get("Practice quizzes")
    if section is None:
        return
    subs = [s for s in section.children if s.level == 3]
    if len(subs) < MIN_QUIZZES:
        yield _problem(
            "quizzes",
            f"quizzes: needs at least {MIN_QUIZZES} '### Quiz' sections, has {len(subs)}",
        )
    multiple_choice = 0
    for quiz in subs:
        answers = [
            d
            for d in quiz.directives("dropdown")
            if ANSWER_CLASS in d.options.get("class-container", "")
        ]
        if len(answers) != 1 or not answers[0].body:
            yield _problem(
                "quiz-answer",
                f"quiz '{quiz.title}': needs one dropdown with "
                f":class-container: {ANSWER_CLASS} holding its answer",
            )
            continue
        options = [item for item in quiz.list_items() if _OPTION.match(item)]
        if not options:
            continue  # short answer: its dropdown holds a model answer
        multiple_choice += 1
        letters = [item[0] for item in options]
        lo, hi = QUIZ_OPTIONS
        if not lo <= len(options) <= hi:
            yield _problem(
                "quiz-options",
                f"quiz '{quiz.title}': multiple choice needs {lo}-{hi} options, has {len(options)}",
            )
        marked = _ANSWER_LETTER.match(answers[0].body)
        if not (marked and marked[1] in letters):
            yield _problem(
                "quiz-letter",
                f"quiz '{quiz.title}': the answer must start with the correct option in bold, "
                f"e.g. '**B.**', naming one of {letters}",
            )
    if multiple_choice * 2 <= len(subs):
        yield _problem(
            "quizzes-multiple-choice",
            f"quizzes: most quizzes must be multiple choice, {multiple_choice} of {len(subs)} are",
        )


@check
def exercises(page: ParsedPage) -> Iterator[Problem]:
    """Exercises with executed, hidden solutions and check cells (matched by line)."""
    section = page.sections.get("Exercises")
    if section is None:
        return
    subs = [s for s in section.children if s.level == 3]
    if len(subs) < MIN_EXERCISES:
        yield _problem(
            "exercises",
            f"exercises: needs at least {MIN_EXERCISES} '### Exercise' sections, has {len(subs)}",
        )
    solutions = [c.line for c in page.cells if set(SOLUTION_TAGS) <= set(c.tags)]
    checks = [c.line for c in page.tagged(CHECK_TAG)]
    bounds = [s.line for s in subs] + [_next_line(page.top, section)]
    checked = 0
    practised: set[int] = set()
    for k, exercise in enumerate(subs):
        inside = [ln for ln in solutions if bounds[k] < ln < bounds[k + 1]]
        if not inside:
            yield _problem(
                "exercise-solution",
                f"exercise '{exercise.title}': needs a solution code cell tagged "
                f"{list(SOLUTION_TAGS)}",
            )
        here = [ln for ln in checks if bounds[k] < ln < bounds[k + 1]]
        if here and inside and min(here) < min(inside):
            yield _problem(
                "exercise-check-order",
                f"exercise '{exercise.title}': its check cell must come after the solution "
                "cell it checks",
            )
        checked += bool(here and inside)
        yield from _difficulty_and_hint(page, exercise, inside)
        yield from _objectives_named(page, exercise, practised)
    yield from _objectives_practised(page, practised)
    if checked < MIN_CHECKED_EXERCISES:
        yield _problem(
            "exercise-checks",
            f"exercises: at least {MIN_CHECKED_EXERCISES} exercises need a check cell "
            f"(tagged [{CHECK_TAG}], after the solution, calling coursecode.checks), "
            f"{checked} have one",
        )


_DIFFICULTY = re.compile(r"Difficulty: (★{1,3})(?!★)")


def _difficulty_and_hint(
    page: ParsedPage, exercise: Section, solutions: list[int]
) -> Iterator[Problem]:
    """An exercise says its difficulty; from ★★ on, a collapsed hint comes before the
    solution."""
    label = _DIFFICULTY.search(exercise.text())
    if label is None:
        yield _problem(
            "exercise-difficulty",
            f"exercise '{exercise.title}': say its difficulty in its text: 'Difficulty: ★' "
            "(a short step), '★★' (several steps) or '★★★' (a small project)",
        )
        return
    if len(label[1]) >= 2:
        hints = [d for d in exercise.directives("dropdown") if d.argument.startswith("Hint")]
        if not hints or (solutions and min(d.line for d in hints) > min(solutions)):
            yield _problem(
                "exercise-hint",
                f"exercise '{exercise.title}' ({label[1]}): add a ':::{{dropdown}} Hint' "
                "before its solution",
            )


def _cell_names(source: str) -> tuple[set[str], set[str]]:
    """Names a cell binds (anywhere in it: an over-estimate) and names it reads."""
    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set(), set()  # the build reports it when the cell runs
    bound: set[str] = set()
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound, used


def _left_out_names(
    cells: list[Cell], left_out: Callable[[Cell], bool]
) -> Iterator[tuple[Cell, str, Cell]]:
    """(cell, name, defining cell) for each kept cell that reads a name which, before it,
    only cells that are left out bind."""
    kept_bound: set[str] = set(dir(builtins))
    left_bound: dict[str, Cell] = {}
    for cell in cells:
        bound, used = _cell_names(cell.source)
        if left_out(cell):
            for name in bound - kept_bound:
                left_bound.setdefault(name, cell)
            continue
        kept_bound |= bound
        for name in sorted(used - kept_bound):
            if name in left_bound:
                yield cell, name, left_bound[name]


@check
def notebook_names(page: ParsedPage) -> Iterator[Problem]:
    """The notebooks leave out hidden cells, and the practice notebook also the solutions:
    a cell that reads a name only those define would fail there (NameError)."""

    def hidden(cell: Cell) -> bool:
        return "remove-cell" in cell.tags

    def hidden_or_solution(cell: Cell) -> bool:
        return hidden(cell) or set(SOLUTION_TAGS) <= set(cell.tags)

    for cell, name, source in _left_out_names(page.cells, hidden):
        yield _problem(
            "notebook-hidden-names",
            f"code cell {cell.number} (line {cell.line}) reads '{name}', which only hidden "
            f"cell {source.number} defines: the notebooks leave hidden cells out; define it "
            "in a visible cell",
        )
    for cell, name, source in _left_out_names(page.cells, hidden_or_solution):
        if set(SOLUTION_TAGS) <= set(source.tags):
            yield _problem(
                "practice-solution-names",
                f"code cell {cell.number} (line {cell.line}) reads '{name}', which only the "
                f"solution in cell {source.number} defines: the practice notebook leaves it "
                "empty; make the later cell define what it needs",
            )


_PRACTISES = re.compile(r"Practises objectives? (\d+(?:(?:, | and |, and )\d+)*)")


def _objective_count(page: ParsedPage) -> int:
    objectives = page.sections.get("What you will learn")
    return len(objectives.list_items()) if objectives else 0


def _objectives_named(
    page: ParsedPage, exercise: Section, practised: set[int]
) -> Iterator[Problem]:
    """An exercise says which of "What you will learn" it practises, by number."""
    named = _PRACTISES.search(exercise.text())
    if named is None:
        yield _problem(
            "exercise-objectives",
            f"exercise '{exercise.title}': name the objectives it practises after its "
            "difficulty: '*Difficulty: ★★ · Practises objectives 2 and 4*'",
        )
        return
    numbers = {int(n) for n in re.findall(r"\d+", named[1])}
    count = _objective_count(page)
    if wrong := sorted(n for n in numbers if not 1 <= n <= count):
        yield _problem(
            "exercise-objectives",
            f"exercise '{exercise.title}': objectives {wrong} do not exist; "
            f"'What you will learn' has {count}",
        )
    practised |= numbers


def _objectives_practised(page: ParsedPage, practised: set[int]) -> Iterator[Problem]:
    """Every objective is one the learner writes code for in some exercise."""
    objectives = page.sections.get("What you will learn")
    if objectives is None:
        return
    if not any(tok.type == "ordered_list_open" for tok in objectives.tokens):
        yield _problem(
            "objectives-numbered",
            "objectives: number 'What you will learn' (1. 2. 3.) so exercises can name them",
        )
    if missing := sorted(set(range(1, _objective_count(page) + 1)) - practised):
        yield _problem(
            "objectives-practised",
            f"objectives {missing}: no exercise practises them; add or extend one where the "
            "learner writes that code",
        )


@check
def summary_and_next(page: ParsedPage) -> Iterator[Problem]:
    if summary := page.sections.get("Summary"):
        n, (lo, hi) = len(summary.list_items()), SUMMARY_BULLETS
        if not lo <= n <= hi:
            yield _problem("summary", f"summary: needs {lo}-{hi} bullets, has {n}")
    nxt = page.sections.get("What's next")
    if nxt is None:
        return
    if not nxt.directives("next-module"):
        yield _problem("next-module", "what's next: add a ':::{next-module}' directive")
    reading = [s for s in nxt.children if s.title == "Further reading"]
    if not reading:
        yield _problem(
            "further-reading", "further reading: add '### Further reading' under '## What's next'"
        )
    elif DOCS_URL not in reading[0].text():
        yield _problem(
            "further-reading-docs",
            f"further reading: link the PyTorch documentation ({DOCS_URL}...)",
        )


PROJECT_SECTIONS = (
    "The brief",
    "What you will practise",
    "Milestones",
    "Rubric",
    "Run it yourself",
    "What's next",
)
MIN_MILESTONES = 3


@check(kinds=("project",))
def project_sections(page: ParsedPage) -> Iterator[Problem]:
    found = page.sections
    for name in PROJECT_SECTIONS:
        if name not in found:
            yield _problem("project-section", f"project: missing '## {name}'")
    order = [s.title for s in page.top.children if s.level == 2 and s.title in PROJECT_SECTIONS]
    if order != [s for s in PROJECT_SECTIONS if s in order]:
        yield _problem(
            "project-section-order",
            f"project: sections expected in the order {list(PROJECT_SECTIONS)}, found {order}",
        )
    skills = found.get("What you will practise")
    if skills is not None and (
        len(skills.list_items()) < 3 or not all("{doc}" in i for i in skills.list_items())
    ):
        yield _problem(
            "project-skills",
            "project: 'What you will practise' needs at least 3 bullets, each linking the "
            "module that teaches the skill with {doc}",
        )
    rubric = found.get("Rubric")
    if rubric is not None and len(rubric.list_items()) < 3:
        yield _problem(
            "project-rubric", "project: the rubric needs at least 3 bullets ('done when ...')"
        )
    nxt = found.get("What's next")
    if nxt is not None and not nxt.directives("next-module"):
        yield _problem("next-module", "what's next: add a ':::{next-module}' directive")


@check(kinds=("project",))
def milestones(page: ParsedPage) -> Iterator[Problem]:
    """Each milestone: a hidden, executed reference solution, then a check cell."""
    section = page.sections.get("Milestones")
    if section is None:
        return
    subs = [s for s in section.children if s.level == 3]
    if len(subs) < MIN_MILESTONES:
        yield _problem(
            "project-milestones",
            f"project: needs at least {MIN_MILESTONES} '### Milestone' sections, has {len(subs)}",
        )
    solutions = [c.line for c in page.cells if set(SOLUTION_TAGS) <= set(c.tags)]
    checks = [c.line for c in page.tagged(CHECK_TAG)]
    bounds = [s.line for s in subs] + [_next_line(page.top, section)]
    for k, milestone in enumerate(subs):
        inside = [ln for ln in solutions if bounds[k] < ln < bounds[k + 1]]
        here = [ln for ln in checks if bounds[k] < ln < bounds[k + 1]]
        if not inside:
            yield _problem(
                "project-milestone-solution",
                f"milestone '{milestone.title}': needs a reference solution cell tagged "
                f"{list(SOLUTION_TAGS)}",
            )
        elif not here or max(here) < min(inside):
            yield _problem(
                "project-milestone-check",
                f"milestone '{milestone.title}': needs a check cell (tagged [{CHECK_TAG}]) "
                "after its solution",
            )


def _outside_code_cells(text: str) -> str:
    """The page without its ```{code-cell}``` blocks (where glue roles are prose)."""
    return re.sub(r"^```\{code-cell\}.*?^```\s*$", "", text, flags=re.MULTILINE | re.DOTALL)


def claim_counts(path: Path) -> tuple[int, int]:
    """(glued numbers in the prose, asserted claims) of a page, for reports."""
    text = path.read_text(encoding="utf-8")
    cells = [c for c in read_myst_markdown_notebook(text).cells if c.cell_type == "code"]
    glued = len(GLUE_ROLE.findall(_outside_code_cells(text)))
    asserted = sum(
        isinstance(n, ast.Assert)
        for c in cells
        if CLAIM_TAGS[0] in c.metadata.get("tags", [])
        for n in ast.walk(ast.parse(c.source))
    )
    return glued, asserted


def _target(role_content: str) -> str:
    """The glossary term a {term} role points at (`text <Term>` or `Term`)."""
    explicit = _EXPLICIT.search(role_content)
    return " ".join((explicit[1] if explicit else role_content).split()).lower()


def glossary_terms(path: Path) -> set[str]:
    """Lower-cased terms defined in the glossary page's ```{glossary}``` block."""
    if not path.is_file():
        return set()
    terms: set[str] = set()
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```{glossary}"):
            inside = True
        elif inside and line.startswith("```"):
            break
        elif inside and line.strip() and not line.startswith((" ", ":")):
            terms.add(" ".join(line.split()).lower())
    return terms


def _table_cells(tokens: list[Token]) -> list[str]:
    """Text of every cell of the first table in ``tokens``, header first, row by row."""
    cells, inside = [], False
    for tok in tokens:
        if tok.type == "table_open":
            inside = True
        elif tok.type == "table_close":
            break
        elif inside and tok.type == "inline":
            cells.append(tok.content.strip())
    return cells


def _next_line(top: Section, section: Section) -> int:
    """First line after ``section`` (the next level-2 heading, or the end of the page)."""
    later = [s.line for s in top.children if s.line > section.line]
    return min(later) if later else 10**9


def check_on_read(app: Sphinx, docname: str, source: list[str]) -> None:
    """Warn (an error under -W) for every part of the module contract a page lacks."""
    syllabus = course_state(app.config).syllabus
    if syllabus.by_docname(docname) is None:
        return
    path = Path(app.env.doc2path(docname))
    try:
        problems = [str(problem) for problem in check_page(path, syllabus)]
    except ContractError as err:
        problems = [str(err)]
    for problem in problems:
        logger.warning(
            "module contract: %s", problem, location=docname, type="course", subtype="contract"
        )


def setup(app: Sphinx) -> None:
    app.connect("source-read", check_on_read)
