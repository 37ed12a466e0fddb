"""Companion code for *Deep Learning with PyTorch · Intermediate*.

Every public helper here is taught on one page of the course and reused by later pages,
so that code is written once and tested once. Each docstring names the module that
teaches it.
"""

from importlib.metadata import PackageNotFoundError, version

from coursecode.device import describe_device, get_device
from coursecode.diagrams import draw_network
from coursecode.repro import DEFAULT_SEED, seed_everything

try:
    __version__ = version("coursecode")
except PackageNotFoundError:  # pragma: no cover - only when run from a bare source tree
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_SEED",
    "__version__",
    "describe_device",
    "draw_network",
    "get_device",
    "seed_everything",
]
