"""Sphinx extension for the course site: syllabus-driven banners, tables, navigation.

Directives (used in MyST pages as ```` ```{name} ```` or ``:::{name}``):

``module-banner``
    "Module N of T · Course · Level" and "⏱ M min" for the page it sits on; N, T and M
    come from ``docs/syllabus.toml``.
``syllabus-table``
    The landing page's table of every module with its status; written ones are linked.
``syllabus-toctree``
    The navigation: one hidden toctree per part, written modules in syllabus order.
``next-module``
    A link to the next module (or its title, marked as not yet written).
``run-it-yourself``
    "Open in Colab" and "Download notebook" for the module's generated notebook
    (:mod:`coursesite.notebooks`), which the build writes to ``<outdir>/notebooks/``.

At build start (``config-inited``) the syllabus and the pages in ``docs/modules/`` are
checked against each other; any disagreement stops the build with a message that names
the file. When a page fails to execute, :mod:`coursesite.failures` names the page and
the cell and keeps the traceback in ``<outdir>/reports/``.
"""

from __future__ import annotations

import functools
import hashlib
import platform
from datetime import UTC, datetime
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.directives.other import TocTree
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from coursesite import accessibility, cache, failures, mathml, pageweight, streams
from coursesite.contract import ContractError, check_page
from coursesite.settings import load_settings
from coursesite.syllabus import Syllabus, SyllabusError, load_syllabus
from coursesite.timing import hours

logger = logging.getLogger(__name__)
NOTEBOOKS_DIR = "notebooks"

__all__ = ["get_syllabus", "setup"]


def get_syllabus(app: Sphinx) -> Syllabus:
    return app.coursesite_syllabus  # type: ignore[attr-defined]


class _CourseDirective(SphinxDirective):
    has_content = False
    required_arguments = 0
    optional_arguments = 0

    @property
    def syllabus(self) -> Syllabus:
        return get_syllabus(self.env.app)

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
        for m in syl.modules:
            if not syl.is_written(m):
                lines.append(f"| {m.number} | {m.title} | {m.part.id} · {m.part.title} | | |")
                continue
            estimate = syl.estimate(m)
            lines.append(
                f"| {m.number} | {self.doc_link(m.docname, m.title)} "
                f"| {m.part.id} · {m.part.title} "
                f"| {estimate.read_run} min | {estimate.exercises} min |"
            )
        total = syl.total_estimate
        lines += [
            "",
            (
                f"In all, the course takes {hours(total.read_run)} to read and run, and "
                f"{hours(total.exercises)} more to work the exercises before opening their "
                "solutions. The times are estimates derived from each page (words, code "
                "cells, quizzes and exercises)."
            ),
        ]
        if len(syl.written) < syl.total:
            lines.append(f"{len(syl.written)} of {syl.total} modules are available so far.")
        out = self.parse_markdown("\n".join(lines))
        for node in out:
            for table in node.findall(nodes.table):
                table["classes"].append("syllabus-table")
        return out


class SyllabusToctree(TocTree):
    """One hidden toctree per part: the sidebar navigation in syllabus order."""

    has_content = False
    option_spec: dict = {}  # noqa: RUF012 - docutils' interface

    def run(self) -> list[nodes.Node]:
        syl = get_syllabus(self.env.app)
        result: list[nodes.Node] = []
        for part in syl.parts:
            docs = [f"/{m.docname}" for m in syl.modules if m.part == part and syl.is_written(m)]
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
            text = "This is the last module of the course: congratulations on finishing it."
        elif syl.is_written(nxt):
            text = f"**Next:** {self.doc_link(nxt.docname, f'Module {nxt.number} · {nxt.title}')}"
        else:
            text = f"**Next:** Module {nxt.number} · {nxt.title} (being written)."
        return self.parse_markdown(text)


class RunItYourself(_CourseDirective):
    """This module's downloads: full and practice notebooks (Colab and file), the script,
    and a link to ask a question about the module."""

    def run(self) -> list[nodes.Node]:
        # Imported here: `python -m coursesite.notebooks` must not find it imported already.
        from coursesite.notebooks import notebook_names

        module = self.syllabus.by_docname(self.env.docname)
        if module is None:
            raise self.error("run-it-yourself is only for module pages")
        settings = self.env.app.coursesite_settings  # type: ignore[attr-defined]
        names = notebook_names(module.docname.split("/")[-1])
        folder = "../" * self.env.docname.count("/") + NOTEBOOKS_DIR
        question = settings.question_url(f"Module {module.number} · {module.title}")

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
            f"Questions about this module? Ask in the course discussions</a></p>"
        )
        intro = self.parse_markdown(
            "This module is also a Jupyter notebook with the same code cells. The **full** "
            "notebook has the worked solutions (collapsed); the **practice** notebook leaves "
            "each exercise's solution cell empty for your code and keeps the check cell "
            "after it, which tells you whether your answer is right. The first cell of "
            "either installs the course's package when it runs in Google Colab (GPU or CPU "
            "runtime) and installs nothing elsewhere; on your own machine, set up the "
            "course as its README describes. Once a cell runs, change a number in it and "
            "run it again: seeing which outputs move, and how far, is the fastest way to "
            "test your understanding of the page."
        )
        return [*intro, nodes.raw("", links, format="html")]


@functools.cache
def _runtime() -> tuple[str, str, str]:
    """(PyTorch version, Python version, device kind) of the build's kernels."""
    import torch  # the kernels run in this environment; imported once, and only here

    device = "GPU" if torch.cuda.is_available() else "CPU"
    return torch.__version__, platform.python_version(), device


def _add_provenance(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Under each module's banner: when, with what and how long its outputs were made."""
    if get_syllabus(app).by_docname(docname) is None:
        return
    data = NbMetadataCollector.get_exec_data(app.env, docname)
    banner = next(iter(doctree.findall(_is_banner)), None)
    if not data or not data.get("succeeded") or banner is None:
        return
    torch_version, python_version, device = _runtime()
    when = datetime.fromtimestamp(data["mtime"], tz=UTC).strftime("%Y-%m-%d")
    runtime = data.get("runtime")
    took = f", in {runtime:.1f} s" if runtime is not None else ""
    line = (
        f"Outputs generated by executing this page on {when} with PyTorch {torch_version}, "
        f"Python {python_version}, on {device}{took}."
    )
    banner += nodes.paragraph("", line, classes=["provenance"])


def _is_banner(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and "module-banner" in node["classes"]


def _write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """After a successful HTML build, write every module's downloads (notebooks, script)."""
    if exception is not None or app.builder.format != "html":
        return
    # Imported here: `python -m coursesite.notebooks` must not find it imported already.
    from myst_nb.sphinx_ext import OUTPUT_FOLDER

    from coursesite.notebooks import BuiltWith, ConversionError, write_notebooks

    try:
        written = write_notebooks(
            Path(app.srcdir),
            Path(app.outdir, NOTEBOOKS_DIR),
            glue_dir=Path(app.outdir).parent / OUTPUT_FOLDER,
            built_with=BuiltWith.here(_runtime()[2]),
        )
    except (ConversionError, RuntimeError) as err:
        raise ExtensionError(f"notebooks: {err}") from None
    logger.info("wrote %d notebook file(s) to %s", len(written), NOTEBOOKS_DIR)


def _load(app: Sphinx, config: Config) -> None:
    try:
        syllabus = load_syllabus(Path(app.confdir))
    except SyllabusError as err:
        raise ExtensionError(f"syllabus: {err}") from None
    app.coursesite_syllabus = syllabus  # type: ignore[attr-defined]
    app.coursesite_settings = load_settings(Path(app.confdir).parent)  # type: ignore[attr-defined]
    # A config value that changes with the syllabus, the set of written pages and this
    # extension's own code, so that Sphinx re-reads every page (banners, tables, next
    # links, formulas) when any of them changes. Outputs still come from the cache.
    digest = hashlib.sha256((Path(app.confdir) / "syllabus.toml").read_bytes())
    digest.update(repr(sorted(syllabus.written)).encode())
    digest.update(repr(sorted(syllabus.estimates.items())).encode())  # the landing totals
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    fingerprint = digest.hexdigest()[:16]
    config.coursesite_fingerprint = fingerprint


def _check_contract(app: Sphinx, docname: str, source: list[str]) -> None:
    """Warn (an error under -W) for every part of the module contract a page lacks."""
    syllabus = get_syllabus(app)
    if syllabus.by_docname(docname) is None:
        return
    path = Path(app.env.doc2path(docname))
    try:
        problems = check_page(path, syllabus)
    except ContractError as err:
        problems = [str(err)]
    for problem in problems:
        logger.warning(
            "module contract: %s", problem, location=docname, type="course", subtype="contract"
        )


def setup(app: Sphinx) -> dict[str, object]:
    streams.install()  # exact printed text (myst-nb's merge inserts stray line breaks)
    mathml.setup(app)
    accessibility.setup(app)
    failures.setup(app)
    app.add_config_value("coursesite_fingerprint", "", "env", types=(str,))
    app.add_config_value("coursesite_execution_key", "", "env", types=(str,))
    app.connect("config-inited", _load)
    app.connect("builder-inited", pageweight.add_template_filters)
    app.connect("builder-inited", cache.create_cache_database)
    app.connect("source-read", _check_contract)
    app.connect("html-page-context", pageweight.defer_head_scripts, priority=900)
    app.connect("doctree-resolved", _add_provenance)
    app.connect("build-finished", _write_notebooks)
    app.connect("build-finished", pageweight.subset_icon_fonts)
    app.add_directive("module-banner", ModuleBanner)
    app.add_directive("syllabus-table", SyllabusTable)
    app.add_directive("syllabus-toctree", SyllabusToctree)
    app.add_directive("next-module", NextModule)
    app.add_directive("run-it-yourself", RunItYourself)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
