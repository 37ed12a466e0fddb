"""Every module page meets the structural module contract; a page that does not is named.

The contract's parts are listed in CONTRIBUTING.md; coursesite.contract checks them.
The mutation tests below remove one part at a time from a real page and check that the
checker notices and says which part, so the contract test can fail for each reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import DOCS, MODULE_PAGES
from coursesite.contract import ContractError, check_page

FIRST = MODULE_PAGES[0]


@pytest.mark.parametrize("page", MODULE_PAGES, ids=[p.name for p in MODULE_PAGES])
def test_module_page_meets_the_contract(page, syllabus):
    problems = check_page(page, syllabus)
    assert not problems, f"{page.name} breaks the module contract:\n" + "\n".join(problems)


def test_there_is_at_least_one_module_page():
    assert MODULE_PAGES, "no module pages found in docs/modules/"


def mutated(tmp_path: Path, change) -> Path:
    text = FIRST.read_text(encoding="utf-8")
    new = change(text)
    assert new != text, "the mutation did not change the page"
    (tmp_path / "glossary.md").write_text((DOCS / "glossary.md").read_text(encoding="utf-8"))
    path = tmp_path / "modules" / FIRST.name
    path.parent.mkdir(exist_ok=True)
    path.write_text(new, encoding="utf-8")
    return path


def drop_section(title: str):
    """Remove a '## title' section up to the next level-2 heading."""
    return lambda t: re.sub(rf"\n## {re.escape(title)}\n.*?(?=\n## )", "\n", t, flags=re.DOTALL)


def drop_first(pattern: str, count: int = 1):
    return lambda t: re.sub(pattern, "", t, count=count, flags=re.DOTALL)


MUTATIONS = {
    "banner": (drop_first(r":::\{module-banner\}\n:::\n"), "banner:"),
    "title": (lambda t: t.replace("# Introduction to Deep Learning", "# Intro", 1), "title:"),
    "objectives": (drop_section("What you will learn"), "missing '## What you will learn'"),
    "too many objectives": (
        lambda t: t.replace("## What you will learn\n", "## What you will learn\n\n- a\n- b\n"),
        "objectives: 'What you will learn' needs 3-5 bullets",
    ),
    "figure alt text": (drop_first(r"  image:\n    alt: .*?(?=  figure:)"), "mystnb.image.alt"),
    "figure": (drop_first(r"---\nmystnb:\n  image:.*?---\n"), "figure: no code cell"),
    "glossary entry": (
        lambda t: t.replace("{term}`Neuron`", "{term}`Neutron`", 1),
        "glossary: no entry in glossary.md for {term} ['Neutron']",
    ),
    "key concepts link": (lambda t: t.replace("{term}`Neuron`", "Neuron", 1), "{term}"),
    "key concepts": (drop_section("Key concepts"), "missing '## Key concepts'"),
    "code cells": (
        drop_first(r"```\{code-cell\} ipython3\n(?!---).*?```\n", count=20),
        "code: needs at least 6 code cells",
    ),
    "tip": (drop_first(r":::\{tip\}.*?:::\n", count=5), "tip:"),
    "inline checks": (
        drop_first(r"::::\{dropdown\} ❓.*?::::\n", count=2),
        "inline checks: needs at least 2",
    ),
    "inline check answer": (
        drop_first(r"(?<=:class-container: inline-check\n)\n`input_data` was.*?(?=::::)"),
        "has no answer",
    ),
    "quiz answer": (
        drop_first(r"(?<=### Quiz 2 · Backpropagation\n).*?:::\{dropdown\} Answer.*?\n:::\n"),
        "quiz 'Quiz 2 · Backpropagation': needs one dropdown",
    ),
    "quiz marked answer": (
        lambda t: t.replace("**B.** Backpropagation computes", "Backpropagation computes"),
        "quiz 'Quiz 2 · Backpropagation': the answer must start with the correct option",
    ),
    "quizzes": (drop_section("Practice quizzes"), "missing '## Practice quizzes'"),
    "exercise solution": (
        lambda t: t.replace("tags: [solution, hide-cell]", "tags: [hide-cell]", 1),
        "exercise 'Exercise 1 · A hidden layer by hand': needs a solution code cell",
    ),
    "summary": (drop_section("Summary"), "missing '## Summary'"),
    "next module": (drop_first(r":::\{next-module\}\n:::\n"), "what's next:"),
    "further reading": (
        lambda t: t.replace("https://docs.pytorch.org/", "https://example.org/"),
        "further reading: link the PyTorch documentation",
    ),
    "section order": (
        lambda t: (
            t.replace("## Summary", "## Summary2")
            .replace("## Exercises", "## Summary")
            .replace("## Summary2", "## Exercises")
        ),
        "sections: expected in the order",
    ),
    "wide code": (
        lambda t: t.replace("seed_everything(0)\n", "seed_everything(0)" + " " * 70 + "# x\n", 1),
        "code: lines longer than 79",
    ),
    "nondeterministic": (
        lambda t: t.replace(
            "tags: [solution, hide-cell]", "tags: [solution, hide-cell, nondeterministic]", 1
        ),
        "only a module marked 'measures = true'",
    ),
    "skip-execution": (
        lambda t: t.replace(
            "tags: [solution, hide-cell]", "tags: [solution, hide-cell, skip-execution]", 1
        ),
        "tagged skip-execution",
    ),
}


@pytest.mark.parametrize("part", MUTATIONS)
def test_a_missing_part_is_reported_by_name(part, tmp_path, syllabus):
    change, expected = MUTATIONS[part]
    problems = check_page(mutated(tmp_path, change), syllabus)
    assert any(expected in p for p in problems), f"expected {expected!r} in {problems}"


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
    assert any("kernelspec" in p for p in check_page(path, syllabus))
