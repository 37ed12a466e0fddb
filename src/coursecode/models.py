"""Small utilities for inspecting models.

Taught in Module 4 (Building Models with nn.Module).
"""

from __future__ import annotations

from torch import nn


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameter values in ``model``; a tensor shared by two layers counts once.

    Taught in Module 4 (Building Models with nn.Module).

    Args:
        model: Any module.
        trainable_only: Count only parameters with ``requires_grad=True`` (what an
            optimizer will update; frozen layers are left out, see Module 17).

    Returns:
        The total number of scalar values.
    """
    return sum(
        p.numel()
        for p in model.parameters()  # parameters() yields a shared tensor once
        if p.requires_grad or not trainable_only
    )
