"""The course's reusable training loop: train one epoch, evaluate, fit.

Taught in Module 7 (The Training Loop), which builds this loop step by step; every later
module imports it instead of writing the loop again.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import nn

Metric = Callable[[torch.Tensor, torch.Tensor], torch.Tensor | float]
"""A metric takes (model outputs, targets) for one batch and returns a batch average."""


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Fraction of rows whose largest logit is at the target class index.

    Taught in Module 7 (The Training Loop).

    Args:
        logits: Shape ``(batch, classes)``.
        targets: Class indices, shape ``(batch,)``.

    Returns:
        A 0-d float tensor in [0, 1].
    """
    if logits.ndim != 2 or targets.shape != logits.shape[:1]:
        raise ValueError(
            f"accuracy expects logits (batch, classes) and targets (batch,), "
            f"got {tuple(logits.shape)} and {tuple(targets.shape)}"
        )
    return (logits.argmax(dim=1) == targets).float().mean()


def _device_of(model: nn.Module, device: torch.device | str | None) -> torch.device | str | None:
    """``device`` if given, else where the model's parameters live (None if it has none)."""
    if device is not None:
        return device
    first = next(model.parameters(), None)
    return first.device if first is not None else None


def _to(batch: object, device: torch.device | str | None) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise TypeError("each batch must be an (inputs, targets) pair, as TensorDataset yields")
    inputs, targets = batch
    return inputs.to(device), targets.to(device)


def train_one_epoch(
    model: nn.Module,
    loader: Iterable[object],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    *,
    device: torch.device | str | None = None,
    metrics: Mapping[str, Metric] | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    max_grad_norm: float | None = None,
) -> dict[str, float]:
    """One pass over ``loader`` in training mode, updating the model after every batch.

    Taught in Module 7 (The Training Loop).

    Args:
        model: The model; put in training mode (``model.train()``) for the epoch.
        loader: Yields ``(inputs, targets)`` batches.
        loss_fn: Maps (outputs, targets) to a scalar mean loss for the batch.
        optimizer: Updates the model's parameters.
        device: Where to move each batch; ``None`` means where the model's parameters are.
        metrics: Extra per-batch metrics to average, e.g. ``{"accuracy": accuracy}``.
            Each is averaged over batches weighted by their size, which is exact only for
            metrics that are a mean over examples (accuracy, not precision or F1).
        scheduler: A learning-rate scheduler stepped after every batch (for per-batch
            schedules such as ``OneCycleLR``); epoch-wise schedulers belong in :func:`fit`.
        max_grad_norm: If set, clip the gradients' total norm to this value before each
            step (:func:`torch.nn.utils.clip_grad_norm_`).

    Returns:
        ``{"loss": ..., <metric>: ...}``, each averaged over examples (batches weighted by
        their size).

    Raises:
        ValueError: If the loss becomes NaN or infinite, naming the batch, so a diverging
            run stops at once instead of training on garbage.
    """
    model.train()
    device = _device_of(model, device)
    metrics = dict(metrics or {})
    totals = dict.fromkeys(["loss", *metrics], 0.0)
    seen = 0
    for step, batch in enumerate(loader):
        inputs, targets = _to(batch, device)
        outputs = model(inputs)
        loss = loss_fn(outputs, targets)
        if not torch.isfinite(loss):
            raise ValueError(f"loss is {loss.item()} at batch {step}: training diverged")
        optimizer.zero_grad()
        loss.backward()
        if max_grad_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        n = len(targets)
        seen += n
        totals["loss"] += loss.item() * n
        with torch.no_grad():
            for name, metric in metrics.items():
                totals[name] += float(metric(outputs, targets)) * n
    if seen == 0:
        raise ValueError("the loader yielded no batches")
    return {name: total / seen for name, total in totals.items()}


def evaluate(
    model: nn.Module,
    loader: Iterable[object],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    *,
    device: torch.device | str | None = None,
    metrics: Mapping[str, Metric] | None = None,
) -> dict[str, float]:
    """Average loss and metrics over ``loader`` in eval mode, without gradients.

    Taught in Module 7 (The Training Loop). The model is put in ``eval()`` mode (dropout
    off, batch norm uses running statistics) under :func:`torch.inference_mode`. Afterwards,
    even when the pass raises, every submodule gets back its own ``training`` flag: a model
    training with one batch norm frozen in ``eval()`` mode comes back exactly so (a plain
    ``model.train()`` would switch that batch norm back to training mode).

    Returns:
        ``{"loss": ..., <metric>: ...}``, averaged over examples.
    """
    modes = [(module, module.training) for module in model.modules()]  # each one's own flag
    device = _device_of(model, device)
    metrics = dict(metrics or {})
    totals = dict.fromkeys(["loss", *metrics], 0.0)
    seen = 0
    try:
        model.eval()
        with torch.inference_mode():
            for batch in loader:
                inputs, targets = _to(batch, device)
                outputs = model(inputs)
                n = len(targets)
                seen += n
                totals["loss"] += loss_fn(outputs, targets).item() * n
                for name, metric in metrics.items():
                    totals[name] += float(metric(outputs, targets)) * n
    finally:
        for module, training in modes:
            module.training = training
    if seen == 0:
        raise ValueError("the loader yielded no batches")
    return {name: total / seen for name, total in totals.items()}


@dataclass
class EarlyStopping:
    """Stop when a monitored value has not improved for ``patience`` epochs.

    Taught in Module 10 (Overfitting and Regularization); :func:`fit` uses it.

    Args:
        patience: Epochs without improvement to tolerate before stopping.
        min_delta: The least change that counts as an improvement.
        mode: ``"min"`` for a loss, ``"max"`` for an accuracy.
    """

    patience: int = 5
    min_delta: float = 0.0
    mode: Literal["min", "max"] = "min"
    best: float = field(init=False, default=math.nan)
    bad_epochs: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        if self.patience < 1:
            raise ValueError(f"patience must be at least 1, got {self.patience}")
        if self.mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {self.mode!r}")

    def reset(self) -> None:
        """Forget the best value and the count, before a new run."""
        self.best = math.nan
        self.bad_epochs = 0

    def improved(self, value: float) -> bool:
        """Whether ``value`` beats the best so far by more than ``min_delta``."""
        if math.isnan(self.best):
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value: float) -> bool:
        """Record this epoch's value; return ``True`` when training should stop."""
        if self.improved(value):
            self.best = value
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


@dataclass
class History:
    """Per-epoch records of a :func:`fit` run.

    Taught in Module 7 (The Training Loop). ``history["train_loss"]`` is a list with one
    value per epoch; validation values are prefixed ``val_``; ``lr`` is the learning rate
    of the first parameter group when each epoch starts.
    """

    records: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int | None = None
    """1-based epoch whose weights :func:`fit` kept (best validation loss), if any."""
    stopped_early: bool = False

    def append(self, values: Mapping[str, float]) -> None:
        for key, value in values.items():
            self.records.setdefault(key, []).append(float(value))

    def __getitem__(self, key: str) -> list[float]:
        return self.records[key]

    def __contains__(self, key: object) -> bool:
        return key in self.records

    def __len__(self) -> int:
        return max((len(v) for v in self.records.values()), default=0)

    def last(self) -> dict[str, float]:
        """The final epoch's values."""
        return {key: values[-1] for key, values in self.records.items()}


def fit(
    model: nn.Module,
    train_loader: Iterable[object],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    *,
    epochs: int,
    val_loader: Iterable[object] | None = None,
    device: torch.device | str | None = None,
    metrics: Mapping[str, Metric] | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    scheduler_step: Literal["epoch", "batch"] = "epoch",
    max_grad_norm: float | None = None,
    early_stopping: EarlyStopping | None = None,
    restore_best: bool = True,
    log_every: int = 0,
) -> History:
    """Train for up to ``epochs`` epochs, validating after each; return the history.

    Taught in Module 7 (The Training Loop).

    Args:
        model: The model, already on ``device``.
        train_loader: Training batches ``(inputs, targets)``.
        loss_fn: Scalar mean loss of (outputs, targets).
        optimizer: Optimizer over the model's parameters.
        epochs: Maximum number of passes over ``train_loader``.
        val_loader: Validation batches; enables ``val_*`` records, best-model tracking
            and early stopping.
        device: Where batches are moved; ``None`` means where the model's parameters are.
        metrics: Extra metrics, e.g. ``{"accuracy": accuracy}``.
        scheduler: Learning-rate scheduler, stepped once per epoch (after validation)
            or, with ``scheduler_step="batch"``, after every optimizer step.
            ``ReduceLROnPlateau`` is stepped once per epoch with the validation loss (the
            training loss without ``val_loader``).
        scheduler_step: ``"epoch"`` or ``"batch"`` (``ReduceLROnPlateau``: ``"epoch"``
            only; ``"batch"`` raises ``ValueError``).
        max_grad_norm: Clip gradients to this total norm before each step.
        early_stopping: Stop when the validation loss stops improving (needs
            ``val_loader``).
        restore_best: With ``val_loader``, load the weights of the epoch with the lowest
            validation loss at the end (the "checkpoint of the best model", kept in
            memory).
        log_every: Print a line every this many epochs (0: silent).

    Returns:
        A :class:`History`.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    if scheduler_step not in ("epoch", "batch"):
        raise ValueError(f"scheduler_step must be 'epoch' or 'batch', got {scheduler_step!r}")
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    if plateau and scheduler_step == "batch":
        raise ValueError(
            "ReduceLROnPlateau is stepped with a validation loss, once per epoch: "
            "use scheduler_step='epoch'"
        )
    if early_stopping is not None and val_loader is None:
        raise ValueError("early stopping monitors the validation loss: pass val_loader")
    if early_stopping is not None:
        early_stopping.reset()  # an instance reused across runs starts afresh
    history = History()
    best_loss, best_state = math.inf, None
    for epoch in range(1, epochs + 1):
        lr = optimizer.param_groups[0]["lr"]  # the rate the epoch starts with
        record = {
            f"train_{k}": v
            for k, v in train_one_epoch(
                model,
                train_loader,
                loss_fn,
                optimizer,
                device=device,
                metrics=metrics,
                scheduler=scheduler if scheduler_step == "batch" else None,
                max_grad_norm=max_grad_norm,
            ).items()
        }
        if val_loader is not None:
            val = evaluate(model, val_loader, loss_fn, device=device, metrics=metrics)
            record.update({f"val_{k}": v for k, v in val.items()})
        record["lr"] = lr
        history.append(record)
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(record.get("val_loss", record["train_loss"]))
        elif scheduler is not None and scheduler_step == "epoch":
            scheduler.step()
        if log_every and (epoch % log_every == 0 or epoch == 1):
            shown = "  ".join(f"{k} {v:.4f}" for k, v in record.items() if k != "lr")
            print(f"epoch {epoch:3d}  {shown}")
        if val_loader is not None:
            if record["val_loss"] < best_loss:
                best_loss, history.best_epoch = record["val_loss"], epoch
                best_state = copy.deepcopy(model.state_dict())
            if early_stopping is not None and early_stopping.step(record["val_loss"]):
                history.stopped_early = True
                break
    if restore_best and best_state is not None:
        model.load_state_dict(best_state)
    return history
