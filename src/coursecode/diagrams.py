"""Diagrams drawn by code, so every figure in the course is reproducible.

Taught in Module 1 (Introduction to Deep Learning).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Circle

_LAYER_COLOURS = ("#4C72B0", "#DD8452", "#55A868")  # input, hidden, output
_GAP = 3.0  # horizontal distance between layers


def _shown_rows(size: int, max_shown: int) -> list[int | None]:
    """Row indices to draw for a layer; ``None`` marks the elided middle ("⋮")."""
    if size <= max_shown:
        return list(range(size))
    head = (max_shown - 1) // 2
    tail = max_shown - 1 - head
    return [*range(head), None, *range(size - tail, size)]


def draw_network(
    layer_sizes: Sequence[int],
    *,
    layer_names: Sequence[str] | None = None,
    max_shown: int = 7,
    show_passes: bool = True,
    ax: Axes | None = None,
) -> Figure:
    """Draw a fully connected feed-forward network: neurons as circles, weights as lines.

    Taught in Module 1 (Introduction to Deep Learning), where it replaces an ASCII-art
    sketch with a figure whose layer sizes come from the model itself.

    Args:
        layer_sizes: Neurons per layer, input layer first, e.g. ``[10, 5, 1]``.
        layer_names: One label per layer; defaults to "Input", "Hidden 1", …, "Output".
        max_shown: Draw at most this many neurons per layer (at least 3); larger layers
            show their first and last neurons with "⋮" between.
        show_passes: Annotate the forward pass (left to right) and the backward pass
            (right to left) under the network.
        ax: Axes to draw on; a new figure is created when ``None``.

    Returns:
        The :class:`~matplotlib.figure.Figure` that holds the drawing.

    Raises:
        ValueError: If there are fewer than two layers, a size is not a positive
            integer, ``layer_names`` has the wrong length, or ``max_shown < 3``.
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"a network needs at least 2 layers, got {len(sizes)}")
    if any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"layer sizes must be positive integers, got {sizes}")
    if max_shown < 3:
        raise ValueError(f"max_shown must be at least 3, got {max_shown}")
    if layer_names is None:
        hidden = [f"Hidden {i}" for i in range(1, len(sizes) - 1)]
        names = ["Input", *hidden, "Output"]
    else:
        names = list(layer_names)
        if len(names) != len(sizes):
            raise ValueError(f"got {len(names)} layer names for {len(sizes)} layers")

    fig: Figure | SubFigure  # an Axes' figure may be a subfigure
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.6 * len(sizes) + 1.0, 4.2))
    else:
        fig = ax.figure
    assert isinstance(fig, Figure)

    rows = [_shown_rows(s, max_shown) for s in sizes]
    tallest = max(len(r) for r in rows)
    radius = 0.22

    def centres(layer: int) -> list[tuple[float, float, int | None]]:
        shown = rows[layer]
        top = (len(shown) - 1) / 2  # centre every layer on y = 0
        return [(layer * _GAP, top - k, r) for k, r in enumerate(shown)]

    all_centres = [centres(i) for i in range(len(sizes))]
    label_y = (tallest - 1) / 2 + 0.5
    for left, right in pairwise(all_centres):
        for x0, y0, r0 in left:
            for x1, y1, r1 in right:
                if r0 is None or r1 is None:
                    continue
                ax.plot([x0 + radius, x1 - radius], [y0, y1], color="#9AA0A6", lw=0.7, zorder=1)

    for i, layer in enumerate(all_centres):
        colour = _LAYER_COLOURS[0 if i == 0 else 2 if i == len(sizes) - 1 else 1]
        for x, y, r in layer:
            if r is None:
                ax.text(x, y, "⋮", ha="center", va="center", fontsize=16)
                continue
            ax.add_patch(Circle((x, y), radius, facecolor=colour, edgecolor="black", zorder=2))
        ax.text(i * _GAP, label_y, f"{names[i]}\n({sizes[i]})", ha="center", va="bottom")

    bottom = min(y for layer in all_centres for _, y, _ in layer)
    if show_passes:
        x_end = (len(sizes) - 1) * _GAP
        arrow = {"arrowstyle": "-|>", "lw": 1.5}
        ax.annotate("", xy=(x_end, bottom - 0.9), xytext=(0, bottom - 0.9), arrowprops=arrow)
        ax.text(x_end / 2, bottom - 0.8, "forward pass: x → prediction", ha="center", va="bottom")
        ax.annotate("", xy=(0, bottom - 1.6), xytext=(x_end, bottom - 1.6), arrowprops=arrow)
        ax.text(x_end / 2, bottom - 1.7, "backward pass: ∂loss/∂w", ha="center", va="top")

    ax.set_xlim(-1.0, (len(sizes) - 1) * _GAP + 1.0)
    ax.set_ylim(bottom - (2.3 if show_passes else 0.6), label_y + 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
