"""Exercise check cells: one friendly line for a right, wrong or missing answer.

The helpers look the answer up by name where they are called, so every test binds the
answer to a local variable (``answer``, or a test parameter) and passes its name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from coursecode.checks import (
    STRICT_ENV,
    CheckFailed,
    check_close,
    check_equal,
    check_tensor,
    check_that,
    strict,
)

ANSWER_IN_GLOBALS = 42  # a notebook's answers are its globals


@pytest.fixture(autouse=True)
def _lenient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Print, don't raise, unless a test turns strict mode on (the course build sets it)."""
    monkeypatch.delenv(STRICT_ENV, raising=False)


def printed(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out


def unanswered(name: str) -> str:
    return (
        f"… {name} is not answered yet: write your solution in the cell above so that it "
        f"defines `{name}`, run it, then run this check again."
    )


def differ(*, worst: str, tolerance: str) -> str:
    return (
        f"the shape is right but the values differ from the expected ones "
        f"(largest difference {worst}, tolerance {tolerance})"
    )


def groups_of_three(value: Any) -> str | None:
    """A page's own test for check_that: None when right, else what is wrong."""
    return None if len(value) == 3 else f"expected 3 parameter groups, got {len(value)}"


# check_tensor


@pytest.mark.parametrize(
    ("answer", "kwargs", "success"),
    [
        (
            torch.zeros(2, 3),
            {"shape": (2, 3), "dtype": torch.float32, "expected": torch.zeros(2, 3)},
            "shape (2, 3), dtype torch.float32, values as expected",
        ),
        (torch.zeros(2, 3), {"shape": [2, 3]}, "shape (2, 3), dtype torch.float32"),
        (  # the shape comes from `expected`; a tensor that needs grad is fine
            torch.ones(2, requires_grad=True),
            {"expected": torch.tensor([1.0, 1.0 + 1e-7])},
            "shape (2,), dtype torch.float32, values as expected",
        ),
        (
            torch.tensor([1, 2]),
            {"expected": torch.tensor([1.0, 2.0])},
            "shape (2,), dtype torch.int64, values as expected",
        ),
    ],
)
def test_check_tensor_passes_a_right_answer(answer, kwargs, success, capsys):
    assert check_tensor("answer", **kwargs) is None
    assert printed(capsys) == f"✓ answer: {success}\n"


@pytest.mark.parametrize(
    ("answer", "kwargs", "problem"),
    [
        ([1.0, 2.0], {"shape": (2,)}, "expected a tensor, got a list"),
        (torch.zeros(3, 2), {"shape": (2, 3)}, "expected a tensor of shape (2, 3), got (3, 2)"),
        (torch.zeros(3), {"expected": torch.zeros(2)}, "expected a tensor of shape (2,), got (3,)"),
        (
            torch.zeros(2, dtype=torch.int64),
            {"dtype": torch.float32},
            "expected dtype torch.float32, got torch.int64",
        ),
        (
            torch.tensor([1.0, 2.5]),
            {"expected": torch.tensor([1.0, 2.0])},
            differ(worst="0.5", tolerance="1e-06 + 1e-05×|expected|"),
        ),
        (  # compared as floats: an integer reference must not truncate 1.5 to 1
            torch.tensor([1.5]),
            {"expected": torch.tensor([1])},
            differ(worst="0.5", tolerance="1e-06 + 1e-05×|expected|"),
        ),
        (  # boolean masks cannot be subtracted: the difference is measured as numbers
            torch.tensor([True, True]),
            {"expected": torch.tensor([True, False]), "atol": 0.0},
            differ(worst="1", tolerance="0 + 1e-05×|expected|"),
        ),
    ],
)
def test_check_tensor_explains_a_wrong_answer(answer, kwargs, problem, capsys):
    assert check_tensor("answer", **kwargs) is None
    assert printed(capsys) == f"✗ answer: {problem}\n"


# check_close


@pytest.mark.parametrize(
    ("answer", "expected", "kwargs", "shown"),
    [
        (torch.tensor(0.5), 0.5, {}, "0.5"),  # a 0-d tensor, e.g. a loss
        (0.1 + 1e-9, 0.1, {}, "0.1"),  # within rtol
        (0.005, 0.0, {"atol": 0.01}, "0.005"),
        (3, 3.0, {}, "3"),
        (np.float32(0.25), 0.25, {}, "0.25"),  # a NumPy number is a number
    ],
)
def test_check_close_passes_a_right_answer(answer, expected, kwargs, shown, capsys):
    assert check_close("answer", expected, **kwargs) is None
    assert printed(capsys) == f"✓ answer: {shown}, as expected\n"


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (0.6, "expected 0.5 (within 5e-07), got 0.6"),
        (float("nan"), "expected 0.5 (within 5e-07), got nan"),
        (torch.zeros(2), "expected a single number, got a tensor of shape (2,)"),
        (True, "expected a number, got a bool"),
        ("0.5", "expected a number, got a str"),
    ],
)
def test_check_close_explains_a_wrong_answer(answer, problem, capsys):
    assert check_close("answer", 0.5) is None
    assert printed(capsys) == f"✗ answer: {problem}\n"


# check_equal


@pytest.mark.parametrize(
    ("answer", "expected", "shown"),
    [
        (3, 3, "3"),
        (3.0, 3, "3.0"),  # ints and floats compare as numbers
        (torch.tensor(3), 3, "3"),  # a one-element tensor compares as its number
        ((2, 3), (2, 3), "(2, 3)"),
        ({1, 2}, {2, 1}, "{1, 2}"),
        (torch.tensor([1, 2]), torch.tensor([1, 2]), "tensor([1, 2])"),
    ],
)
def test_check_equal_passes_a_right_answer(answer, expected, shown, capsys):
    assert check_equal("answer", expected) is None
    assert printed(capsys) == f"✓ answer: {shown}, as expected\n"


@pytest.mark.parametrize(
    ("answer", "expected", "problem"),
    [
        (4, 3, "expected 3, got 4"),
        ("3", 3, "expected a int, got a str"),
        (True, 1, "expected a int, got a bool"),  # a bool is not the number asked for
        (torch.tensor([1, 2]), [1, 2], "expected a list, got a Tensor"),
        (torch.tensor([1, 3]), torch.tensor([1, 2]), "expected tensor([1, 2]), got tensor([1, 3])"),
        (
            torch.tensor([1.0, 2.0]),
            torch.tensor([1, 2]),
            "expected tensor([1, 2]), got tensor([1., 2.])",
        ),
    ],
)
def test_check_equal_explains_a_wrong_answer(answer, expected, problem, capsys):
    assert check_equal("answer", expected) is None
    assert printed(capsys) == f"✗ answer: {problem}\n"


# check_that


def test_check_that_reports_the_pages_own_test(capsys):
    answer = [{"lr": 0.1}, {"lr": 0.01}, {"lr": 0.001}]
    assert check_that("answer", groups_of_three, success="3 parameter groups") is None
    assert printed(capsys) == "✓ answer: 3 parameter groups\n"
    answer = [{"lr": 0.1}]
    assert check_that("answer", groups_of_three, success="3 parameter groups") is None
    assert printed(capsys) == "✗ answer: expected 3 parameter groups, got 1\n"
    del answer


# every check: unanswered, where the name is looked up, strict mode

CALLS: list[tuple[Callable[..., None], dict[str, Any]]] = [
    (check_tensor, {"shape": (2,)}),
    (check_close, {"expected": 0.5}),
    (check_equal, {"expected": 3}),
    (check_that, {"test": groups_of_three, "success": "3 parameter groups"}),
]


@pytest.mark.parametrize(("check", "kwargs"), CALLS)
def test_an_undefined_name_is_not_answered_yet(check, kwargs, capsys):
    assert check("not_defined_anywhere", **kwargs) is None
    assert printed(capsys) == unanswered("not_defined_anywhere") + "\n"


def test_the_name_is_looked_up_in_locals_then_globals(capsys):
    assert check_equal("ANSWER_IN_GLOBALS", 42) is None  # a notebook's global
    ANSWER_IN_GLOBALS = 7  # a local of the same name wins
    assert check_equal("ANSWER_IN_GLOBALS", 7) is None
    assert (
        printed(capsys)
        == "✓ ANSWER_IN_GLOBALS: 42, as expected\n✓ ANSWER_IN_GLOBALS: 7, as expected\n"
    )
    del ANSWER_IN_GLOBALS


@pytest.mark.parametrize(("value", "on"), [("1", True), ("yes", True), ("0", False), ("", False)])
def test_strict_is_read_from_the_environment(value, on, monkeypatch):
    monkeypatch.setenv(STRICT_ENV, value)
    assert strict() is on


@pytest.mark.parametrize(
    ("check", "answer", "kwargs", "message"),
    [
        (
            check_tensor,
            torch.zeros(3),
            {"shape": (2,)},
            "expected a tensor of shape (2,), got (3,)",
        ),
        (check_close, 0.6, {"expected": 0.5}, "expected 0.5 (within 5e-07), got 0.6"),
        (check_equal, 4, {"expected": 3}, "expected 3, got 4"),
        (
            check_that,
            [{}],
            {"test": groups_of_three, "success": "3 parameter groups"},
            "expected 3 parameter groups, got 1",
        ),
    ],
)
def test_strict_mode_raises_for_wrong_and_missing_answers(
    check, answer, kwargs, message, monkeypatch, capsys
):
    monkeypatch.setenv(STRICT_ENV, "1")
    with pytest.raises(CheckFailed) as wrong:
        check("answer", **kwargs)
    assert str(wrong.value) == f"✗ answer: {message}"
    with pytest.raises(CheckFailed) as missing:
        check("not_defined_anywhere", **kwargs)
    assert str(missing.value) == unanswered("not_defined_anywhere")
    assert printed(capsys) == "", "strict mode raises instead of printing"


def test_strict_mode_still_passes_a_right_answer(monkeypatch, capsys):
    monkeypatch.setenv(STRICT_ENV, "1")
    answer = 3
    assert check_equal("answer", 3) is None
    assert printed(capsys) == "✓ answer: 3, as expected\n"
    del answer
