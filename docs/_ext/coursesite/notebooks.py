"""Generate a real Jupyter notebook from each module page, for Colab and for download.

    python -m coursesite.notebooks [--out FOLDER] [PAGE ...]    (or: nox -s notebooks)

The page is read with myst-nb's own reader (the same cells the build executes). MyST-only
markup, which Jupyter and Colab cannot render, becomes plain Markdown or HTML that they
can: admonitions become block quotes, dropdowns become ``<details>``, cross-references
become links to the published site, ``literalinclude`` becomes the included code. A
directive or role the converter does not know stops the conversion with the page and the
markup named, rather than shipping raw MyST. Solution cells stay in the notebook, marked
and collapsed. A setup cell comes first: in Colab (only there) it installs ``coursecode``
at the exact commit that built the site, with the pinned versions of the packages that
shape the outputs.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook
from sphinx.directives.code import LiteralIncludeReader

from coursesite.cache import KEY_PACKAGES
from coursesite.markup import DIRECTIVE, parser, split_directive
from coursesite.settings import Settings, load_settings, source_commit
from coursesite.syllabus import Module, Syllabus, load_syllabus

SETUP_TAG = "course-setup"
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


class Converter:
    """Turns one module page into a notebook."""

    def __init__(
        self, page: Path, syllabus: Syllabus, settings: Settings, commit: str, pins: list[str]
    ):
        self.page = page
        self.pins = pins
        self.syllabus = syllabus
        self.settings = settings
        self.commit = commit
        module = syllabus.by_docname(f"modules/{page.stem}")
        if module is None:
            raise ConversionError(f"{page}: not a module page of the syllabus")
        self.module: Module = module
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
                else Path("modules", doc).as_posix().replace("modules/../", "")
            )
            if not explicit:
                module = self.syllabus.by_docname(resolved)
                text = f"Module {module.number} · {module.title}" if module else resolved
            return f"[{text}]({self.site(resolved)})"
        if name in ("math",):
            return f"${content}$"
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
        handler: Callable[[str, dict[str, str], str], str] | None = {
            "module-banner": self._banner,
            "next-module": self._next,
            "run-it-yourself": self._run_it_yourself,
            "dropdown": self._dropdown,
            "literalinclude": self._literalinclude,
            "math": lambda arg, opts, body: f"$$\n{body}\n$$",
        }.get(name)
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
        return f"**{self.syllabus.banner(m)}** · ⏱ {m.minutes} min"

    def _next(self, *_: object) -> str:
        nxt = self.syllabus.next_module(self.module)
        if nxt is None:
            return "This is the last module of the course."
        if self.syllabus.is_written(nxt):
            return f"**Next:** [Module {nxt.number} · {nxt.title}]({self.site(nxt.docname)})"
        return f"**Next:** Module {nxt.number} · {nxt.title} (being written)."

    def _run_it_yourself(self, *_: object) -> str:
        return (
            "You are running this module as a notebook. Its page on the course site, "
            f"with every output as the build printed it, is {self.site(self.module.docname)}."
        )

    def _dropdown(self, title: str, options: dict[str, str], body: str) -> str:
        # Markdown is not rendered inside <summary>: escape it, and turn `code` into HTML.
        summary = html.escape(self.inline(title), quote=False).replace("**", "") or "Details"
        summary = re.sub(r"`([^`]+)`", r"<code>\1</code>", summary)
        return f"<details>\n<summary>{summary}</summary>\n\n{self.markdown(body)}\n\n</details>"

    def _literalinclude(self, argument: str, options: dict[str, str], body: str) -> str:
        """The included code, selected exactly as Sphinx selects it for the page."""
        path = (self.page.parent / argument).resolve()
        if not path.is_file():
            raise ConversionError(f"{self.page}: literalinclude of a missing file {argument}")
        parsed = {
            k: _INCLUDE_OPTIONS[k](v) if k in _INCLUDE_OPTIONS else v for k, v in options.items()
        }
        config = SimpleNamespace(source_encoding="utf-8-sig")
        try:
            source, _ = LiteralIncludeReader(str(path), parsed, config).read()
        except ValueError as err:
            raise ConversionError(f"{self.page}: literalinclude {argument}: {err}") from None
        name = path.relative_to(path.parents[1]).as_posix()
        language = options.get("language", "python")
        return f"```{language}\n# from {name}\n{source.rstrip()}\n```"

    # -- the notebook ----------------------------------------------------------------------

    def setup_cell(self) -> nbformat.NotebookNode:
        package = f"coursecode @ git+{self.settings.repository_url}@{self.commit}"
        requirements = "".join(f"\n        {p!r}," for p in [package, *self.pins])
        source = f"""# Setup. In Google Colab this installs the course's package, coursecode, at the
# commit that built the course site ({self.commit[:12]}), with the pinned versions of
# the packages that shape this notebook's outputs. Anywhere else it does nothing:
# install the course's requirements as its README says.
import subprocess
import sys

if "google.colab" in sys.modules:
    requirements = [{requirements}\n    ]
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", *requirements],
        check=True,
    )"""
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = [SETUP_TAG]
        return cell

    def convert(self) -> nbformat.NotebookNode:
        text = self.page.read_text(encoding="utf-8")
        source_nb = read_myst_markdown_notebook(text)
        nb = nbformat.v4.new_notebook()
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
        }
        cells = [self.setup_cell()]
        for cell in source_nb.cells:
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
        if "remove-cell" in tags:
            return []
        new = nbformat.v4.new_code_cell(cell.source)
        keep = [t for t in tags if t in ("raises-exception", "solution")]
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


def pinned_requirements(constraints: Path) -> list[str]:
    """The constraints-file lines for the packages whose versions shape the outputs."""
    wanted = {p for p in KEY_PACKAGES if p != "coursecode"}
    pins = []
    for line in constraints.read_text(encoding="utf-8").splitlines():
        name = line.split("==")[0].strip().lower()
        if "==" in line and name in wanted:
            pins.append(line.strip())
    missing = wanted - {p.split("==")[0].lower() for p in pins}
    if missing:
        raise ConversionError(f"{constraints}: no pin for {sorted(missing)}")
    return pins


def write_notebooks(
    docs: Path, out: Path, pages: list[Path] | None = None, commit: str | None = None
) -> list[Path]:
    """Convert ``pages`` (default: every module page) into ``out``; return the files."""
    syllabus = load_syllabus(docs)
    settings = load_settings(docs.parent)
    commit = commit or source_commit(docs.parent)
    pins = pinned_requirements(docs / "constraints.txt")
    pages = pages or sorted((docs / "modules").glob("[0-9][0-9]-*.md"))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages:
        nb = Converter(page.resolve(), syllabus, settings, commit, pins).convert()
        target = out / f"{page.stem}.ipynb"
        nbformat.write(nb, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the module notebooks.")
    parser.add_argument("pages", nargs="*", type=Path, help="module pages (default: all)")
    parser.add_argument("--docs", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--out", type=Path, default=None, help="default: docs/_build/notebooks")
    args = parser.parse_args(argv)
    out = args.out or args.docs / "_build" / "notebooks"
    try:
        written = write_notebooks(args.docs, out, args.pages or None)
    except ConversionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    print(f"{len(written)} notebook(s) in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
