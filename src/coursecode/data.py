"""Small datasets that ship with the course's dependencies, as tensors and loaders.

No downloads: the digits come with scikit-learn. Taught in Module 7 (The Training Loop)
and Module 8 (Datasets and DataLoaders).
"""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, TensorDataset, random_split


def load_digits(*, images: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 1,797 handwritten digits (8×8 pixels, classes 0–9) as tensors.

    Taught in Module 8 (Datasets and DataLoaders).

    Args:
        images: ``True`` gives inputs of shape ``(1797, 1, 8, 8)`` (one channel, for
            convolutions); ``False`` gives flat vectors of shape ``(1797, 64)``.

    Returns:
        ``(inputs, labels)``: float32 inputs scaled to [0, 1] (the raw pixels are 0–16)
        and int64 labels.
    """
    from sklearn.datasets import load_digits as _load  # heavy import, only when needed

    bunch = _load()
    x = torch.tensor(bunch.data, dtype=torch.float32) / 16.0
    y = torch.tensor(bunch.target, dtype=torch.int64)
    return (x.reshape(-1, 1, 8, 8) if images else x), y


def make_loaders(
    inputs: torch.Tensor,
    targets: torch.Tensor,
    *,
    batch_size: int = 64,
    val_fraction: float = 0.2,
    seed: int = 0,
) -> tuple[DataLoader[tuple[torch.Tensor, ...]], DataLoader[tuple[torch.Tensor, ...]]]:
    """Split tensors into shuffled training and fixed validation loaders, reproducibly.

    Taught in Module 8 (Datasets and DataLoaders).

    Args:
        inputs: First dimension indexes examples.
        targets: One target per example.
        batch_size: Examples per batch.
        val_fraction: Share of examples held out for validation, in (0, 1).
        seed: Seeds both the split and the training loader's shuffling, so the same
            arguments give the same batches in the same order.

    Returns:
        ``(train_loader, val_loader)``; the validation loader does not shuffle.

    Note:
        The training loader's generator advances with every pass, so two runs that share
        one loader see different batch orders: to compare runs, call ``make_loaders``
        again for each. The split is random, so it is not for time series, whose
        overlapping windows would leak from training into validation (Module 18).
    """
    if len(inputs) != len(targets):
        raise ValueError(f"{len(inputs)} inputs but {len(targets)} targets")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    dataset = TensorDataset(inputs, targets)
    n_val = max(1, round(len(dataset) * val_fraction))
    train, val = random_split(
        dataset,
        [len(dataset) - n_val, n_val],
        generator=torch.Generator().manual_seed(seed),
    )
    train_loader = DataLoader(
        train,
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    # A loader draws a base seed from the global generator on every pass unless it has a
    # generator of its own: give it one, so validating does not shift later random draws.
    val_loader = DataLoader(
        val,
        batch_size=batch_size * 4,
        shuffle=False,
        generator=torch.Generator().manual_seed(seed),
    )
    return train_loader, val_loader
