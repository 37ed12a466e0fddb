import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from coursecode import draw_network


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def circles(fig: Figure) -> int:
    return sum(isinstance(p, Circle) for p in fig.axes[0].patches)


def connections(fig: Figure) -> int:
    return sum(isinstance(line, Line2D) for line in fig.axes[0].lines)


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def test_draws_every_neuron_and_every_weight_of_a_small_network():
    fig = draw_network([3, 4, 2])
    assert isinstance(fig, Figure)
    assert circles(fig) == 3 + 4 + 2
    assert connections(fig) == 3 * 4 + 4 * 2
    assert "Input\n(3)" in texts(fig)
    assert "Hidden 1\n(4)" in texts(fig)
    assert "Output\n(2)" in texts(fig)


def test_large_layers_are_elided_with_an_ellipsis():
    fig = draw_network([10, 5, 1], max_shown=7)
    assert circles(fig) == 6 + 5 + 1  # 7 slots for the input layer, one of them "⋮"
    assert texts(fig).count("⋮") == 1
    assert connections(fig) == 6 * 5 + 5 * 1
    assert "Input\n(10)" in texts(fig)  # the label keeps the true size


def test_layer_names_and_pass_annotations():
    fig = draw_network([2, 2], layer_names=["x", "y"], show_passes=True)
    labels = texts(fig)
    assert "x\n(2)" in labels
    assert "y\n(2)" in labels
    assert any("forward pass" in t for t in labels)
    assert any("backward pass" in t for t in labels)
    quiet = draw_network([2, 2], show_passes=False)
    assert not any("pass" in t for t in texts(quiet))


def test_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert draw_network([2, 3, 1], ax=ax) is fig
    assert not ax.axison


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layer_sizes": [4]}, "at least 2 layers"),
        ({"layer_sizes": [4, 0]}, "positive integers"),
        ({"layer_sizes": [4, 2.5]}, "positive integers"),
        ({"layer_sizes": [3, 2], "layer_names": ["a"]}, "got 1 layer names for 2 layers"),
        ({"layer_sizes": [3, 2], "max_shown": 2}, "max_shown must be at least 3"),
    ],
)
def test_bad_arguments_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        draw_network(**kwargs)
