"""Every module page meets the structural module contract; a page that does not is named.

The contract's parts are listed in CONTRIBUTING.md; coursesite.contract checks them.
The mutation tests below remove one part at a time from a real page and check that the
checker notices and says which part, so the contract test can fail for each reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import COURSE_PAGES, DOCS, MODULE_PAGES, PROJECT_PAGES
from coursesite.contract import RULES, ContractError, check_page

FIRST = MODULE_PAGES[0]
SECOND = MODULE_PAGES[1]  # for rules that only apply from Module 2 on (prerequisites)
PROJECT = PROJECT_PAGES[0] if PROJECT_PAGES else FIRST  # for the project pages' rules


@pytest.mark.parametrize("page", COURSE_PAGES, ids=[p.name for p in COURSE_PAGES])
def test_module_page_meets_the_contract(page, syllabus):
    problems = check_page(page, syllabus)
    assert not problems, f"{page.name} breaks the module contract:\n" + "\n".join(
        map(str, problems)
    )


def test_there_is_at_least_one_module_page():
    assert MODULE_PAGES, "no module pages found in docs/modules/"


def mutated(tmp_path: Path, change, source: Path = FIRST) -> Path:
    text = source.read_text(encoding="utf-8")
    new = change(text)
    assert new != text, "the mutation did not change the page"
    (tmp_path / "glossary.md").write_text((DOCS / "glossary.md").read_text(encoding="utf-8"))
    path = tmp_path / source.parent.name / source.name  # modules/ or projects/
    path.parent.mkdir(exist_ok=True)
    path.write_text(new, encoding="utf-8")
    return path


def sub(pattern: str, replacement: str = "", count: int = 0):
    """A mutation: ``re.sub`` over the page (all matches unless ``count``)."""
    return lambda t: re.sub(pattern, replacement, t, count=count, flags=re.DOTALL | re.MULTILINE)


def drop_section(title: str):
    """Remove a '## title' section up to the next level-2 heading."""
    return sub(rf"\n## {re.escape(title)}\n.*?(?=\n## )", "\n", count=1)


def add_cell(source: str, after: str = r"^## Key concepts\n"):
    """Insert a code cell (``source`` may start with options) after the first ``after``."""
    return sub(f"({after})", lambda m: f"{m[1]}\n```{{code-cell}} ipython3\n{source}\n```\n", 1)


def in_section(title: str, pattern: str, replacement: str, count: int = 1):
    """``re.sub`` inside one level-2 section only."""

    def change(text: str) -> str:
        match = re.search(
            rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL
        )
        assert match, title
        body = re.sub(pattern, replacement, match[0], count=count, flags=re.MULTILINE | re.DOTALL)
        return text[: match.start()] + body + text[match.end() :]

    return change


FIRST_TITLE = re.search(r"^# (.+)$", FIRST.read_text(), re.MULTILINE)[1]

# One mutation for every rule of the contract: (change, page, rule code it must produce).
MUTATIONS: dict[str, tuple] = {
    "kernelspec": (sub(r"^kernelspec:\n(  [^\n]*\n)+", "", 1), FIRST),
    "banner": (sub(r":::\{module-banner\}\n:::\n", "", 1), FIRST),
    "title": (sub(rf"^# {re.escape(FIRST_TITLE)}$", "# Intro", 1), FIRST),
    "introduction": (sub(r"(^# [^\n]+\n).*?(?=^## What you will learn)", r"\1\n", 1), FIRST),
    "section": (drop_section("Summary"), FIRST),
    "section-order": (
        lambda t: (
            t.replace("## Summary", "## S2")
            .replace("## Exercises", "## Summary")
            .replace("## S2", "## Exercises")
        ),
        FIRST,
    ),
    "objectives": (sub(r"(## What you will learn\n)", r"\1\n- a\n- b\n- c\n", 1), FIRST),
    "prerequisites": (in_section("Prerequisites", r"\{doc\}", "", 0), SECOND),
    "figure": (sub(r"^  figure:$", "  figur:"), FIRST),
    "figure-caption": (sub(r"^(    caption: ).*?(?=^    \w+:|^---)", r'\1""\n', 1), FIRST),
    "figure-alt": (sub(r"^(    alt: ).*?(?=^  \w+:|^---)", r'\1"short"\n', 1), FIRST),
    "key-concepts-header": (sub(r"^\| Concept \| Definition \| Role \|", "| A | B | C |"), FIRST),
    "key-concepts-count": (
        in_section(
            "Key concepts", r"^(\|---\|---\|---\|\n(?:\|[^\n]*\n){2})(?:\|[^\n]*\n)+", r"\1"
        ),
        FIRST,
    ),
    "key-concepts-links": (in_section("Key concepts", r"\{term\}`([^`<]+)`", r"\1"), FIRST),
    "glossary": (sub(r"\{term\}`[^`]+`", "{term}`Zzz unknown`", 1), FIRST),
    "code-cells": (sub(r"```\{code-cell\} ipython3\n.*?```\n", ""), FIRST),
    "code-width": (add_cell("x = 1  # " + "y" * 80), FIRST),
    "nondeterministic": (add_cell(":tags: [nondeterministic]\nx = 1"), FIRST),
    "skip-execution": (add_cell(":tags: [skip-execution]\nx = 1"), FIRST),
    "claims-count": (
        lambda t: re.sub(
            r"```\{code-cell\} ipython3\n:tags: \[remove-cell[^\n]*\n.*?```\n",
            "",
            re.sub(r"\{glue:text\}`[^`]+`", "1", t),
            flags=re.DOTALL,
        ),
        FIRST,
    ),
    "claims-unknown-glue": (
        sub(r"(^## Summary\n)", r"\1\nIt was {glue:text}`zz_nowhere:.1f`.\n", 1),
        FIRST,
    ),
    "claims-visible-glue": (
        add_cell('from myst_nb import glue\nglue("zz", 1, display=False)'),
        FIRST,
    ),
    "claims-hidden": (add_cell(':tags: [claim]\nassert 1 == 1, "claim"'), FIRST),
    "claims-assert": (add_cell(":tags: [remove-cell, claim]\nx = 1"), FIRST),
    "claims-message": (add_cell(":tags: [remove-cell, claim]\nassert 1 == 1"), FIRST),
    "paragraph-length": (sub(r"(^## Summary\n)", r"\1\n" + "word " * 151 + "\n", 1), FIRST),
    "module-links": (
        sub(r"(^## Summary\n)", r"\1\nSee {doc}`Module 9 · Tensors <02-tensors>`.\n", 1),
        FIRST,
    ),
    "tip": (sub(r":::\{tip\}.*?:::\n"), FIRST),
    "inline-checks": (
        sub(r"::::\{dropdown\} [^\n]*\n:class-container: inline-check\n.*?::::\n"),
        FIRST,
    ),
    "inline-check-icon": (
        sub(r"(::::\{dropdown\} )([^\n]*\n:class-container: inline-check)", r"\1❓ \2", 1),
        FIRST,
    ),
    "inline-check-answer": (
        sub(r"(:class-container: inline-check\n).*?(?=^::::$)", r"\1", 1),
        FIRST,
    ),
    "run-it-yourself": (sub(r":::\{run-it-yourself\}\n:::\n", "", 1), FIRST),
    "quizzes": (in_section("Practice quizzes", r"^### Quiz", "#### Quiz", 2), FIRST),
    "quiz-answer": (sub(r":class-container: quiz-answer", ":class-container: x", 1), FIRST),
    "quiz-options": (sub(r"^- [CD]\. [^\n]*\n"), FIRST),
    "quiz-letter": (sub(r"(:class-container: quiz-answer\n\n)\*\*([A-D])\.\*\*", r"\1\2."), FIRST),
    "quizzes-multiple-choice": (sub(r"^- ([A-D])\. ", r"- (\1) "), FIRST),
    "exercises": (in_section("Exercises", r"^### Exercise", "#### Exercise", 0), FIRST),
    "exercise-solution": (sub(r"tags: \[solution, hide-cell\]", "tags: [hide-cell]", 1), FIRST),
    "exercise-check-order": (
        add_cell(":tags: [check]\nx = 1", after=r"^### Exercise[^\n]*\n"),
        FIRST,
    ),
    "exercise-checks": (sub(r":tags: \[check\]", ":tags: [checked]"), FIRST),
    "exercise-difficulty": (sub(r"Difficulty: ★+ · "), FIRST),
    "exercise-hint": (sub(r":{3,4}\{dropdown\} Hint\n.*?\n:{3,4}\n"), FIRST),
    "objectives-numbered": (in_section("What you will learn", r"^\d+\. ", "- ", 0), FIRST),
    "exercise-objectives": (sub(r" · Practises objectives? [\d, and]+", "", 1), FIRST),
    "objectives-practised": (sub(r"(Practises objective)s? [\d, and]+\d", r"\1 1"), FIRST),
    "notebook-hidden-names": (
        add_cell(
            ":tags: [remove-cell]\nzz_hidden = 1\n```\n\n```{code-cell} ipython3\nzz_hidden + 1"
        ),
        FIRST,
    ),
    "practice-solution-names": (
        sub(
            r"(tags: \[solution, hide-cell\]\n.*?^---\n)(.*?\n```\n)",
            r"\1zz_solved = 1\n\2\n```{code-cell} ipython3\nprint(zz_solved)\n```\n",
            1,
        ),
        FIRST,
    ),
    "project-section": (drop_section("Rubric"), PROJECT),
    "project-section-order": (
        lambda t: (
            t.replace("## Rubric", "## R2")
            .replace("## Milestones", "## Rubric")
            .replace("## R2", "## Milestones")
        ),
        PROJECT,
    ),
    "project-skills": (in_section("What you will practise", r"\{doc\}", "", 0), PROJECT),
    "project-rubric": (in_section("Rubric", r"^- .*?(?=^\S|\Z)", "", 0), PROJECT),
    "project-milestones": (
        in_section("Milestones", r"^### Milestone", "#### Milestone", 0),
        PROJECT,
    ),
    "project-milestone-solution": (
        sub(r"tags: \[solution, hide-cell\]", "tags: [hide-cell]", 1),
        PROJECT,
    ),
    "project-milestone-check": (sub(r":tags: \[check\]", ":tags: [checked]"), PROJECT),
    "summary": (in_section("Summary", r"^- .*?(?=^\S|\Z)", "", 0), FIRST),
    "next-module": (sub(r":::\{next-module\}\n:::\n", "", 1), FIRST),
    "further-reading": (sub(r"^### Further reading", "### More", 1), FIRST),
    "further-reading-docs": (
        lambda t: t.replace("https://docs.pytorch.org/", "https://example.org/"),
        FIRST,
    ),
}


@pytest.mark.parametrize("rule", MUTATIONS)
def test_each_rule_fires_on_its_mutation(rule, tmp_path, syllabus):
    change, source = MUTATIONS[rule]
    problems = check_page(mutated(tmp_path, change, source), syllabus)
    codes = [p.code for p in problems]
    assert rule in codes, f"expected rule {rule!r}; got {[str(p) for p in problems]}"


def test_a_module_link_must_give_the_syllabus_title(tmp_path, syllabus):
    """'Module N · Title' is checked against the syllabus, so a renamed module cannot
    leave stale titles in other pages' prerequisites."""
    link = "See {doc}`Module 2 · Tensor Basics <02-tensors>`.\n"
    path = mutated(tmp_path, sub(r"(^## Summary\n)", rf"\1\n{link}", 1))
    messages = [str(p) for p in check_page(path, syllabus) if p.code == "module-links"]
    title = syllabus.by_slug("tensors").title
    assert messages == [f"prose: a link calls Module 2 'Tensor Basics'; its title is '{title}'"], (
        messages
    )


def test_every_rule_of_the_contract_has_a_mutation():
    """A rule nobody can trigger is a check that can silently stop checking."""
    assert set(MUTATIONS) == set(RULES)


def test_problems_name_their_part_for_the_contributor(tmp_path, syllabus):
    path = mutated(tmp_path, MUTATIONS["tip"][0])
    (problem,) = check_page(path, syllabus)
    assert str(problem) == "tip: add at least one ':::{tip}' admonition"


def test_broken_front_matter_is_a_clear_error(tmp_path, syllabus):
    path = mutated(tmp_path, lambda t: t.replace("  name: python3", "  name: [python3", 1))
    with pytest.raises(ContractError, match="front matter: not valid YAML"):
        check_page(path, syllabus)


def test_missing_front_matter_is_a_clear_error(tmp_path, syllabus):
    path = mutated(tmp_path, lambda t: t.split("---\n", 2)[2])
    with pytest.raises(ContractError, match="front matter: the page must start"):
        check_page(path, syllabus)


def test_missing_kernelspec_is_reported(tmp_path, syllabus):
    path = mutated(
        tmp_path,
        lambda t: t.replace("kernelspec:\n  name: python3\n  display_name: Python 3\n", ""),
    )
    assert any(p.code == "kernelspec" for p in check_page(path, syllabus))
