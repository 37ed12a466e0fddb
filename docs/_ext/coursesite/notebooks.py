"""Generate real Jupyter notebooks from each module page, for Colab and for download.

For every module the build writes three files and, for all of them, one zip:

- ``NN-slug.ipynb``, the **full** notebook: the page's text and code, solutions collapsed;
- ``NN-slug-practice.ipynb``, the **practice** notebook: each exercise's solution replaced
  by an empty cell for the learner, the check cells kept;
- ``NN-slug.py``, the full notebook as a percent-format script (``# %%`` cells);
- ``course-notebooks.zip``: every full and practice notebook.

The page is read with myst-nb's own reader (the same cells the build executes). MyST-only
markup, which Jupyter and Colab cannot render, becomes plain Markdown or HTML that they
can: admonitions become block quotes, dropdowns become ``<details>``, cross-references
become links to the published site, ``literalinclude`` becomes the included code, and a
``{glue:text}`` role becomes the text the site shows (read from the build's executed
outputs). Cells hidden from readers (``remove-cell``: glue and claim checks) are left out,
so a reader's run on other hardware cannot fail on the site's exact numbers. A directive
or role the converter does not know stops the conversion with the page and the markup
named, rather than shipping raw MyST. A setup cell comes first: in Colab (only there) it
installs ``coursecode`` at the exact commit that built the site, within the package's own
version ranges, so Colab's preinstalled torch and numpy stay.
"""

from __future__ import annotations

import html
import platform
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import jupytext
import nbformat
from myst_nb.core.read import read_myst_markdown_notebook
from myst_nb.sphinx_ext import OUTPUT_FOLDER
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.directives.code import LiteralIncludeReader
from sphinx.util import logging

from coursesite import compat
from coursesite.compat import require
from coursesite.contract import CHECK_CLASS
from coursesite.glue import GlueError, paste, read_glue_file
from coursesite.markup import DIRECTIVE, parser, split_directive
from coursesite.settings import Settings, load_settings, source_commit
from coursesite.state import CourseState, course_state
from coursesite.syllabus import Entry, Syllabus, load_syllabus

logger = logging.getLogger(__name__)
NOTEBOOKS_DIR = "notebooks"  # under the HTML output folder
SETUP_TAG = "course-setup"
PLACEHOLDER_TAG = "your-solution"
PRACTICE_SUFFIX = "-practice"
ZIP_NAME = "course-notebooks.zip"
ADMONITIONS = {
    "tip": "💡 Tip",
    "warning": "⚠️ Warning",
    "note": "📝 Note",
    "important": "❗ Important",
    "caution": "⚠️ Caution",
    "seealso": "🔗 See also",
}
_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_TARGET = re.compile(r"^\(([\w-]+)\)=\s*$", re.MULTILINE)
_EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.DOTALL)


class ConversionError(Exception):
    """MyST markup that the notebook converter cannot translate (page and markup named)."""


@dataclass(frozen=True)
class BuiltWith:
    """What executed the site's pages: the setup cell prints it beside the reader's own."""

    torch: str
    python: str
    device: str  # "CPU" or "GPU"

    @classmethod
    def here(cls, device: str = "CPU") -> BuiltWith:
        return cls(metadata.version("torch"), platform.python_version(), device)


class Converter:
    """Turns one module page into a notebook (the full one, or the practice one)."""

    def __init__(
        self,
        page: Path,
        syllabus: Syllabus,
        settings: Settings,
        commit: str,
        built_with: BuiltWith,
        glue: dict[str, str] | None = None,
        *,
        practice: bool = False,
    ):
        self.page = page
        self.syllabus = syllabus
        self.settings = settings
        self.commit = commit
        self.built_with = built_with
        self.glue = glue or {}
        self.practice = practice
        module = syllabus.by_docname(f"{page.parent.name}/{page.stem}")
        if module is None:
            raise ConversionError(f"{page}: not a module or project page of the syllabus")
        self.module: Entry = module
        self.md = parser()

    # -- links to the published site -------------------------------------------------------

    def site(self, docname: str, anchor: str = "") -> str:
        return f"{self.settings.site_url}/{docname}.html" + (f"#{anchor}" if anchor else "")

    def role(self, name: str, content: str) -> str:
        explicit = _EXPLICIT.match(content)
        text, target = (explicit[1], explicit[2]) if explicit else (content, content)
        if name == "term":
            # Sphinx's glossary ids keep the case: "Loss function" -> term-Loss-function
            anchor = "term-" + re.sub(r"[^A-Za-z0-9]+", "-", target).strip("-")
            return f"[{text}]({self.site('glossary', anchor)})"
        if name == "doc":
            doc = target.removesuffix(".md")
            resolved = (
                doc.lstrip("/")
                if doc.startswith("/")
                else posixpath.normpath(f"{self.page.parent.name}/{doc}")
            )
            if not explicit:
                entry = self.syllabus.by_docname(resolved)
                text = f"{entry.label} · {entry.title}" if entry else resolved
            return f"[{text}]({self.site(resolved)})"
        if name in ("math",):
            return f"${content}$"
        if name in ("glue", "glue:text"):
            try:
                return paste(content, self.glue)
            except GlueError as err:
                raise ConversionError(
                    f"{self.page}: {err}; build the site first (nox -s docs), the notebook "
                    "reads glued values from its executed pages"
                ) from None
        raise ConversionError(f"{self.page}: role {{{name}}} has no notebook equivalent")

    def inline(self, text: str) -> str:
        text = _TARGET.sub("", text)
        return _ROLE.sub(lambda m: self.role(m[1], m[2]), text)

    # -- directives ------------------------------------------------------------------------

    def markdown(self, text: str) -> str:
        """Convert a Markdown source (a cell or a directive's body) recursively."""
        lines = text.splitlines()
        out: list[str] = []
        cursor = 0
        for token in self.md.parse(text):
            if token.level != 0 or token.map is None:
                continue
            start, end = token.map
            if token.type in ("fence", "colon_fence") and DIRECTIVE.match(token.info.strip()):
                out.append(self.inline("\n".join(lines[cursor:start])))
                out.append(self.directive(token.info.strip(), token.content))
                cursor = end
            elif token.type in ("fence", "code_block"):
                out.append(self.inline("\n".join(lines[cursor:start])))
                out.append("\n".join(lines[start:end]))  # code is left exactly as written
                cursor = end
        out.append(self.inline("\n".join(lines[cursor:])))
        return "\n".join(part for part in out if part is not None).strip("\n")

    def directive(self, info: str, content: str) -> str:
        parts = split_directive(info, content)
        assert parts is not None
        name, argument, options, text = parts
        handlers: dict[str, Callable[[str, dict[str, str], str], str]] = {
            "module-banner": self._banner,
            "next-module": self._next,
            "run-it-yourself": self._run_it_yourself,
            "dropdown": self._dropdown,
            "literalinclude": self._literalinclude,
            "math": lambda arg, opts, body: f"$$\n{body}\n$$",
        }
        handler = handlers.get(name)
        if name in ADMONITIONS:
            return self._admonition(ADMONITIONS[name], self.markdown(text))
        if handler is None:
            raise ConversionError(
                f"{self.page}: directive {{{name}}} has no notebook equivalent; "
                f"teach the converter (coursesite/notebooks.py) or use plain Markdown"
            )
        return handler(argument, options, text)

    def _admonition(self, title: str, body: str) -> str:
        quoted = "\n".join(f"> {line}" if line else ">" for line in body.splitlines())
        return f"> **{title}**\n>\n{quoted}"

    def _banner(self, *_: object) -> str:
        m = self.module
        kind = "Practice notebook" if self.practice else "Notebook"
        estimate = self.syllabus.estimate(m)
        return (
            f"**{self.syllabus.banner(m)}** · read & run ~{estimate.read_run} min · "
            f"exercises ~{estimate.exercises} min\n\n"
            f"*{kind} of the course page {self.site(m.docname)}. The numbers quoted in its "
            "text are the site's, from PyTorch "
            f"{self.built_with.torch} on {self.built_with.device}; your run may differ "
            "slightly, more so on a GPU.*"
        )

    def _next(self, *_: object) -> str:
        nxt = self.syllabus.next_module(self.module)
        if nxt is None:
            return "This is the last page of the course."
        if self.syllabus.is_written(nxt):
            return f"**Next:** [{nxt.label} · {nxt.title}]({self.site(nxt.docname)})"
        return f"**Next:** {nxt.label} · {nxt.title} (being written)."

    def _run_it_yourself(self, *_: object) -> str:
        if self.practice:
            return (
                "You are running the practice notebook: each exercise's solution is an empty "
                "cell for your code, followed by a check cell that tells you whether your "
                "answer is right. The worked solutions are on the course page, "
                f"{self.site(self.module.docname)}."
            )
        return (
            "You are running this module as a notebook. Its page on the course site, "
            f"with every output as the build printed it, is {self.site(self.module.docname)}."
        )

    def _dropdown(self, title: str, options: dict[str, str], body: str) -> str:
        # Markdown is not rendered inside <summary>: escape it, and turn `code` into HTML.
        summary = html.escape(self.inline(title), quote=False).replace("**", "") or "Details"
        summary = re.sub(r"`([^`]+)`", r"<code>\1</code>", summary)
        if CHECK_CLASS in options.get("class-container", ""):
            summary = f"<b>Check your understanding:</b> {summary}"
        return f"<details>\n<summary>{summary}</summary>\n\n{self.markdown(body)}\n\n</details>"

    def _literalinclude(self, argument: str, options: dict[str, str], body: str) -> str:
        """The included code, selected exactly as Sphinx selects it for the page."""
        path = (self.page.parent / argument).resolve()
        if not path.is_file():
            raise ConversionError(f"{self.page}: literalinclude of a missing file {argument}")
        parsed = {
            k: _INCLUDE_OPTIONS[k](v) if k in _INCLUDE_OPTIONS else v for k, v in options.items()
        }
        config = Config({"source_encoding": "utf-8-sig"})  # all the reader reads of it
        try:
            source, _ = LiteralIncludeReader(str(path), parsed, config).read()
        except ValueError as err:
            raise ConversionError(f"{self.page}: literalinclude {argument}: {err}") from None
        name = path.relative_to(path.parents[1]).as_posix()
        language = options.get("language", "python")
        return f"```{language}\n# from {name}\n{source.rstrip()}\n```"

    # -- the notebook ----------------------------------------------------------------------

    def setup_cell(self) -> nbformat.NotebookNode:
        extras = f"[{','.join(self.module.extras)}]" if self.module.extras else ""
        package = f"coursecode{extras} @ git+{self.settings.repository_url}@{self.commit}"
        built = self.built_with
        source = SETUP_CELL.format(
            commit=self.commit[:12],
            package=package,
            torch=built.torch,
            device=built.device,
        )
        cell: nbformat.NotebookNode = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = [SETUP_TAG]
        return cell

    def convert(self, source: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
        """The notebook; ``source`` is the page as MyST-NB reads it (read here if not given:
        a page's full and practice notebooks are made from one reading)."""
        if source is None:
            source = read_myst_markdown_notebook(self.page.read_text(encoding="utf-8"))
        nb: nbformat.NotebookNode = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.metadata["language_info"] = {"name": "python"}
        nb.metadata["colab"] = {"provenance": [], "toc_visible": True}
        nb.metadata["coursecode"] = {
            "module": self.module.number,
            "slug": self.module.slug,
            "commit": self.commit,
            "page": self.site(self.module.docname),
            "practice": self.practice,
        }
        cells = [self.setup_cell()]
        for cell in source.cells:
            if cell.cell_type == "markdown":
                converted = self.markdown(cell.source)
                if converted.strip():
                    cells.append(nbformat.v4.new_markdown_cell(converted))
            elif cell.cell_type == "code":
                cells.extend(self.code(cell))
        nb.cells = cells
        nbformat.validate(nb)
        return nb

    def code(self, cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
        tags = list(cell.metadata.get("tags", []))
        if "remove-cell" in tags:  # glue and claim checks: for the site's numbers only
            return []
        if "solution" in tags and self.practice:
            return [
                nbformat.v4.new_markdown_cell(
                    "**Your solution.** Write your code in the next cell and run it; then "
                    "run the check cell after it, if there is one."
                ),
                nbformat.v4.new_code_cell(
                    "# your code here\n", metadata={"tags": [PLACEHOLDER_TAG]}
                ),
            ]
        new = nbformat.v4.new_code_cell(cell.source)
        keep = [t for t in tags if t in ("raises-exception", "solution", "check")]
        if keep:
            new.metadata["tags"] = keep
        out: list[nbformat.NotebookNode] = []
        if "solution" in tags:
            out.append(
                nbformat.v4.new_markdown_cell(
                    "**Solution.** Try the exercise first; the next cell is the worked "
                    "solution (collapsed: click to expand)."
                )
            )
            new.metadata["jupyter"] = {"source_hidden": True}
            new.metadata["cellView"] = "form"
        out.append(new)
        figure = cell.metadata.get("mystnb", {}).get("figure", {})
        if figure.get("caption"):
            caption = self.inline(" ".join(str(figure["caption"]).split()))
            out.append(nbformat.v4.new_markdown_cell(f"*Figure: {caption}*"))
        return out


_INCLUDE_OPTIONS = {"dedent": int, "lineno-start": int}

# The first cell of every notebook. In Colab it installs coursecode with the version
# *ranges* of its pyproject.toml, so pip keeps Colab's own torch, numpy, matplotlib and
# scikit-learn when they satisfy them (Colab preloads numpy and others into the kernel, and
# a pinned torch would pull a CUDA build of several GB). If the install still changed a
# package the kernel had already imported, it restarts the runtime (the standard Colab
# idiom), rather than leave a half-updated kernel.
SETUP_CELL = """\
# Setup: run this cell first. In Google Colab it installs the course's package,
# coursecode, at the commit that built the course site ({commit}), keeping Colab's own
# torch, numpy, matplotlib and scikit-learn when they are recent enough. Anywhere else
# it installs nothing: set up the course as its README says.
import sys

if "google.colab" in sys.modules:
    import importlib.metadata
    import os
    import subprocess

    def _versions():
        return {{
            d.metadata["Name"].lower().replace("_", "-"): d.version
            for d in importlib.metadata.distributions()
        }}

    _before = _versions()
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet",
            "{package}",
        ],
        check=True,
    )
    _after = _versions()
    _imported = {{
        name.lower().replace("_", "-")
        for module, names in importlib.metadata.packages_distributions().items()
        if module in sys.modules
        for name in names
    }}
    _changed = sorted(
        name for name in _imported
        if name in _before and _after.get(name) != _before[name]
    )
    if _changed:
        print(
            "Installing coursecode changed " + ", ".join(_changed) + ", which this "
            "runtime had already loaded. Restarting the runtime so that the new "
            "versions load: when it is back, run all cells again."
        )
        os.kill(os.getpid(), 9)

import torch

print(
    f"Running PyTorch {{torch.__version__}} on "
    f"{{'GPU' if torch.cuda.is_available() else 'CPU'}}; the course site was "
    "built with PyTorch {torch} on {device}. Numbers may differ slightly "
    "from the page's, more so on a GPU."
)"""


def notebook_names(stem: str) -> dict[str, str]:
    """File names of a module's downloads: full and practice notebooks, script."""
    return {
        "full": f"{stem}.ipynb",
        "practice": f"{stem}{PRACTICE_SUFFIX}.ipynb",
        "script": f"{stem}.py",
    }


def load_glue(glue_dir: Path, page: Path) -> dict[str, str]:
    """The values a page glued in the build whose executed pages are in ``glue_dir``."""
    path = glue_dir / page.parent.name / f"{page.stem}.glue.json"  # modules/ or projects/
    return read_glue_file(path) if path.is_file() else {}


def write_notebooks(
    docs: Path,
    out: Path,
    pages: list[Path] | None = None,
    *,
    glue_dir: Path | None = None,
    commit: str | None = None,
    built_with: BuiltWith | None = None,
    state: CourseState | None = None,
) -> list[Path]:
    """Write every download of ``pages`` (default: all modules) into ``out``.

    ``glue_dir`` is the build's executed-notebook folder (``<build>/jupyter_execute``),
    where the values the pages glue are found. ``state`` is the build's syllabus and
    settings (read from ``docs`` when not given). Returns the files written, the zip last.
    """
    if state is None:
        state = CourseState(load_syllabus(docs), load_settings(docs.parent))
    syllabus, settings = state.syllabus, state.settings
    commit = commit or source_commit(docs.parent)
    built_with = built_with or BuiltWith.here()
    glue_dir = glue_dir or docs / "_build" / OUTPUT_FOLDER
    pages = pages or [
        docs / entry.docname.split("/")[0] / entry.filename
        for entry in syllabus.entries
        if syllabus.is_written(entry)
    ]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages:
        page = page.resolve()
        glue = load_glue(glue_dir, page)
        names = notebook_names(page.stem)
        source = read_myst_markdown_notebook(page.read_text(encoding="utf-8"))
        for kind in ("full", "practice"):
            nb = Converter(
                page, syllabus, settings, commit, built_with, glue, practice=kind == "practice"
            ).convert(source)
            nbformat.write(nb, out / names[kind])
            written.append(out / names[kind])
            if kind == "full":
                (out / names["script"]).write_text(jupytext.writes(nb, fmt="py:percent"))
                written.append(out / names["script"])
    archive = out / ZIP_NAME
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in written:
            if path.suffix == ".ipynb":
                bundle.write(path, f"deep-learning-pytorch-notebooks/{path.name}")
    written.append(archive)
    return written


def write_after_build(app: Sphinx, exception: Exception | None) -> None:
    """After a successful HTML build, write every module's downloads (notebooks, script).
    Not for the EPUB (an HTML format too): its download links lead to the site's copies."""
    if exception is not None or app.builder.name != "html":
        return
    if app.config.nb_execution_mode == "off":
        logger.info("notebooks not written: the pages were not executed, nothing to quote")
        return
    from coursesite.provenance import runtime  # imports torch: only after a build

    try:
        written = write_notebooks(
            Path(app.srcdir),
            Path(app.outdir, NOTEBOOKS_DIR),
            glue_dir=Path(app.outdir).parent / OUTPUT_FOLDER,
            built_with=BuiltWith.here(runtime()[2]),
            state=course_state(app.config),
        )
    except (ConversionError, RuntimeError) as err:
        logger.error("notebooks: %s", err)  # fails the build (-W) with one clear line
        return
    logger.info("wrote %d notebook file(s) to %s", len(written), NOTEBOOKS_DIR)


def setup(app: Sphinx) -> None:
    require("sphinx", compat.SPHINX, "notebooks", "LiteralIncludeReader")
    app.connect("build-finished", write_after_build)
