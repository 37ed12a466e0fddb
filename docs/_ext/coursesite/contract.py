"""The module contract, checked: the structural parts every module page must have.

The prose contract lives in CONTRIBUTING.md; this is its executable half. ``check_page``
parses a MyST-NB page with the same parsers the build uses (myst-parser's markdown-it
and myst-nb's notebook reader) and returns one message per missing or malformed part,
each naming the part, so a contributor sees exactly what to add. The build runs it on
every module page (a problem is a warning, an error under ``-W``) and so do the tests.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it.token import Token
from myst_nb.core.read import MystMetadataParsingError, read_myst_markdown_notebook

from coursesite.glue import ROLE as GLUE_ROLE
from coursesite.glue import split_role
from coursesite.markup import parser, split_directive
from coursesite.syllabus import Syllabus

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


def _front_matter(text: str) -> dict:
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


def check_page(path: Path, syllabus: Syllabus) -> list[str]:
    """Every contract problem of the module page at ``path`` (empty when it passes).

    Raises:
        ContractError: when the page cannot be parsed at all.
    """
    text = path.read_text(encoding="utf-8")
    problems: list[str] = []

    def need(ok: object, message: str) -> None:
        if not ok:
            problems.append(message)

    meta = _front_matter(text)
    need(
        isinstance(meta.get("kernelspec"), dict) and meta["kernelspec"].get("name"),
        "front matter: needs a kernelspec (name: python3) so the page is executed",
    )
    try:
        notebook = read_myst_markdown_notebook(text)
    except MystMetadataParsingError as err:  # e.g. a code cell's options are not YAML
        raise ContractError(f"code cells: cannot be read: {err}") from None
    cells = [c for c in notebook.cells if c.cell_type == "code"]

    tokens = parser().parse(text)
    page = _sections(tokens)
    module = syllabus.by_docname(f"modules/{path.stem}")
    h1 = [s for s in page.children if s.level == 1]

    # 1. Banner, before the title; 2. the title.
    banner_first = bool(page.directives("module-banner"))
    need(banner_first, "banner: add a ':::{module-banner}' directive above the title")
    need(len(h1) == 1, f"title: the page needs exactly one '# Title' heading, found {len(h1)}")
    if len(h1) != 1:
        return problems
    top = h1[0]
    if module is not None:
        need(
            top.title == module.title,
            f"title: '# {top.title}' differs from syllabus.toml's title '{module.title}'",
        )
    need(top.text().strip(), "introduction: write an introduction under the title")

    sections = {s.title: s for s in top.children if s.level == 2}
    order = [s.title for s in top.children if s.level == 2 and s.title in SECTIONS]
    for name in SECTIONS:
        need(name in sections, f"section: missing '## {name}'")
    need(
        order == [s for s in SECTIONS if s in order],
        f"sections: expected in the order {list(SECTIONS)}, found {order}",
    )

    # 3. Objectives and prerequisites.
    if objectives := sections.get("What you will learn"):
        n, (lo, hi) = len(objectives.list_items()), OBJECTIVES
        need(lo <= n <= hi, f"objectives: 'What you will learn' needs {lo}-{hi} bullets, has {n}")
    if (prereq := sections.get("Prerequisites")) and module and module.number > 1:
        need(
            "{doc}" in prereq.text(),
            "prerequisites: link at least one earlier module with {doc}",
        )

    # 4. A figure drawn by code, with caption and alt text.
    figures = [c for c in cells if c.metadata.get("mystnb", {}).get("figure")]
    need(figures, "figure: no code cell with mystnb.figure (caption) metadata")
    for cell in figures:
        mystnb = cell.metadata["mystnb"]
        need(
            str(mystnb["figure"].get("caption", "")).strip(),
            "figure: a figure cell has no caption",
        )
        alt = str(mystnb.get("image", {}).get("alt", "")).strip()
        need(len(alt) >= 20, "figure: a figure cell needs mystnb.image.alt describing it")

    # 5. Key concepts table linked to the glossary.
    if concepts := sections.get("Key concepts"):
        rows = _table_cells(concepts.tokens)
        header = [h.strip() for h in rows[:3]] if rows else []
        need(
            header == ["Concept", "Definition", "Role"],
            "key concepts: the table's header must be Concept | Definition | Role",
        )
        concept_cells = rows[3::3]
        need(len(concept_cells) >= 3, "key concepts: the table needs at least 3 concepts")
        unlinked = [c for c in concept_cells if "{term}" not in c]
        need(
            not unlinked,
            f"key concepts: link each concept to the glossary with {{term}}: {unlinked}",
        )

    # Every {term} must name an entry of the glossary (the build would fail on it).
    glossary = glossary_terms(path.parent.parent / "glossary.md")
    if glossary:
        missing = sorted({t for t in _TERM.findall(text) if _target(t) not in glossary})
        need(not missing, f"glossary: no entry in glossary.md for {{term}} {missing}")

    # 6. Executed code.
    need(
        len(cells) >= MIN_CODE_CELLS,
        f"code: needs at least {MIN_CODE_CELLS} code cells, has {len(cells)}",
    )
    wide = [
        f"cell {i} line {k}"
        for i, c in enumerate(cells, 1)
        for k, code_line in enumerate(c.source.splitlines(), 1)
        if len(code_line) > MAX_CODE_LINE
    ]
    need(not wide, f"code: lines longer than {MAX_CODE_LINE} characters scroll sideways: {wide}")
    measured = [i for i, c in enumerate(cells, 1) if NONDETERMINISTIC in c.metadata.get("tags", [])]
    need(
        not measured or (module is not None and module.measures),
        f"code: cells {measured} are tagged {NONDETERMINISTIC}, which only a module marked "
        "'measures = true' in syllabus.toml may use (for timings); seed the randomness instead",
    )
    skipped = [i for i, c in enumerate(cells, 1) if "skip-execution" in c.metadata.get("tags", [])]
    need(not skipped, f"code: every cell must run; cells {skipped} are tagged skip-execution")

    problems += _check_claims(text, cells)

    # 7. Tips.
    need(top.directives("tip"), "tip: add at least one ':::{tip}' admonition")

    # 8. Inline checks.
    dropdowns = top.directives("dropdown")
    checks = [d for d in dropdowns if CHECK_CLASS in d.options.get("class-container", "")]
    need(
        len(checks) >= MIN_CHECKS,
        f"inline checks: needs at least {MIN_CHECKS} dropdowns with "
        f":class-container: {CHECK_CLASS}, has {len(checks)}",
    )
    for check in checks:
        need(
            check.argument.startswith("❓"),
            f"inline check (line {check.line}): title must start with ❓",
        )
        need(check.body, f"inline check (line {check.line}) '{check.argument}': has no answer")

    # 9. Run it yourself: Colab and download links.
    if run := sections.get("Run it yourself"):
        need(
            run.directives("run-it-yourself"),
            "run it yourself: add a ':::{run-it-yourself}' directive (Colab and download links)",
        )

    # 10. Practice quizzes.
    if quizzes := sections.get("Practice quizzes"):
        subs = [s for s in quizzes.children if s.level == 3]
        need(
            len(subs) >= MIN_QUIZZES,
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
                problems.append(
                    f"quiz '{quiz.title}': needs one dropdown with "
                    f":class-container: {ANSWER_CLASS} holding its answer"
                )
                continue
            options = [item for item in quiz.list_items() if _OPTION.match(item)]
            if not options:
                continue  # short answer: its dropdown holds a model answer
            multiple_choice += 1
            letters = [item[0] for item in options]
            lo, hi = QUIZ_OPTIONS
            need(
                lo <= len(options) <= hi,
                f"quiz '{quiz.title}': multiple choice needs {lo}-{hi} options, has {len(options)}",
            )
            marked = _ANSWER_LETTER.match(answers[0].body)
            need(
                marked and marked[1] in letters,
                f"quiz '{quiz.title}': the answer must start with the correct option in bold, "
                f"e.g. '**B.**', naming one of {letters}",
            )
        need(
            multiple_choice * 2 > len(subs),
            f"quizzes: most quizzes must be multiple choice, {multiple_choice} of {len(subs)} are",
        )

    # 11. Exercises with executed, hidden solutions (matched to sections by line).
    if exercises := sections.get("Exercises"):
        subs = [s for s in exercises.children if s.level == 3]
        need(
            len(subs) >= MIN_EXERCISES,
            f"exercises: needs at least {MIN_EXERCISES} '### Exercise' sections, has {len(subs)}",
        )
        notebook_lines = read_myst_markdown_notebook(text, add_source_map=True).metadata[
            "source_map"
        ]
        solution_lines = [
            notebook_lines[i]
            for i, c in enumerate(read_myst_markdown_notebook(text).cells)
            if c.cell_type == "code" and set(SOLUTION_TAGS) <= set(c.metadata.get("tags", []))
        ]
        check_lines = [
            notebook_lines[i]
            for i, c in enumerate(read_myst_markdown_notebook(text).cells)
            if c.cell_type == "code" and CHECK_TAG in c.metadata.get("tags", [])
        ]
        bounds = [s.line for s in subs] + [_next_line(top, exercises)]
        checked = 0
        for k, exercise in enumerate(subs):
            inside = [ln for ln in solution_lines if bounds[k] < ln < bounds[k + 1]]
            need(
                inside,
                f"exercise '{exercise.title}': needs a solution code cell tagged "
                f"{list(SOLUTION_TAGS)}",
            )
            checks_here = [ln for ln in check_lines if bounds[k] < ln < bounds[k + 1]]
            if checks_here and inside:
                need(
                    min(checks_here) > min(inside),
                    f"exercise '{exercise.title}': its check cell must come after the "
                    "solution cell it checks",
                )
                checked += 1
        need(
            checked >= MIN_CHECKED_EXERCISES,
            f"exercises: at least {MIN_CHECKED_EXERCISES} exercises need a check cell "
            f"(tagged [{CHECK_TAG}], after the solution, calling coursecode.checks), "
            f"{checked} have one",
        )

    # 12. Summary.
    if summary := sections.get("Summary"):
        n, (lo, hi) = len(summary.list_items()), SUMMARY_BULLETS
        need(lo <= n <= hi, f"summary: needs {lo}-{hi} bullets, has {n}")

    # 13. What's next and further reading.
    if nxt := sections.get("What's next"):
        need(nxt.directives("next-module"), "what's next: add a ':::{next-module}' directive")
        reading = [s for s in nxt.children if s.title == "Further reading"]
        need(reading, "further reading: add '### Further reading' under '## What's next'")
        if reading:
            need(
                DOCS_URL in reading[0].text(),
                f"further reading: link the PyTorch documentation ({DOCS_URL}...)",
            )
    return problems


def _check_claims(text: str, cells: list) -> list[str]:
    """Checked claims: numbers glued from outputs, and hidden cells asserting results."""
    problems: list[str] = []
    # glue("name", ...) or glue(f"acc_{seed}", ...): a pattern per call
    glued = [
        re.compile(re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(m[3])) if m[1] else re.escape(m[3]))
        for c in cells
        for m in _GLUE_CALL.finditer(c.source)
    ]
    prose = _outside_code_cells(text)
    quoted = [split_role(m)[0] for m in GLUE_ROLE.findall(prose)]
    unknown = sorted({k for k in quoted if not any(p.fullmatch(k) for p in glued)})
    if unknown:
        problems.append(
            f"checked claims: the prose pastes {unknown} but no code cell calls "
            "glue() with that name"
        )
    asserts = 0
    for i, cell in enumerate(cells, 1):
        tags = cell.metadata.get("tags", [])
        if "remove-cell" not in tags and (
            "myst_nb" in cell.source or _GLUE_CALL.search(cell.source)
        ):
            problems.append(
                f"checked claims: code cell {i} calls glue() where readers see it; glue in a "
                "hidden cell tagged [remove-cell] (notebooks run where myst_nb is absent)"
            )
        if CLAIM_TAGS[0] not in tags:
            continue
        if CLAIM_TAGS[1] not in tags:
            problems.append(
                f"checked claims: code cell {i} is tagged {CLAIM_TAGS[0]} but not "
                f"{CLAIM_TAGS[1]}; a claim check is hidden from readers"
            )
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # the build reports it when the cell runs
        statements = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        if not statements:
            problems.append(f"checked claims: code cell {i} is a claim cell with no assert")
        bare = [n.lineno for n in statements if n.msg is None]
        if bare:
            problems.append(
                f"checked claims: code cell {i}: every assert needs a message quoting the "
                f"claim and the measured values (lines {bare} of the cell have none)"
            )
        asserts += len(statements)
    total = len(quoted) + asserts
    if total < MIN_CHECKED_CLAIMS:
        problems.append(
            f"checked claims: needs at least {MIN_CHECKED_CLAIMS} numbers pasted with "
            f"{{glue:text}} or claims asserted in hidden cells tagged {list(CLAIM_TAGS)}; "
            f"has {len(quoted)} glued and {asserts} asserted"
        )
    return problems


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
