"""How long a module takes, derived from its page: the two numbers in its banner.

A typed estimate drifts as a page grows; this one is computed from what the page holds,
with rates documented in CONTRIBUTING.md:

- **read & run**: prose at 150 words a minute, 1.5 minutes for each code cell a reader
  runs and reads (exercise solutions and check cells excluded), 1.5 per practice quiz,
  1 per inline check; rounded to 5 minutes;
- **exercises**: 12 minutes for each exercise, attempted before opening its solution, and
  25 for each milestone of a project page.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

WORDS_PER_MINUTE = 150
MINUTES_PER_CODE_CELL = 1.5
MINUTES_PER_QUIZ = 1.5
MINUTES_PER_CHECK = 1.0
MINUTES_PER_EXERCISE = 12
MINUTES_PER_MILESTONE = 25
ROUND_TO = 5

CODE_CELL = re.compile(r"^```\{code-cell\}.*?^```\s*$", re.MULTILINE | re.DOTALL)
_MARKUP = re.compile(r"^(?::{3,}|`{3,}).*$|^:[\w-]+:.*$|\{[\w:-]+\}", re.MULTILINE)
_WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")
NOT_READ = {"solution", "check", "remove-cell"}
# A code cell's tags, in its options: ":tags: [a, b]", or "tags: [a, b]" in a YAML block.
_TAGS = re.compile(r"^:?tags:\s*\[([^\]]*)\]\s*$", re.MULTILINE)


def cell_tags(cell: str) -> set[str]:
    """The tags of a code cell (its text from the fence line to the closing fence).

    Reads the options as MyST-NB does for the flow-style lists the pages use: a YAML block
    between ``---`` lines right after the fence, or ``:name: value`` lines. Reading every
    page with MyST-NB's own reader took 0.9 s of every build and test session that loads
    the syllabus; tests/test_syllabus.py checks on every page that both count the same.
    """
    lines = cell.split("\n")[1:]
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        options = lines[1:end]
    else:
        options = list(itertools.takewhile(lambda line: line.startswith(":"), lines))
    match = _TAGS.search("\n".join(options))
    return {tag.strip().strip("'\"") for tag in match[1].split(",")} - {""} if match else set()


@dataclass(frozen=True)
class Estimate:
    read_run: int  # minutes
    exercises: int  # minutes

    @property
    def total(self) -> int:
        return self.read_run + self.exercises


@dataclass(frozen=True)
class PageCounts:
    words: int
    code_cells: int
    quizzes: int
    checks: int
    exercises: int
    milestones: int = 0

    def estimate(self) -> Estimate:
        minutes = (
            self.words / WORDS_PER_MINUTE
            + self.code_cells * MINUTES_PER_CODE_CELL
            + self.quizzes * MINUTES_PER_QUIZ
            + self.checks * MINUTES_PER_CHECK
        )
        read_run = max(ROUND_TO, ROUND_TO * round(minutes / ROUND_TO))
        work = self.exercises * MINUTES_PER_EXERCISE + self.milestones * MINUTES_PER_MILESTONE
        return Estimate(read_run, work)


def count_page(text: str) -> PageCounts:
    """What a reader reads and runs on a module page (its MyST source)."""
    body = text.split("\n---", 1)[1] if text.startswith("---\n") else text
    prose = _MARKUP.sub(" ", CODE_CELL.sub(" ", body))
    cells = CODE_CELL.findall(body)
    return PageCounts(
        words=len(_WORD.findall(prose)),
        code_cells=sum(1 for cell in cells if not NOT_READ & cell_tags(cell)),
        quizzes=len(re.findall(r"^### Quiz\b", text, re.MULTILINE)),
        checks=text.count(":class-container: inline-check"),
        exercises=len(re.findall(r"^### Exercise\b", text, re.MULTILINE)),
        milestones=len(re.findall(r"^### Milestone\b", text, re.MULTILINE)),
    )


def estimate_page(path: Path) -> Estimate:
    return count_page(path.read_text(encoding="utf-8")).estimate()


def hours(minutes: int) -> str:
    """``1,615`` -> ``"about 27 hours"``."""
    return f"about {round(minutes / 60)} hours"
