"""Units of the site extension: the execution-cache key and failure locating."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import MODULE_PAGES, unmeasured_kernels
from coursesite.cache import execution_cache_path, execution_key, package_dir
from coursesite.failures import code_cells, error_summary, failed_source, locate

CELL_ERROR = """An error occurred while executing the following cell:
------------------
x = 1
raise ValueError('boom')
------------------

\x1b[0;31mValueError\x1b[0m: boom
"""
TIMEOUT_ERROR = """A cell timed out while it was being executed, after 3 seconds.
The message was: Cell execution timed out.
Here is a preview of the cell contents:
-------------------
['import time', 'time.sleep(120)']
-------------------
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(package_dir("coursecode"), pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return pkg


def test_key_changes_with_package_sources_and_pins(package, tmp_path):
    pins = tmp_path / "constraints.txt"
    pins.write_text("torch==2.13.0\n")
    key = execution_key(package, pins)
    assert execution_key(package, pins) == key, "stable for an unchanged tree"
    (package / "repro.py").write_text((package / "repro.py").read_text() + "\n# changed\n")
    changed_code = execution_key(package, pins)
    assert changed_code != key
    pins.write_text("torch==2.13.1\n")
    assert execution_key(package, pins) not in (key, changed_code)


def test_provenance_names_the_torch_the_kernels_import_without_importing_it():
    import platform

    import torch

    from coursesite.provenance import runtime

    device = "GPU" if torch.cuda.is_available() else "CPU"
    assert runtime.__wrapped__() == (torch.__version__, platform.python_version(), device)


def test_provenance_reads_torchs_build_and_imports_a_cuda_build(tmp_path, monkeypatch):
    from coursesite import provenance

    version = tmp_path / "version.py"
    version.write_text(
        "from typing import Optional\n__version__ = '2.13.0'\ncuda: Optional[str] = '12.6'\n"
        "hip: Optional[str] = None\ngit_version = compute()\nmajor, minor = 2, 13\n"
    )
    assert provenance.torch_build(version) == {"__version__": "2.13.0", "cuda": "12.6", "hip": None}
    assert provenance.torch_build(tmp_path / "missing.py") == {}
    # A CUDA build: only torch itself can say whether a GPU is there.
    monkeypatch.setattr(
        provenance, "torch_build", lambda path: {"__version__": "x", "cuda": "12.6", "hip": None}
    )
    import torch

    assert provenance.runtime.__wrapped__()[0] == torch.__version__
    # No torch folder to read (a zipped or unusual install): import it, as before.
    monkeypatch.undo()

    def not_found(name: str) -> Path:
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(provenance, "package_dir", not_found)
    assert provenance.runtime.__wrapped__()[0] == torch.__version__


def test_cache_path_prunes_caches_of_other_keys(tmp_path):
    root = tmp_path / "cache"
    (root / "old").mkdir(parents=True)
    (root / "new").mkdir()
    assert execution_cache_path(root, "new") == root / "new"
    assert [p.name for p in root.iterdir()] == ["new"]


def test_package_dir_explains_a_missing_package():
    with pytest.raises(ModuleNotFoundError, match="not installed"):
        package_dir("no_such_package_xyz")


def test_failed_source_and_summary_of_a_cell_error():
    assert failed_source(CELL_ERROR) == "x = 1\nraise ValueError('boom')"
    assert error_summary(CELL_ERROR) == "ValueError: boom"


def test_failed_source_and_summary_of_a_timeout():
    assert failed_source(TIMEOUT_ERROR) == "import time\ntime.sleep(120)"
    assert "timed out" in error_summary(TIMEOUT_ERROR)
    assert failed_source("no cell quoted") is None
    assert error_summary("") == "unknown error"


def test_locate_finds_the_cell_and_its_line(tmp_path):
    page = MODULE_PAGES[0]
    cells = code_cells(page)
    source, line = cells[2]
    error = f"An error occurred:\n------------------\n{source}\n------------------\n\nE: x\n"
    where = locate(page, error)
    assert (where.index, where.line) == (3, line)
    assert page.read_text().splitlines()[line - 1].startswith("```{code-cell}")
    assert locate(page, "nothing quoted") is None
    assert locate(tmp_path / "missing.md", error) is None


def test_runpage_checks_and_executes_one_page(tmp_path, capsys):
    from runpage import main

    with unmeasured_kernels():
        status = main([str(MODULE_PAGES[0]), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "== contract: " in out
    assert "   ok" in out
    assert "== cell 1 (line " in out
    # The verdict is a timing (OVER when the machine is busy, as under a parallel test
    # run); that it is reported against the budget is what is tested here.
    assert re.search(r"== executed in [\d.]+ s \((within|OVER) the 20 s budget\)", out), out
    assert list(tmp_path.glob("cell*.png")), "figures are saved for the author to look at"


def _page(path: Path, outputs: list[str], tags: list[str] | None = None) -> None:
    """A minimal built module page: one div.cell per output, as myst-nb renders them."""
    cells = "".join(
        f'<div class="cell {(tags or [""] * len(outputs))[i]} docutils container">'
        f'<div class="cell_input"><pre>print()</pre></div>'
        f'<div class="cell_output"><pre>{text}</pre></div></div>'
        for i, text in enumerate(outputs)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body><article>{cells}</article></body></html>")


def test_reproduce_names_the_page_and_cell_that_differ(tmp_path, capsys):
    from reproduce import compare, main

    a, b = tmp_path / "a", tmp_path / "b"
    _page(a / "modules" / "01-x.html", ["1", "2", "3"])
    _page(b / "modules" / "01-x.html", ["1", "2", "4"])
    report = compare(a, b)
    assert report.differences == ["modules/01-x.html: code cell 3 printed different outputs"]
    assert (report.pages, report.cells, report.skipped) == (1, 3, 0)
    assert main([str(a), str(b)]) == 1
    assert "DIFFERS modules/01-x.html: code cell 3" in capsys.readouterr().out


def test_reproduce_skips_and_counts_nondeterministic_cells(tmp_path, capsys):
    from reproduce import main

    a, b = tmp_path / "a", tmp_path / "b"
    tags = ["", "tag_nondeterministic"]
    _page(a / "modules" / "25-x.html", ["same", "1.2 ms"], tags)
    _page(b / "modules" / "25-x.html", ["same", "1.5 ms"], tags)
    assert main([str(a), str(b)]) == 0
    assert "2 code cells compared, 1 skipped" in capsys.readouterr().out


def test_reproduce_refuses_an_empty_comparison(tmp_path):
    from reproduce import main

    (tmp_path / "a" / "modules").mkdir(parents=True)
    (tmp_path / "b" / "modules").mkdir(parents=True)
    assert main([str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    assert main([]) == 2


def test_kernel_environment_is_the_builds_own(tmp_path, monkeypatch):
    from coursesite.kernels import KERNEL_CONFIG, prepare_kernel_environment

    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OMP_NUM_THREADS", "8")
    monkeypatch.setenv("IPYTHONDIR", "/somewhere/else")
    prepare_kernel_environment(tmp_path)
    assert "MPLBACKEND" not in os.environ
    assert os.environ["OMP_NUM_THREADS"] == "1"
    assert os.environ["IPYTHONDIR"] == str(tmp_path / "ipython")
    config = tmp_path / "ipython" / "profile_default" / "ipython_kernel_config.py"
    assert config.read_text() == KERNEL_CONFIG


def test_stream_chunks_are_joined_exactly_as_printed():
    from nbformat.v4 import new_output

    from coursesite.streams import merge_stream_chunks

    chunks = [
        new_output("stream", name="stdout", text="from_numpy sees the edit:"),
        new_output("stream", name="stdout", text=" 100.0\nnext line\n"),
        new_output("display_data", data={"text/plain": "<Figure>"}),
        new_output("stream", name="stdout", text="after the figure\n"),
        new_output("stream", name="stderr", text="warn\n"),
    ]
    merged = merge_stream_chunks(chunks)
    assert [o.output_type for o in merged] == ["stream", "display_data", "stream", "stream"]
    assert merged[0].text == "from_numpy sees the edit: 100.0\nnext line\n"
    assert merged[2].text == "after the figure\n"
    assert chunks[0].text == "from_numpy sees the edit:", "inputs are not modified"


def test_the_site_renders_streams_with_the_exact_join():
    from myst_nb.core import render

    import coursesite
    from coursesite.streams import merge_stream_chunks

    coursesite.streams.install()
    assert render.coalesce_streams is merge_stream_chunks


def test_math_becomes_mathml_and_unknown_commands_fail():
    from coursesite.mathml import MathError, to_mathml

    inline = to_mathml(r"\frac{1}{2} \in \mathbb{R}", display=False)
    assert inline.startswith("<math")
    assert 'display="inline"' in inline
    assert "<mfrac>" in inline
    assert "&#x0211D;" in inline
    assert 'display="block"' in to_mathml(r"\sum_{j} e^{z_j}", display=True)
    with pytest.raises(MathError, match=r"unsupported LaTeX command \\foo"):
        to_mathml(r"\foo{x} + 1", display=False)
    aligned = to_mathml(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", display=True)
    assert aligned.count("<mtr>") == 2, "aligned rows become table rows"
    with pytest.raises(MathError, match="unsupported environment or line break"):
        to_mathml(r"\begin{gathered} a = b \\ c = d \end{gathered}", display=True)
    with pytest.raises(MathError, match="cannot convert"):
        to_mathml(r"\frac{1}{", display=False)


def test_drop_scripts_removes_exactly_the_named_scripts():
    from coursesite.pageweight import drop_scripts

    head = (
        '<link href="a.css" rel="stylesheet" />\n'
        '    <script defer src="../_static/scripts/fontawesome.js?digest=1"></script>\n'
        '    <script src="../searchindex.js"></script>\n'
        '    <script src="../_static/doctools.js?v=2"></script>\n'
    )
    kept = drop_scripts(head, "fontawesome.js", "searchindex.js")
    assert (
        kept
        == '<link href="a.css" rel="stylesheet" />\n    <script src="../_static/doctools.js?v=2"></script>\n'
    )
    with pytest.raises(
        ValueError, match=r"expected the theme to load searchtools\.js once, found 0"
    ):
        drop_scripts(head, "searchtools.js")


def test_icon_fonts_keep_only_the_icons_named(tmp_path):
    import pydata_sphinx_theme
    from fontTools.ttLib import TTFont

    from coursesite.pageweight import icon_code_points, subset_font

    css = '.fa-bars,.fa-navicon{--fa:"\\f0c9"}.fa-sun{--fa:"\\f185"}.fa-lg{font-size:1.25em}'
    assert icon_code_points(css) == {"bars": 0xF0C9, "navicon": 0xF0C9, "sun": 0xF185}
    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    original = theme / "static" / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2"
    target = tmp_path / "fa-solid-900.woff2"
    subset_font(original, target, {0xF0C9, 0xF185})
    assert set(TTFont(target).getBestCmap()) == {0xF0C9, 0xF185}
    assert target.stat().st_size < original.stat().st_size / 20


def test_glue_pastes_with_myst_nbs_own_formatting(tmp_path):
    from coursesite.glue import GlueError, paste, paste_text, read_glue_file, split_role

    assert split_role("acc:.1%") == ("acc", ".1%")
    assert split_role("count") == ("count", "s")
    values = {"acc": "0.9234", "n": "17834", "name": "'adam'"}
    assert paste("acc:.1%", values) == "92.3%"
    assert paste("n:,d", values) == "17,834"
    assert paste("name", values) == "adam"  # a string's repr, unquoted as the site shows it
    with pytest.raises(GlueError, match="no cell glued 'missing'"):
        paste("missing:.2f", values)
    with pytest.raises(GlueError, match=r"name:\.2f"):
        paste("name:.2f", values)  # a word cannot be shown as a number
    assert paste("acc:d", values) == "0", "as myst-nb: :d truncates a float (glue ints)"
    shown = paste_text("at {glue:text}`acc:.0%` and {glue:text}`gone:.1f`", values)
    assert shown[0] == ("{glue:text}`acc:.0%`", "92%")
    assert shown[1][1].startswith("ERROR: ")
    bundle = tmp_path / "page.glue.json"
    bundle.write_text('{"acc": {"data": {"text/plain": "0.5"}}, "img": {"data": {}}}')
    assert read_glue_file(bundle) == {"acc": "0.5"}


def test_glue_values_are_read_from_an_executed_notebook():
    import nbformat

    from coursesite.glue import GLUE_PREFIX, glue_values

    cell = nbformat.v4.new_code_cell("glue('x', 1)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={f"{GLUE_PREFIX}text/plain": "1"},
            metadata={"scrapbook": {"name": "x", "mime_prefix": GLUE_PREFIX}},
        ),
        nbformat.v4.new_output("stream", name="stdout", text="printed\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert glue_values(nb) == {"x": "1"}


def test_compat_stops_the_build_outside_the_tested_range():
    from sphinx.errors import ExtensionError

    from coursesite.compat import require

    require("sphinx", ">=1", "example", "nothing")  # inside: silent
    with pytest.raises(ExtensionError, match=r"coursesite.example relies on .* of sphinx <1"):
        require("sphinx", "<1", "example", "a private API")


def test_stylesheet_keeps_exactly_the_rules_the_site_can_use():
    from coursesite.stylesheet import prune_stylesheet

    css = (
        ":root{--x:1}"
        ".used,.unused{color:red}"
        ".unused .used{color:blue}"
        "a:not(.unused){color:green}"
        ":is(.unused) p{margin:0}"
        ".bs-tooltip-auto .tooltip-arrow{top:0}"
        "@media (min-width:10px){.unused{width:1px}.used{height:2px}}"
        "@media print{.unused{width:1px}}"
        "@font-face{font-family:F}"
    )
    pruned = prune_stylesheet(css, {"used"})
    assert ".used{color:red}" in pruned  # the unused selector dropped from the list
    assert "color:blue" not in pruned  # needs .unused
    assert "color:green" in pruned  # :not(.unused) requires nothing
    assert ":is(.unused)" in pruned  # cannot judge: kept
    assert ".bs-tooltip-auto" in pruned  # Bootstrap builds it at run time
    assert "height:2px" in pruned
    assert "width:1px" not in pruned
    assert "@media print" not in pruned  # emptied, dropped
    assert "--x:1" in pruned
    assert "@font-face" in pruned


def test_theme_tab_stop_loop_is_taken_out_of_the_installed_theme_script():
    """The installed theme's script holds the loop once; it comes out, nothing else
    changes, and a script without it (another theme version) stops the build."""
    import pydata_sphinx_theme
    from sphinx.errors import ExtensionError

    from coursesite.tabstops import REPLACEMENT, SCRIPT, THEME_WRITE, without_theme_tab_stops

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    script = (theme / "static" / SCRIPT.relative_to("_static")).read_text(encoding="utf-8")
    edited = without_theme_tab_stops(script)
    assert THEME_WRITE not in edited
    assert edited.replace(REPLACEMENT, THEME_WRITE) == script
    with pytest.raises(ExtensionError, match="no longer holds the tab-stop loop"):
        without_theme_tab_stops(edited)
