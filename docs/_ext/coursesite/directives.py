"""The course's directives, driven by the syllabus (used in MyST pages as ``:::{name}``).

``module-banner``
    "Module N of T · Course · Level" and the page's derived times; N and T come from
    ``docs/syllabus.toml``, the times from the page (:mod:`coursesite.timing`).
``syllabus-table``
    The landing page's table of every module with its times, and the course's total.
``syllabus-toctree``
    The navigation: one hidden toctree per part, written modules in syllabus order.
``next-module``
    A link to the next module (or its title, marked as not yet written).
``offline-copies``
    The landing page's links to the course as a PDF and an EPUB (Read the Docs' downloads).
``run-it-yourself``
    The module's downloads: full and practice notebooks (Colab and file), the script, and
    a question link (:mod:`coursesite.notebooks` writes the files).
"""

from __future__ import annotations

import html
from typing import ClassVar

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.directives.other import TocTree
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import OptionSpec

from coursesite.notebooks import NOTEBOOKS_DIR, notebook_names
from coursesite.state import CourseState, course_state
from coursesite.syllabus import Entry, Syllabus
from coursesite.timing import hours


class _CourseDirective(SphinxDirective):
    has_content = False
    required_arguments = 0
    optional_arguments = 0

    @property
    def course(self) -> CourseState:
        return course_state(self.config)

    @property
    def syllabus(self) -> Syllabus:
        return self.course.syllabus

    def doc_link(self, docname: str, text: str) -> str:
        return f"{{doc}}`{text} </{docname}>`"

    def parse_markdown(self, text: str) -> list[nodes.Node]:
        container = nodes.Element()
        self.state.nested_parse(StringList(text.splitlines()), self.content_offset, container)
        return list(container.children)


class ModuleBanner(_CourseDirective):
    """The banner above a module's title."""

    def run(self) -> list[nodes.Node]:
        module = self.syllabus.by_docname(self.env.docname)
        if module is None:
            raise self.error(
                f"module-banner is only for module pages (docs/modules/NN-slug.md), "
                f"not {self.env.docname!r}"
            )
        banner = nodes.container(classes=["module-banner"])
        para = nodes.paragraph()
        para += nodes.inline(text=self.syllabus.banner(module), classes=["module-banner-title"])
        para += nodes.Text(" ")
        estimate = self.syllabus.estimate(module)
        para += nodes.raw(
            "",
            '<span class="fa-regular fa-clock" aria-hidden="true"></span> ',
            format="html",
        )
        para += nodes.inline(
            text=f"Read & run ~{estimate.read_run} min · exercises ~{estimate.exercises} min",
            classes=["module-duration"],
        )
        banner += para
        return [banner]


class SyllabusTable(_CourseDirective):
    """Every module of the course, part by part, with its status."""

    def run(self) -> list[nodes.Node]:
        syl = self.syllabus
        lines = [
            "| # | Module | Part | Read & run | Exercises |",
            "|---:|---|---|---:|---:|",
        ]
        for entry in syl.entries:
            number = entry.number if entry.kind == "module" else f"P{entry.number}"
            where = f"{entry.part.id} · {entry.part.title}"
            if entry.kind == "project":
                where = f"project after part {entry.part.id}"
            if not syl.is_written(entry):
                lines.append(f"| {number} | {entry.title} | {where} | | |")
                continue
            estimate = syl.estimate(entry)
            lines.append(
                f"| {number} | {self.doc_link(entry.docname, entry.title)} | {where} "
                f"| {estimate.read_run} min | {estimate.exercises} min |"
            )
        total = syl.total_estimate
        parts = ", ".join(f"{part.id} · {part.title}" for part in syl.parts)
        intro = f"The course has {len(syl.parts)} parts: {parts}."
        if syl.projects:
            intro += (
                f" {len(syl.projects)} projects (P1 to P{len(syl.projects)}), placed after "
                "the parts whose skills they use, have you build something end to end "
                "without the page holding your hand."
            )
        lines = [intro, "", *lines]
        lines += [
            "",
            (
                f"In all, the course takes {hours(total.read_run)} to read and run, and "
                f"{hours(total.exercises)} more to work the exercises and projects before "
                "opening their solutions. The times are estimates derived from each page "
                "(words, code cells, quizzes, exercises and milestones)."
            ),
        ]
        if missing := [e for e in syl.entries if not syl.is_written(e)]:
            lines.append(f"{len(missing)} of the entries above are still being written.")
        out = self.parse_markdown("\n".join(lines))
        for node in out:
            for table in node.findall(nodes.table):
                table["classes"].append("syllabus-table")
        return out


class SyllabusToctree(TocTree):
    """One hidden toctree per part: the sidebar navigation in syllabus order."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {}

    def run(self) -> list[nodes.Node]:
        syl = course_state(self.config).syllabus
        result: list[nodes.Node] = []
        for part in syl.parts:
            docs = [f"/{e.docname}" for e in syl.entries if e.part == part and syl.is_written(e)]
            if not docs:
                continue
            self.content = StringList(docs)
            self.options = {"caption": f"Part {part.id} · {part.title}", "maxdepth": 1}
            self.options["hidden"] = True
            result.extend(super().run())
        return result


class NextModule(_CourseDirective):
    """ "Next: Module N+1 · Title", linked when that page exists."""

    def run(self) -> list[nodes.Node]:
        syl = self.syllabus
        module = syl.by_docname(self.env.docname)
        if module is None:
            raise self.error("next-module is only for module pages")
        nxt = syl.next_module(module)
        if nxt is None:
            text = "This is the last page of the course: congratulations on finishing it."
        elif syl.is_written(nxt):
            text = f"**Next:** {self.doc_link(nxt.docname, f'{nxt.label} · {nxt.title}')}"
        else:
            text = f"**Next:** {nxt.label} · {nxt.title} (being written)."
        return self.parse_markdown(text)


class OfflineCopies(_CourseDirective):
    """Links to the whole course as a PDF and an EPUB, as Read the Docs publishes them."""

    def run(self) -> list[nodes.Node]:
        settings = self.course.settings
        return self.parse_markdown(
            f"[The course as a PDF]({settings.download_url('pdf')}) (for printing or a "
            f"tablet) and [as an EPUB]({settings.download_url('epub')}) (for e-readers) hold "
            "every page with its outputs, figures, quiz answers and worked solutions printed "
            "after their questions. Both are made from the same executed pages as this site."
        )


class RunItYourself(_CourseDirective):
    """This module's downloads: full and practice notebooks (Colab and file), the script,
    and a link to ask a question about the module."""

    def run(self) -> list[nodes.Node]:
        module = self.syllabus.by_docname(self.env.docname)
        if module is None:
            raise self.error("run-it-yourself is only for module pages")
        settings = self.course.settings
        names = notebook_names(module.docname.split("/")[-1])
        folder = "../" * self.env.docname.count("/") + NOTEBOOKS_DIR
        question = html.escape(settings.question_url(f"{module.label} · {module.title}"))

        def buttons(kind: str, label: str) -> str:
            name = names[kind]
            return (
                f'<a class="sd-btn sd-btn-primary reference external colab-link" '
                f'data-kind="{kind}" href="{settings.colab_url(name)}">{label} in Colab</a> '
                f'<a class="sd-btn sd-btn-outline-primary reference download-notebook" '
                f'data-kind="{kind}" href="{folder}/{name}" download="{name}">'
                f"Download {label.lower()} notebook</a>"
            )

        links = (
            f'<p class="run-it-yourself">{buttons("full", "Open")}</p>'
            f'<p class="run-it-yourself">{buttons("practice", "Practice")}</p>'
            f'<p class="run-it-yourself-more"><a class="reference download-script" '
            f'href="{folder}/{names["script"]}" download="{names["script"]}">'
            f"Download as a Python script</a> · "
            f'<a class="reference external question-link" href="{question}">'
            f"Questions about this {module.kind}? Ask in the course discussions</a></p>"
        )
        work = "exercise" if module.kind == "module" else "milestone"
        intro = self.parse_markdown(
            f"This {module.kind} is also a Jupyter notebook with the same code cells. The "
            "**full** notebook has the worked solutions (collapsed); the **practice** "
            f"notebook leaves each {work}'s solution cell empty for your code and keeps the "
            "check cell after it, which tells you whether your answer is right. The first cell of "
            "either installs the course's package when it runs in Google Colab (GPU or CPU "
            "runtime) and installs nothing elsewhere; on your own machine, set up the "
            "course as its README describes. Once a cell runs, change a number in it and "
            "run it again: seeing which outputs move, and how far, is the fastest way to "
            "test your understanding of the page."
        )
        return [*intro, nodes.raw("", links, format="html"), self.paper_links(names, module)]

    def paper_links(self, names: dict[str, str], module: Entry) -> addnodes.only:
        """The same downloads for the PDF, where the buttons (raw HTML) do not exist."""
        settings = self.course.settings
        folder = f"{settings.site_url}/{NOTEBOOKS_DIR}"
        question = settings.question_url(f"{module.label} · {module.title}")
        only = addnodes.only(expr="latex")
        only += self.parse_markdown(
            f"[Full notebook]({folder}/{names['full']}) · "
            f"[practice notebook]({folder}/{names['practice']}) · "
            f"[Python script]({folder}/{names['script']}) · "
            f"[open in Colab]({settings.colab_url(names['full'])}) · "
            f"[questions about this {module.kind}]({question})"
        )
        return only


def setup(app: Sphinx) -> None:
    app.add_directive("module-banner", ModuleBanner)
    app.add_directive("syllabus-table", SyllabusTable)
    app.add_directive("syllabus-toctree", SyllabusToctree)
    app.add_directive("next-module", NextModule)
    app.add_directive("run-it-yourself", RunItYourself)
    app.add_directive("offline-copies", OfflineCopies)
