"""Plots every module needs: training curves, run comparisons and image grids.

``plot_history`` is taught in Module 7 (The Training Loop), ``plot_curves`` first used in
Module 9 (Activation Functions and Initialization), ``show_images`` in Module 8; later
modules call them instead of repeating matplotlib code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from coursecode.training import History


def plot_history(
    history: History, metrics: Sequence[str] = ("loss",), *, title: str | None = None
) -> Figure:
    """Training and validation curves, one panel per metric, best epoch marked.

    Taught in Module 7 (The Training Loop).

    Args:
        history: What :func:`coursecode.fit` returned.
        metrics: Base names, e.g. ``("loss", "accuracy")``: plots ``train_<name>`` and,
            when recorded, ``val_<name>``.
        title: Optional title above the panels.

    Returns:
        The figure.

    Raises:
        KeyError: If a metric was not recorded for training.
    """
    missing = [m for m in metrics if f"train_{m}" not in history]
    if missing:
        raise KeyError(f"not in the history: {missing}; recorded: {sorted(history.records)}")
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.6 * len(metrics) + 0.4, 3.2))
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, metrics, strict=True):
        epochs = range(1, len(history[f"train_{name}"]) + 1)
        ax.plot(epochs, history[f"train_{name}"], label="train")
        if f"val_{name}" in history:
            ax.plot(epochs, history[f"val_{name}"], label="validation")
        if history.best_epoch is not None:
            ax.axvline(history.best_epoch, color="grey", ls=":", label="best epoch")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_curves(
    curves: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    title: str | None = None,
    logy: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Several named curves on one axes, e.g. the validation loss of several runs.

    First used in Module 9 (Activation Functions and Initialization).

    Args:
        curves: Label to values; x runs from 1.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.
        title: Optional axes title.
        logy: Logarithmic y axis (losses spanning orders of magnitude).
        ax: Axes to draw on; a new figure when ``None``.

    Returns:
        The figure.
    """
    if not curves:
        raise ValueError("no curves to plot")
    fig: Figure | SubFigure  # an Axes' figure may be a subfigure
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.4))
    else:
        fig = ax.figure
    assert isinstance(fig, Figure)
    for label, values in curves.items():
        ax.plot(range(1, len(values) + 1), list(values), label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def show_images(
    images: torch.Tensor,
    labels: Sequence[object] | None = None,
    *,
    ncols: int = 8,
    cmap: str = "gray_r",
    size: float = 1.0,
) -> Figure:
    """A grid of small grayscale images, optionally titled with labels.

    Taught in Module 8 (Datasets and DataLoaders), for the 8×8 digits.

    Args:
        images: Shape ``(n, h, w)`` or ``(n, 1, h, w)``, any float range.
        labels: One title per image.
        ncols: Images per row.
        cmap: Matplotlib colour map; ``"gray_r"`` draws ink dark on white.
        size: Inches per image.

    Returns:
        The figure.
    """
    imgs = images.detach().cpu()
    if imgs.ndim == 4 and imgs.shape[1] == 1:
        imgs = imgs[:, 0]
    if imgs.ndim != 3:
        raise ValueError(f"expected (n, h, w) or (n, 1, h, w) images, got {tuple(images.shape)}")
    n = len(imgs)
    if labels is not None and len(labels) != n:
        raise ValueError(f"got {len(labels)} labels for {n} images")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15))
    flat = np.atleast_1d(axes).ravel()
    for i, ax in enumerate(flat):
        ax.axis("off")
        if i < n:
            ax.imshow(imgs[i].numpy(), cmap=cmap)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=9)
    fig.tight_layout()
    return fig
