import matplotlib.pyplot as plt
import pytest
import torch

from coursecode.data import load_digits, make_loaders
from coursecode.plotting import plot_curves, plot_history, show_images
from coursecode.training import History


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def history() -> History:
    h = History()
    for t, v in [(1.0, 1.1), (0.6, 0.8), (0.4, 0.9)]:
        h.append({"train_loss": t, "val_loss": v, "train_accuracy": 1 - t})
    h.best_epoch = 2
    return h


def test_plot_history_has_a_panel_per_metric_with_train_and_val():
    fig = plot_history(history(), ("loss", "accuracy"), title="run")
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["train", "validation", "best epoch"]
    assert [line.get_label() for line in acc_ax.lines] == ["train", "best epoch"]
    assert list(loss_ax.lines[0].get_xdata()) == [1, 2, 3]
    assert fig._suptitle.get_text() == "run"


def test_plot_history_names_missing_metrics():
    with pytest.raises(KeyError, match="not in the history"):
        plot_history(history(), ("f1",))


def test_plot_curves():
    fig = plot_curves({"a": [3, 2, 1], "b": [1, 1]}, logy=True, title="t")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    assert ax.get_yscale() == "log"
    fig2, ax2 = plt.subplots()
    assert plot_curves({"a": [1.0]}, ax=ax2) is fig2
    with pytest.raises(ValueError, match="no curves"):
        plot_curves({})


def test_show_images_grid():
    fig = show_images(torch.rand(10, 1, 8, 8), labels=list(range(10)), ncols=4)
    assert len(fig.axes) == 12  # 3 rows of 4
    assert sum(bool(ax.images) for ax in fig.axes) == 10
    assert fig.axes[3].get_title() == "3"
    with pytest.raises(ValueError, match="expected"):
        show_images(torch.rand(8, 8))
    with pytest.raises(ValueError, match="labels"):
        show_images(torch.rand(2, 8, 8), labels=[1])


def test_load_digits_shapes_and_scaling():
    x, y = load_digits()
    assert x.shape == (1797, 1, 8, 8)
    assert x.dtype == torch.float32
    assert y.dtype == torch.int64
    assert float(x.min()) == 0.0
    assert float(x.max()) == 1.0
    assert set(y.tolist()) == set(range(10))
    flat, _ = load_digits(images=False)
    assert flat.shape == (1797, 64)


def test_make_loaders_split_and_reproducibility():
    x, y = torch.arange(100).float().unsqueeze(1), torch.arange(100)
    train, val = make_loaders(x, y, batch_size=10, val_fraction=0.2, seed=3)
    assert len(train.dataset) == 80
    assert len(val.dataset) == 20
    first = [b[1].tolist() for b in train]
    again = [b[1].tolist() for b in make_loaders(x, y, batch_size=10, seed=3)[0]]
    assert first == again
    val_ids = {int(i) for _, t in val for i in t}
    train_ids = {i for batch in first for i in batch}
    assert not val_ids & train_ids
    with pytest.raises(ValueError, match="inputs but"):
        make_loaders(x, y[:5])
    with pytest.raises(ValueError, match="val_fraction"):
        make_loaders(x, y, val_fraction=1.0)


def test_iterating_the_loaders_leaves_the_global_generator_alone():
    x, y = torch.arange(40).float().unsqueeze(1), torch.arange(40)
    train, val = make_loaders(x, y, batch_size=8, seed=0)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    for _ in range(2):
        list(train)
        list(val)
    assert torch.equal(torch.rand(3), expected)
