"""The reusable trainer: it learns, it evaluates honestly, and it is reproducible."""

from __future__ import annotations

import copy
import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from coursecode import seed_everything
from coursecode.training import EarlyStopping, History, accuracy, evaluate, fit, train_one_epoch


@pytest.fixture(autouse=True)
def _undo_determinism():
    yield
    torch.use_deterministic_algorithms(False)


def blobs(n: int = 200, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two well-separated Gaussian blobs in 2-D: a problem any classifier solves."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 2, generator=g) + (y.float() * 4 - 2).unsqueeze(1)
    return x, y


def loaders(batch_size: int = 32):
    x, y = blobs()
    train = DataLoader(
        TensorDataset(x[:160], y[:160]),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )
    val = DataLoader(TensorDataset(x[160:], y[160:]), batch_size=64)
    return train, val


def run(epochs: int = 5, **kwargs):
    seed_everything(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    train, val = loaders()
    history = fit(
        model,
        train,
        nn.CrossEntropyLoss(),
        opt,
        epochs=epochs,
        val_loader=val,
        metrics={"accuracy": accuracy},
        **kwargs,
    )
    return model, history


def test_fit_learns_a_separable_problem():
    _, history = run(epochs=10)
    assert history["train_loss"][-1] < history["train_loss"][0] / 2
    assert history["val_accuracy"][-1] >= 0.95
    assert len(history) == 10
    assert set(history.records) == {
        "train_loss",
        "train_accuracy",
        "val_loss",
        "val_accuracy",
        "lr",
    }


def test_fit_is_deterministic_with_a_seed():
    model_a, hist_a = run()
    model_b, hist_b = run()
    assert hist_a.records == hist_b.records
    for a, b in zip(model_a.parameters(), model_b.parameters(), strict=True):
        assert torch.equal(a, b)


def test_evaluate_uses_eval_mode_without_gradients_and_restores_mode():
    seen = {}

    class Probe(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def forward(self, x):
            seen["training"] = self.training
            seen["grad"] = torch.is_grad_enabled()
            return self.lin(x)

    model = Probe()
    model.train()
    _, val = loaders()
    result = evaluate(model, val, nn.CrossEntropyLoss(), metrics={"accuracy": accuracy})
    assert seen == {"training": False, "grad": False}
    assert model.training, "the previous mode is restored"
    assert set(result) == {"loss", "accuracy"}
    assert 0.0 <= result["accuracy"] <= 1.0


def test_evaluate_does_not_change_the_model():
    seed_everything(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    _, val = loaders()
    evaluate(model, val, nn.CrossEntropyLoss())
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before), "no running-stat updates"


def test_loss_is_an_example_weighted_average():
    x, y = blobs(10)
    model = nn.Linear(2, 2)
    full = evaluate(model, [(x, y)], nn.CrossEntropyLoss())["loss"]
    uneven = evaluate(model, [(x[:7], y[:7]), (x[7:], y[7:])], nn.CrossEntropyLoss())["loss"]
    assert uneven == pytest.approx(full, rel=1e-6)


def test_restore_best_keeps_the_best_validation_epoch():
    model, history = run(epochs=8)
    best = history.best_epoch
    assert best is not None
    assert history["val_loss"][best - 1] == min(history["val_loss"])
    _, val = loaders()
    restored = evaluate(model, val, nn.CrossEntropyLoss())["loss"]
    assert restored == pytest.approx(min(history["val_loss"]), rel=1e-6)


def test_early_stopping_stops_when_validation_stalls():
    stopper = EarlyStopping(patience=2)
    assert [stopper.step(v) for v in (1.0, 0.9, 0.95, 0.91)] == [False, False, False, True]
    maxing = EarlyStopping(patience=1, mode="max", min_delta=0.1)
    assert maxing.step(0.5) is False
    assert maxing.step(0.55) is True  # not better by more than min_delta
    _, history = run(epochs=50, early_stopping=EarlyStopping(patience=1, min_delta=1.0))
    assert history.stopped_early
    assert len(history) == 2


def test_schedulers_step_per_epoch_or_per_batch():
    def lrs(step: str) -> list[float]:
        seed_everything(0)
        model = nn.Linear(2, 2)
        opt = torch.optim.SGD(model.parameters(), lr=1.0)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        train, _ = loaders(batch_size=80)  # 2 batches per epoch
        return fit(
            model,
            train,
            nn.CrossEntropyLoss(),
            opt,
            epochs=3,
            scheduler=sched,
            scheduler_step=step,
        )["lr"]

    assert lrs("epoch") == [1.0, 0.5, 0.25]  # the rate each epoch starts with
    assert lrs("batch") == [1.0, 0.25, 0.0625]


def test_reduce_lr_on_plateau_is_stepped_with_the_validation_loss():
    seed_everything(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, threshold=0.0)
    train, val = loaders()
    history = fit(
        model, train, nn.CrossEntropyLoss(), opt, epochs=4, val_loader=val, scheduler=sched
    )
    assert sched.best == pytest.approx(min(history["val_loss"]))


def test_gradient_clipping_bounds_the_update():
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    x, y = torch.tensor([[100.0]]), torch.tensor([[100.0]])
    train_one_epoch(model, [(x, y)], nn.MSELoss(), opt, max_grad_norm=0.5)
    assert model.weight.item() == pytest.approx(0.5)


def test_divergence_is_reported_not_trained_on():
    model = nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    bad = [(torch.tensor([[math.inf]]), torch.tensor([[0.0]]))]
    with pytest.raises(ValueError, match="training diverged"):
        train_one_epoch(model, bad, nn.MSELoss(), opt)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs must be at least 1"),
        ({"epochs": 1, "scheduler_step": "step"}, "scheduler_step must be"),
        ({"epochs": 1, "early_stopping": EarlyStopping()}, "pass val_loader"),
    ],
)
def test_fit_argument_errors(kwargs, message):
    model = nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=message):
        fit(model, [], nn.CrossEntropyLoss(), opt, **kwargs)


def test_loader_errors_are_explained():
    model = nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="yielded no batches"):
        train_one_epoch(model, [], nn.CrossEntropyLoss(), opt)
    with pytest.raises(ValueError, match="yielded no batches"):
        evaluate(model, [], nn.CrossEntropyLoss())
    with pytest.raises(TypeError, match=r"\(inputs, targets\) pair"):
        evaluate(model, [torch.zeros(2, 2)], nn.CrossEntropyLoss())


def test_accuracy_and_its_shape_check():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert accuracy(logits, torch.tensor([0, 1, 1])).item() == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="accuracy expects"):
        accuracy(logits, torch.tensor([[0], [1], [1]]))


def test_early_stopping_validates_arguments():
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_history_basics_and_logging(capsys):
    h = History()
    assert len(h) == 0
    h.append({"train_loss": 1.0})
    h.append({"train_loss": 0.5})
    assert h["train_loss"] == [1.0, 0.5]
    assert h.last() == {"train_loss": 0.5}
    assert "val_loss" not in h
    run(epochs=2, log_every=1)
    out = capsys.readouterr().out
    assert out.count("epoch") == 2
    assert "val_accuracy" in out


def test_count_parameters_counts_shared_tensors_once_and_can_skip_frozen():
    from coursecode import count_parameters

    layer = nn.Linear(4, 3)  # 12 weights + 3 biases
    tied = nn.Sequential(layer, nn.ReLU(), layer)
    assert count_parameters(tied) == 15
    frozen = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    frozen[0].requires_grad_(False)
    assert count_parameters(frozen) == 15 + 8
    assert count_parameters(frozen, trainable_only=True) == 8


def test_batches_follow_the_model_when_no_device_is_given():
    class Where(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def forward(self, x):
            assert x.device == self.lin.weight.device
            return self.lin(x)

    model = Where()
    x, y = blobs(8)
    evaluate(model, [(x, y)], nn.CrossEntropyLoss())
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    train_one_epoch(model, [(x, y)], nn.CrossEntropyLoss(), opt)
    # A model without parameters leaves batches where they are.
    assert evaluate(nn.Identity(), [(x, y)], nn.CrossEntropyLoss())["loss"] > 0


def test_an_early_stopping_object_can_be_reused_across_runs():
    stopper = EarlyStopping(patience=1, min_delta=1.0)
    _, first = run(epochs=50, early_stopping=stopper)
    _, second = run(epochs=50, early_stopping=stopper)
    assert len(first) == len(second) == 2


def test_evaluate_restores_each_submodules_own_mode_even_after_an_error():
    """Kills: ``evaluate`` ending with ``model.train(was_training)`` (which switches a
    frozen batch norm back to training mode), and restoring without ``try``/``finally``."""
    model = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    model.train()
    model[1].eval()  # a frozen batch norm, as when fine-tuning
    modes = [m.training for m in model.modules()]
    assert modes == [True, True, False, True, True]
    x, y = blobs(8)
    evaluate(model, [(x, y)], nn.CrossEntropyLoss())
    assert [m.training for m in model.modules()] == modes
    with pytest.raises(TypeError, match="pair"):  # the second batch is not a pair
        evaluate(model, [(x, y), x], nn.CrossEntropyLoss())
    assert [m.training for m in model.modules()] == modes


def test_train_one_epoch_zeroes_the_gradients_before_each_step():
    """Kills: ``train_one_epoch`` without ``optimizer.zero_grad()``.

    The loss ``w·1`` has gradient 1 at every step, so two SGD steps of 0.1 take w from 0
    to -0.2; gradients accumulated over the epoch would take it to -0.1 - 0.2 = -0.3.
    """
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    batch = (torch.ones(1, 1), torch.zeros(1, 1))
    train_one_epoch(model, [batch, batch], lambda out, _: out.mean(), opt)
    assert model.weight.item() == pytest.approx(-0.2)


def test_train_one_epoch_puts_the_model_in_training_mode():
    """Kills: ``train_one_epoch`` without ``model.train()``.

    The model arrives in eval mode; the epoch must train in training mode (batch norm
    updates its running statistics, once per batch) and leave the model there.
    """
    model = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 2))
    model.eval()
    x, y = blobs(16)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    train_one_epoch(model, [(x[:8], y[:8]), (x[8:], y[8:])], nn.CrossEntropyLoss(), opt)
    assert all(m.training for m in model.modules())
    batch_norm = model[1]
    assert batch_norm.num_batches_tracked.item() == 2
    assert not torch.equal(batch_norm.running_mean, torch.zeros(4))


def test_the_epochs_loss_and_metrics_are_averaged_per_example():
    """Kills: the epoch's loss (or a metric) averaged per batch instead of per example.

    Five examples in batches of 4 and 1; the model ``w·x`` with w = 0 and x = 1, MSE loss,
    SGD with lr 0.25. Batch 1 (targets 1): loss (0 - 1)² = 1, gradient 2(0 - 1) = -2, so
    w becomes 0.5. Batch 2 (target 3): loss (0.5 - 3)² = 6.25. Per example:
    (4·1 + 6.25) / 5 = 2.05; the mean of the batch means would be 3.625. The metric (the
    batch's mean target): (4·1 + 3) / 5 = 1.4, against 2 per batch.
    """
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    opt = torch.optim.SGD(model.parameters(), lr=0.25)
    data = TensorDataset(torch.ones(5, 1), torch.tensor([[1.0], [1.0], [1.0], [1.0], [3.0]]))
    result = train_one_epoch(
        model,
        DataLoader(data, batch_size=4),
        nn.MSELoss(),
        opt,
        metrics={"target": lambda _, t: t.mean()},
    )
    assert result == pytest.approx({"loss": 2.05, "target": 1.4})


@pytest.mark.parametrize(("restore_best", "weight"), [(True, 1.0), (False, 1.875)])
def test_restore_best_loads_an_early_best_epoch(restore_best: bool, weight: float):
    """Kills: ``fit(restore_best=True)`` not restoring (or keeping ``model.state_dict()``
    without a deep copy, which follows the live weights).

    ``w·x`` with x = 1 trains towards 2 (MSE, SGD lr 0.25: w ← w/2 + 1, so 1, 1.5, 1.75,
    1.875) but is validated against 1: the best epoch is the first, with w = 1.
    """
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    opt = torch.optim.SGD(model.parameters(), lr=0.25)
    snapshots: list[dict[str, torch.Tensor]] = []

    class SnapshotLoader:
        """The validation set, recording the weights each epoch validates."""

        def __iter__(self):
            snapshots.append(copy.deepcopy(model.state_dict()))
            yield torch.ones(1, 1), torch.ones(1, 1)

    ones = torch.ones(1, 1)
    history = fit(
        model,
        [(ones, 2 * ones)],
        nn.MSELoss(),
        opt,
        epochs=4,
        val_loader=SnapshotLoader(),
        restore_best=restore_best,
    )
    assert history.best_epoch == 1
    assert history["val_loss"] == pytest.approx([0.0, 0.25, 0.5625, 0.765625])
    assert model.weight.item() == pytest.approx(weight)
    if restore_best:
        assert torch.equal(model.weight, snapshots[0]["weight"])


def test_fit_refuses_a_plateau_scheduler_stepped_per_batch():
    """Mutation killed: fit stepping ReduceLROnPlateau without a value after each batch
    (a TypeError deep inside the loop instead of a clear refusal)."""
    model = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)
    loader = DataLoader(TensorDataset(torch.zeros(4, 2), torch.zeros(4, 1)), batch_size=2)
    with pytest.raises(ValueError, match="scheduler_step='epoch'"):
        fit(
            model,
            loader,
            nn.MSELoss(),
            optimizer,
            epochs=1,
            scheduler=plateau,
            scheduler_step="batch",
        )
