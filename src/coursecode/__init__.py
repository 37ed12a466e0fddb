"""Companion code for *Deep Learning with PyTorch · Intermediate*.

Every public helper here is taught on one page of the course and reused by later pages,
so that code is written once and tested once. Each docstring names the module that
teaches it.
"""

from importlib.metadata import PackageNotFoundError, version

from coursecode.data import load_digits, make_loaders
from coursecode.device import describe_device, get_device
from coursecode.diagrams import draw_network
from coursecode.models import count_parameters
from coursecode.plotting import plot_curves, plot_history, show_images
from coursecode.repro import DEFAULT_SEED, seed_everything
from coursecode.training import (
    EarlyStopping,
    History,
    accuracy,
    evaluate,
    fit,
    train_one_epoch,
)

try:
    __version__ = version("coursecode")
except PackageNotFoundError:  # pragma: no cover - only when run from a bare source tree
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_SEED",
    "EarlyStopping",
    "History",
    "__version__",
    "accuracy",
    "count_parameters",
    "describe_device",
    "draw_network",
    "evaluate",
    "fit",
    "get_device",
    "load_digits",
    "make_loaders",
    "plot_curves",
    "plot_history",
    "seed_everything",
    "show_images",
    "train_one_epoch",
]
