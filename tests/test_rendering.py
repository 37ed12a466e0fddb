"""What a reader sees of printed text: the site renders it as Jupyter does.

These build a scratch site (the real extension) with one extra cell, so they are `build`
tests: they hold the behaviour of coursesite.streams, which replaces a private function of
myst-nb, and not only the fact that it was replaced.
"""

from __future__ import annotations

import html
import re

import pytest

from conftest import MODULE_PAGES, scratch_docs, sphinx_build
from coursesite.streams import carriage_returns

PAGE = MODULE_PAGES[0]
CELL = """```{code-cell} ipython3
import time
for i in range(3):
    print(f"\\rstep {i}", end="", flush=True)
    time.sleep(0.05)
print(" done")
print("first half, ", end="", flush=True)
time.sleep(0.3)  # the kernel flushes: a second chunk in the middle of the line
print("second half")
```
"""


@pytest.mark.parametrize(
    ("printed", "shown"),
    [
        ("\rstep 0\rstep 1\rstep 2 done\n", "step 2 done\n"),
        ("12345\rab\n", "ab345\n"),  # a shorter overwrite leaves the rest, as terminals do
        ("line\r\nnext\n", "line\nnext\n"),  # Windows line ends are plain line ends
        ("no carriage returns\n", "no carriage returns\n"),
    ],
)
def test_carriage_returns_as_jupyter_applies_them(printed, shown):
    assert carriage_returns(printed) == shown


@pytest.mark.build
def test_progress_lines_and_split_chunks_render_as_in_jupyter(tmp_path):
    text = PAGE.read_text().replace("## Summary\n", f"## Summary\n\n{CELL}", 1)
    docs = scratch_docs(tmp_path, {PAGE.name: text})
    result = sphinx_build(docs, docs / "_build" / "html", mode="force")
    page = (docs / "_build" / "html" / "modules" / f"{PAGE.stem}.html").read_text()
    output = re.search(r"<pre><span></span>(step 2 .*?)</pre>", page, re.DOTALL)
    assert output, result.stdout[-2000:]
    assert html.unescape(output[1]) == "step 2 done\nfirst half, second half\n"
