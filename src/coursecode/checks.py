"""Check cells for exercises: specific, friendly feedback on a learner's answer.

Every exercise of the course whose answer is code or a value ends with a *check cell*
that calls one of these functions with the **name** of the variable the exercise asks
for. The function looks the name up in the notebook, compares the value with what the
exercise expects and prints one line:

- ``✓ acc: …`` when the answer is right;
- ``✗ acc: expected …, got …`` when it is not, saying what differs;
- ``… acc is not answered yet: …`` when the name is not defined (the practice notebook
  before the learner writes the solution).

They return nothing, so a check cell shows only that line.

A learner never sees a bare ``AssertionError``. On the course site and in the full
notebooks the checks run against the worked solution, in *strict* mode
(``COURSECODE_STRICT_CHECKS=1``, which the course build sets for its kernels): there a
wrong or missing answer raises :class:`CheckFailed`, so a wrong solution fails the build.

Introduced in Module 1 (Introduction to Deep Learning) and used by every module's
exercises.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import torch

STRICT_ENV = "COURSECODE_STRICT_CHECKS"
"""Set to ``1`` to make a failed or unanswered check raise :class:`CheckFailed`."""

_MISSING = object()


class CheckFailed(Exception):
    """A check failed in strict mode (a worked solution that does not pass its check)."""


def strict() -> bool:
    """Whether checks raise instead of printing (``COURSECODE_STRICT_CHECKS=1``)."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


def _lookup(name: str, depth: int) -> Any:
    """The value bound to ``name`` where the check was called (a notebook's globals)."""
    frame = sys._getframe(depth)
    if name in frame.f_locals:
        return frame.f_locals[name]
    return frame.f_globals.get(name, _MISSING)


def _report(name: str, problem: str | None, success: str) -> None:
    if problem is None:
        print(f"✓ {name}: {success}")
        return
    message = f"✗ {name}: {problem}"
    if strict():
        raise CheckFailed(message)
    print(message)


def _unanswered(name: str) -> None:
    message = (
        f"… {name} is not answered yet: write your solution in the cell above so that it "
        f"defines `{name}`, run it, then run this check again."
    )
    if strict():
        raise CheckFailed(message)
    print(message)


def _shape(value: Any) -> tuple[int, ...]:
    return tuple(value.shape)


def _is_number(value: Any) -> bool:
    """A real number (Python's or NumPy's), but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_tensor(
    name: str,
    *,
    shape: Sequence[int] | None = None,
    dtype: torch.dtype | None = None,
    expected: torch.Tensor | None = None,
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> None:
    """Check that the tensor called ``name`` has ``shape``, ``dtype`` and values.

    Args:
        name: The variable the exercise asks for, as a string.
        shape: The expected shape, e.g. ``(32, 10)``.
        dtype: The expected dtype, e.g. ``torch.float32``.
        expected: A reference tensor; values must match within ``atol`` + ``rtol``
            (:func:`torch.allclose`). Its shape is checked first when ``shape`` is omitted.
        atol: Absolute tolerance for ``expected``.
        rtol: Relative tolerance for ``expected``.

    Raises:
        CheckFailed: In strict mode, when the answer is wrong or missing (instead of
            printing ``✗`` or "not answered yet").
    """
    value = _lookup(name, 2)
    if value is _MISSING:
        return _unanswered(name)
    if not isinstance(value, torch.Tensor):
        return _report(name, f"expected a tensor, got a {type(value).__name__}", "")
    want_shape = tuple(shape) if shape is not None else None
    if want_shape is None and expected is not None:
        want_shape = _shape(expected)
    problem = None
    if want_shape is not None and _shape(value) != want_shape:
        problem = f"expected a tensor of shape {want_shape}, got {_shape(value)}"
    elif dtype is not None and value.dtype != dtype:
        problem = f"expected dtype {dtype}, got {value.dtype}"
    elif expected is not None:
        # Compare in a dtype that holds both: casting the answer to an integer reference's
        # dtype would truncate a wrong 1.7 to a right 1.
        common = torch.promote_types(value.dtype, expected.dtype)
        got = value.detach().to("cpu", common)
        want = expected.detach().to("cpu", common)
        if not torch.allclose(got, want, atol=atol, rtol=rtol):
            worst = (got.double() - want.double()).abs().max().item()
            problem = (
                f"the shape is right but the values differ from the expected ones "
                f"(largest difference {worst:.3g}, tolerance {atol:g} + {rtol:g}×|expected|)"
            )
    described = f"shape {_shape(value)}, dtype {value.dtype}"
    if expected is not None:
        described += ", values as expected"
    return _report(name, problem, described)


def check_close(
    name: str,
    expected: float,
    *,
    atol: float = 0.0,
    rtol: float = 1e-6,
) -> None:
    """Check that the number called ``name`` is ``expected`` within a tolerance.

    A 0-d tensor (e.g. a loss) counts as a number.

    Args:
        name: The variable the exercise asks for, as a string.
        expected: The expected value.
        atol: Absolute tolerance.
        rtol: Relative tolerance (of ``|expected|``).

    Raises:
        CheckFailed: In strict mode, when the answer is wrong or missing (instead of
            printing ``✗`` or "not answered yet").
    """
    value = _lookup(name, 2)
    if value is _MISSING:
        return _unanswered(name)
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            return _report(
                name, f"expected a single number, got a tensor of shape {_shape(value)}", ""
            )
        value = value.item()
    if not _is_number(value):
        return _report(name, f"expected a number, got a {type(value).__name__}", "")
    tolerance = atol + rtol * abs(expected)
    if not math.isfinite(value) or abs(value - expected) > tolerance:
        return _report(
            name, f"expected {expected:.6g} (within {tolerance:.3g}), got {value:.6g}", ""
        )
    return _report(name, None, f"{value:.6g}, as expected")


def check_equal(name: str, expected: Any) -> None:
    """Check that ``name`` equals ``expected`` exactly (ints, strings, tuples, sets…).

    Raises:
        CheckFailed: In strict mode, when the answer is wrong or missing (instead of
            printing ``✗`` or "not answered yet").
    """
    value = _lookup(name, 2)
    if value is _MISSING:
        return _unanswered(name)
    if (
        isinstance(value, torch.Tensor)
        and value.numel() == 1
        and not isinstance(expected, torch.Tensor)
    ):
        value = value.item()
    if type(value) is not type(expected) and not (_is_number(value) and _is_number(expected)):
        return _report(
            name, f"expected a {type(expected).__name__}, got a {type(value).__name__}", ""
        )
    if isinstance(value, torch.Tensor):  # `!=` is elementwise: its truth value is ambiguous
        same = value.dtype == expected.dtype and torch.equal(value.cpu(), expected.cpu())
    else:
        same = value == expected
    if not same:
        return _report(name, f"expected {expected!r}, got {value!r}", "")
    return _report(name, None, f"{value!r}, as expected")


def check_that(name: str, test: Callable[[Any], str | None], *, success: str) -> None:
    """Check ``name`` with a test written on the page, for answers no template fits.

    Args:
        name: The variable the exercise asks for, as a string.
        test: Called with the value; returns ``None`` when the answer is right, or a
            sentence saying what is wrong ("expected 3 parameter groups, got 1").
        success: What a right answer is, printed after ``✓``.

    Raises:
        CheckFailed: In strict mode, when the answer is wrong or missing (instead of
            printing ``✗`` or "not answered yet").
    """
    value = _lookup(name, 2)
    if value is _MISSING:
        return _unanswered(name)
    return _report(name, test(value), success)
