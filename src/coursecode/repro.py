"""Reproducibility: one call that seeds every random source a course page uses.

Taught in Module 1 (Introduction to Deep Learning) and explained in depth in
Module 24 (Saving, Loading and Reproducibility).
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

DEFAULT_SEED = 0
"""The seed every course page uses unless it says otherwise."""


def seed_everything(seed: int = DEFAULT_SEED, *, deterministic: bool = True) -> int:
    """Seed Python's, NumPy's and PyTorch's random generators (CPU and every GPU).

    Taught in Module 1 (Introduction to Deep Learning); Module 24 explains each setting.

    Args:
        seed: A non-negative integer below ``2**32`` (NumPy's limit).
        deterministic: Also ask PyTorch for deterministic algorithms
            (:func:`torch.use_deterministic_algorithms`, with ``warn_only=True`` so that
            an operation with no deterministic implementation on a GPU warns instead of
            stopping the page), turn off cuDNN's benchmark autotuner and set
            ``CUBLAS_WORKSPACE_CONFIG`` (which older PyTorch releases needed for
            repeatable CUDA matrix products).
            ``False`` restores PyTorch's defaults.

    Returns:
        The seed, so a page can print or log what it used.

    Raises:
        TypeError: If ``seed`` is not an ``int`` (``True`` and ``1.0`` are refused too).
        ValueError: If ``seed`` is negative or not below ``2**32``.

    Example:
        >>> from coursecode import seed_everything
        >>> import torch
        >>> _ = seed_everything(0)
        >>> a = torch.rand(2)
        >>> _ = seed_everything(0)
        >>> torch.equal(a, torch.rand(2))
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds the CPU generator and every CUDA device's generator

    if deterministic:
        # Older PyTorch releases needed this before the first cuBLAS call for repeatable
        # CUDA matrix products; recent ones manage cuBLAS's workspace themselves. Harmless.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    # warn_only: an operation with no deterministic implementation on the reader's device
    # (e.g. NLLLoss, inside CrossEntropyLoss, on CUDA) warns instead of raising, so every
    # page still runs on a GPU. The CPU build treats any warning as an error, so it stays
    # strict.
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    torch.backends.cudnn.deterministic = deterministic
    if deterministic:
        torch.backends.cudnn.benchmark = False
    return seed
