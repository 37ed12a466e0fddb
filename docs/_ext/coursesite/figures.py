"""Figures that load light and do not shift the page.

- Every PNG a page shows gets its ``width`` and ``height`` (read from the file), so the
  browser reserves its box before it arrives (no layout shift), and every figure after a
  page's first is loaded lazily (the first may be what the reader sees first, so it is
  not delayed).
- After an HTML build, every PNG in ``_images/`` is optimised losslessly (oxipng: the
  alpha channel a plot never uses, better filters and compression), typically a third
  smaller. Results are kept by content hash in ``_build/.figure_cache``, so a rebuild
  re-optimises only new figures.

The figures' pixel size is set where they are drawn: matplotlib's default 100 dpi at the
course's figure sizes is about the article column's width (~700 px).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from PIL import Image
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)
CACHE = Path("_build", ".figure_cache")  # under the docs folder


class FigureSizes(SphinxPostTransform):
    """Width, height and lazy loading for each PNG of a page."""

    default_priority = 400
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        first = True
        for node in self.document.findall(nodes.image):
            path = Path(self.env.srcdir, node["uri"])
            if path.suffix.lower() != ".png" or not path.is_file():
                continue
            if "width" not in node and "height" not in node:
                with Image.open(path) as image:
                    node["width"], node["height"] = (str(n) for n in image.size)
            if not first:
                node["loading"] = "lazy"
            first = False


def optimise(path: Path, cache: Path) -> int:
    """Replace the PNG at ``path`` by its losslessly optimised version; the bytes saved."""
    import oxipng

    data = path.read_bytes()
    stored = cache / f"{hashlib.sha256(data).hexdigest()}.png"
    if not stored.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        scratch = stored.with_suffix(".tmp")
        scratch.write_bytes(data)
        oxipng.optimize(scratch, level=2, strip=oxipng.StripChunks.safe())
        scratch.replace(stored)
    shutil.copyfile(stored, path)
    return len(data) - path.stat().st_size


def optimise_figures(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name != "html":
        return
    images = sorted(Path(app.outdir, "_images").glob("*.png"))
    saved = sum(optimise(path, Path(app.srcdir) / CACHE) for path in images)
    logger.info("figures: %d PNGs optimised losslessly, %d KB saved", len(images), saved // 1024)


def setup(app: Sphinx) -> None:
    app.add_post_transform(FigureSizes)
    app.connect("build-finished", optimise_figures)
