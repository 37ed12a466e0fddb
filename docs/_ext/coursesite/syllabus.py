"""The course syllabus: one data file (``docs/syllabus.toml``) read into typed records.

Everything that shows a module's number, title, duration or order (banners, the landing
page's table, the navigation, "what's next" links, tests) reads it from here. Durations
are not typed in the file: they are derived from each page (:mod:`coursesite.timing`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from coursesite.timing import Estimate, estimate_page

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PAGE_RE = re.compile(r"^(?P<number>\d{2})-(?P<slug>.+)\.md$")
PROJECT_PAGE_RE = re.compile(r"^p(?P<number>\d)-(?P<slug>.+)\.md$")
MODULES_DIR = "modules"
PROJECTS_DIR = "projects"

T = TypeVar("T")


class SyllabusError(Exception):
    """The syllabus data or the module pages on disk disagree with the course's rules."""


@dataclass(frozen=True)
class Part:
    id: str
    title: str


@dataclass(frozen=True)
class Module:
    number: int
    slug: str
    title: str
    part: Part
    measures: bool = False  # its outputs include timings: cells may be tagged nondeterministic
    extras: tuple[str, ...] = ()  # coursecode's optional dependencies the page needs
    kind = "module"

    @property
    def docname(self) -> str:
        """Sphinx document name, e.g. ``modules/01-introduction-to-deep-learning``."""
        return f"{MODULES_DIR}/{self.number:02d}-{self.slug}"

    @property
    def filename(self) -> str:
        return f"{self.number:02d}-{self.slug}.md"

    @property
    def label(self) -> str:
        """How prose names it: ``Module 7``."""
        return f"Module {self.number}"


@dataclass(frozen=True)
class Project:
    """An end-to-end project, placed after a part (its ``part``); numbered P1, P2, ..."""

    number: int
    slug: str
    title: str
    part: Part  # the part it comes after
    measures: bool = False
    extras: tuple[str, ...] = ()
    kind = "project"

    @property
    def docname(self) -> str:
        return f"{PROJECTS_DIR}/p{self.number}-{self.slug}"

    @property
    def filename(self) -> str:
        return f"p{self.number}-{self.slug}.md"

    @property
    def label(self) -> str:
        return f"Project {self.number}"


Entry = Module | Project


@dataclass(frozen=True)
class Syllabus:
    course: str
    level: str
    parts: tuple[Part, ...]
    modules: tuple[Module, ...]
    written: frozenset[str]  # slugs of modules and projects that have a page
    estimates: Mapping[str, Estimate] = field(default_factory=dict)  # by slug, from pages
    projects: tuple[Project, ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Modules and projects in reading order: each part's modules, then its projects."""
        order: list[Entry] = []
        for part in self.parts:
            order += [m for m in self.modules if m.part == part]
            order += [p for p in self.projects if p.part == part]
        return tuple(order)

    def estimate(self, module: Entry) -> Estimate:
        return self.estimates[module.slug]

    @property
    def total_estimate(self) -> Estimate:
        written = [self.estimates[e.slug] for e in self.entries if e.slug in self.estimates]
        return Estimate(sum(e.read_run for e in written), sum(e.exercises for e in written))

    @property
    def total(self) -> int:
        return len(self.modules)

    def by_docname(self, docname: str) -> Entry | None:
        """The module or project whose page this is (None for other pages)."""
        return next((e for e in self.entries if e.docname == docname), None)

    def by_slug(self, slug: str) -> Module:
        for m in self.modules:
            if m.slug == slug:
                return m
        raise KeyError(slug)

    def is_written(self, entry: Entry) -> bool:
        return entry.slug in self.written

    def next_module(self, entry: Entry) -> Entry | None:
        """What to read after ``entry``: the next module, or a project after its part."""
        order = self.entries
        index = order.index(entry)
        return order[index + 1] if index + 1 < len(order) else None

    def banner(self, entry: Entry) -> str:
        of = self.total if entry.kind == "module" else len(self.projects)
        return f"{entry.label} of {of} · {self.course} · {self.level}"


def _require(table: Mapping[str, Any], key: str, kind: type[T], where: str) -> T:
    if key not in table:
        raise SyllabusError(f"{where}: missing required key {key!r}")
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise SyllabusError(f"{where}: {key!r} must be a {kind.__name__}, got {value!r}")
    return value


def parse_syllabus(
    data: Mapping[str, Any], source: str = "syllabus"
) -> tuple[str, str, tuple[Part, ...], tuple[Module, ...]]:
    """Validate raw syllabus data; return (course, level, parts, modules).

    Projects (``[[project]]``) are read by :func:`parse_projects`.
    """
    course = _require(data, "course", str, source)
    level = _require(data, "level", str, source)
    parts: dict[str, Part] = {}
    for i, raw in enumerate(data.get("part", []), start=1):
        where = f"{source}: part #{i}"
        pid = _require(raw, "id", str, where)
        if pid in parts:
            raise SyllabusError(f"{where}: duplicate part id {pid!r}")
        parts[pid] = Part(pid, _require(raw, "title", str, where))
    raw_modules = data.get("module", [])
    if not raw_modules:
        raise SyllabusError(f"{source}: no [[module]] entries")
    if len(raw_modules) > 99:
        raise SyllabusError(f"{source}: {len(raw_modules)} modules; file names allow 99")
    modules: list[Module] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_modules, start=1):
        where = f"{source}: module #{number}"
        if "number" in raw:
            raise SyllabusError(
                f"{where}: do not write 'number'; a module's number is its position in the file"
            )
        slug = _require(raw, "slug", str, where)
        if not SLUG_RE.match(slug):
            raise SyllabusError(f"{where}: slug {slug!r} must be lowercase words joined by '-'")
        if slug in seen:
            raise SyllabusError(f"{where}: duplicate slug {slug!r}")
        seen.add(slug)
        part_id = _require(raw, "part", str, where)
        if part_id not in parts:
            raise SyllabusError(f"{where} ({slug}): unknown part {part_id!r}; known: {list(parts)}")
        if "minutes" in raw:
            raise SyllabusError(
                f"{where} ({slug}): do not write 'minutes'; a module's time is derived from "
                "its page (coursesite/timing.py)"
            )
        title = _require(raw, "title", str, where)
        measures = raw.get("measures", False)
        if not isinstance(measures, bool):
            raise SyllabusError(f"{where} ({slug}): measures must be true or false")
        extras = raw.get("extras", [])
        if not (isinstance(extras, list) and all(isinstance(e, str) for e in extras)):
            raise SyllabusError(f"{where} ({slug}): extras must be a list of extra names")
        modules.append(Module(number, slug, title, parts[part_id], measures, tuple(extras)))
    return course, level, tuple(parts.values()), tuple(modules)


def parse_projects(
    data: Mapping[str, Any], parts: tuple[Part, ...], taken: set[str], source: str
) -> tuple[Project, ...]:
    """Validate the ``[[project]]`` entries; a project's number is its position."""
    by_id = {p.id: p for p in parts}
    projects: list[Project] = []
    for number, raw in enumerate(data.get("project", []), start=1):
        where = f"{source}: project #{number}"
        slug = _require(raw, "slug", str, where)
        if not SLUG_RE.match(slug) or slug in taken:
            raise SyllabusError(f"{where}: slug {slug!r} must be new lowercase words joined by '-'")
        taken.add(slug)
        after = _require(raw, "after", str, where)
        if after not in by_id:
            raise SyllabusError(f"{where} ({slug}): 'after' names unknown part {after!r}")
        extras = raw.get("extras", [])
        if not (isinstance(extras, list) and all(isinstance(e, str) for e in extras)):
            raise SyllabusError(f"{where} ({slug}): extras must be a list of extra names")
        title = _require(raw, "title", str, where)
        measures = raw.get("measures", False)
        if not isinstance(measures, bool):
            raise SyllabusError(f"{where} ({slug}): measures must be true or false")
        projects.append(Project(number, slug, title, by_id[after], measures, tuple(extras)))
    if len(projects) > 9:
        raise SyllabusError(f"{source}: {len(projects)} projects; file names allow 9")
    return tuple(projects)


def check_project_pages(projects: tuple[Project, ...], folder: Path) -> frozenset[str]:
    """Check every page in ``folder`` (``pN-slug.md``) against the projects; their slugs."""
    by_slug = {p.slug: p for p in projects}
    written: set[str] = set()
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.is_dir() or path.name.startswith((".", "_")):
            continue
        match = PROJECT_PAGE_RE.match(path.name)
        if not match or match["slug"] not in by_slug:
            raise SyllabusError(
                f"{path}: project pages are named pN-slug.md, with a slug of a [[project]] "
                "in syllabus.toml"
            )
        if int(match["number"]) != by_slug[match["slug"]].number:
            raise SyllabusError(
                f"{path}: {match['slug']!r} is project {by_slug[match['slug']].number} in "
                f"syllabus.toml, so its page must be {by_slug[match['slug']].filename}"
            )
        written.add(match["slug"])
    return frozenset(written)


def check_pages(modules: tuple[Module, ...], modules_dir: Path) -> frozenset[str]:
    """Check every page in ``modules_dir`` against the syllabus; return the written slugs.

    Raises:
        SyllabusError: naming the file, for a page whose name is not ``NN-slug.md``, whose
            slug is not in the syllabus, or whose number is not that slug's position.
    """
    by_slug = {m.slug: m for m in modules}
    written: set[str] = set()
    for path in sorted(modules_dir.glob("*")):
        if path.is_dir() or path.name.startswith((".", "_")):
            continue
        match = PAGE_RE.match(path.name)
        if not match:
            raise SyllabusError(f"{path}: module pages are named NN-slug.md (e.g. 01-tensors.md)")
        number, slug = int(match["number"]), match["slug"]
        if slug not in by_slug:
            raise SyllabusError(
                f"{path}: unknown slug {slug!r}; add it to syllabus.toml or rename the page"
            )
        expected = by_slug[slug].number
        if number != expected:
            if not 1 <= number <= len(modules):
                raise SyllabusError(
                    f"{path}: module number {number} is out of range 1..{len(modules)}"
                )
            raise SyllabusError(
                f"{path}: {slug!r} is module {expected} in syllabus.toml, "
                f"so its page must be {by_slug[slug].filename}"
            )
        written.add(slug)
    return frozenset(written)


def load_syllabus(docs_dir: Path) -> Syllabus:
    """Read ``docs_dir/syllabus.toml`` and check ``docs_dir/modules/`` against it."""
    path = docs_dir / "syllabus.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SyllabusError(f"{path}: the syllabus file is missing") from None
    except tomllib.TOMLDecodeError as err:
        raise SyllabusError(f"{path}: not valid TOML: {err}") from None
    course, level, parts, modules = parse_syllabus(data, str(path))
    projects = parse_projects(data, parts, {m.slug for m in modules}, str(path))
    written = check_pages(modules, docs_dir / MODULES_DIR) | check_project_pages(
        projects, docs_dir / PROJECTS_DIR
    )
    entries: tuple[Entry, ...] = (*modules, *projects)
    estimates = {
        e.slug: estimate_page(docs_dir / e.docname.split("/")[0] / e.filename)
        for e in entries
        if e.slug in written
    }
    return Syllabus(course, level, parts, modules, written, estimates, projects)
