"""Device-agnostic code: pick the best available device once, use it everywhere.

Taught in Module 1 (Introduction to Deep Learning) and Module 2 (Tensors).
"""

from __future__ import annotations

import torch

_KNOWN = ("cuda", "mps", "cpu")


def _available(kind: str) -> bool:
    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        mps = getattr(torch.backends, "mps", None)
        return bool(mps is not None and mps.is_available())
    return kind == "cpu"


def get_device(prefer: str | None = None) -> torch.device:
    """Return the device to run on: CUDA if available, then Apple's MPS, then the CPU.

    Taught in Module 1 (Introduction to Deep Learning).

    Args:
        prefer: ``"cuda"``, ``"mps"`` or ``"cpu"`` to ask for one kind. If that kind is
            not available here, the automatic choice is returned instead, so a page
            written on a GPU still runs on a laptop.

    Returns:
        A :class:`torch.device`.

    Raises:
        ValueError: If ``prefer`` names no known device kind.

    Example:
        >>> from coursecode import get_device
        >>> get_device("cpu")
        device(type='cpu')
    """
    if prefer is not None:
        if prefer not in _KNOWN:
            raise ValueError(f"unknown device kind {prefer!r}; expected one of {_KNOWN}")
        if _available(prefer):
            return torch.device(prefer)
    for kind in _KNOWN:
        if _available(kind):
            return torch.device(kind)
    raise AssertionError("unreachable: the CPU is always available")  # pragma: no cover


def describe_device(device: torch.device | str | None = None) -> str:
    """Describe a device in words, e.g. ``"CPU"`` or ``"GPU (NVIDIA H100)"``.

    Taught in Module 1 (Introduction to Deep Learning); pages print it so readers know
    where the outputs they see were computed.

    Args:
        device: The device to describe; ``None`` describes :func:`get_device`'s choice.

    Returns:
        A short human-readable description.
    """
    device = get_device() if device is None else torch.device(device)
    if device.type == "cuda":
        return f"GPU ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "GPU (Apple MPS)"
    return device.type.upper()
