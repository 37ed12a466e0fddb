"""Mutation testing, small and explicit: break one behaviour at a time, expect a red test.

    python docs/_tools/mutants.py [--list] [NAME ...]        (or: nox -s mutants)

Each mutant below is a one-line change to ``coursecode`` or to a pure function of the site
extension, with the fast tests that must notice it. The harness copies the repository's
sources into a temporary folder, applies one mutant there, runs its tests (no site build)
with that copy first on the import path, and reports it *killed* (a test failed) or
*survived* (every test passed: the suite does not hold that behaviour). The checkout is
never modified. Exit status 1 if any mutant survived or a mutation no longer applies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("src", "docs/_ext", "docs/_tools", "docs/modules", "docs/projects", "tests")
COPIED_FILES = (
    "pyproject.toml",
    "README.md",  # the package's metadata names them: pip builds the copy (Colab test)
    "LICENSE",
    "docs/glossary.md",
    "docs/syllabus.toml",
    "docs/constraints.txt",
    "docs/conf.py",
)


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


TRAINING = ("tests/test_training.py",)
CONTRACT = ("tests/test_contract.py", "-k", "rule_fires or problems_name")
MUTANTS = (
    Mutant(
        "no zero_grad",
        "src/coursecode/training.py",
        "optimizer.zero_grad()",
        "pass",
        TRAINING,
    ),
    Mutant(
        "no model.train()",
        "src/coursecode/training.py",
        "    model.train()\n",
        "    pass\n",
        TRAINING,
    ),
    Mutant(
        "loss averaged per batch",
        "src/coursecode/training.py",
        "        n = len(targets)\n        seen += n\n        totals",
        "        n = 1\n        seen += n\n        totals",
        TRAINING,
    ),
    Mutant(
        "restore_best ignored",
        "src/coursecode/training.py",
        "model.load_state_dict(best_state)",
        "pass",
        TRAINING,
    ),
    Mutant(
        "best state aliased",
        "src/coursecode/training.py",
        "copy.deepcopy(model.state_dict())",
        "model.state_dict()",
        TRAINING,
    ),
    Mutant(
        "evaluate resets every submodule",
        "src/coursecode/training.py",
        "module.training = training",
        "module.training = True",
        TRAINING,
    ),
    Mutant(
        "cuDNN benchmark left on",
        "src/coursecode/repro.py",
        "torch.backends.cudnn.benchmark = False",
        "pass",
        ("tests/test_repro.py",),
    ),
    Mutant(
        "checks never strict",
        "src/coursecode/checks.py",
        'return os.environ.get(STRICT_ENV, "") not in ("", "0")',
        "return False",
        ("tests/test_checks.py",),
    ),
    Mutant(
        "check_close ignores the tolerance",
        "src/coursecode/checks.py",
        "abs(value - expected) > tolerance",
        "abs(value - expected) > tolerance + 1",
        ("tests/test_checks.py",),
    ),
    Mutant(
        "check_tensor skips the shape",
        "src/coursecode/checks.py",
        "_shape(value) != want_shape",
        "False",
        ("tests/test_checks.py",),
    ),
    Mutant(
        "timing: quizzes free",
        "docs/_ext/coursesite/timing.py",
        "MINUTES_PER_QUIZ = 1.5",
        "MINUTES_PER_QUIZ = 0",
        ("tests/test_syllabus.py",),
    ),
    Mutant(
        "timing: solutions counted as reading",
        "docs/_ext/coursesite/timing.py",
        'NOT_READ = {"solution", "check", "remove-cell"}',
        'NOT_READ = {"remove-cell"}',
        ("tests/test_syllabus.py",),
    ),
    Mutant(
        "glue: format spec dropped",
        "docs/_ext/coursesite/glue.py",
        'return (key, spec) if sep else (content, "s")',
        'return (key, "s") if sep else (content, "s")',
        ("tests/test_coursesite_units.py",),
    ),
    Mutant(
        "contract: claim count not enforced",
        "docs/_ext/coursesite/contract.py",
        "if len(quoted) + asserts < MIN_CHECKED_CLAIMS:",
        "if False:",
        CONTRACT,
    ),
    Mutant(
        "contract: bare asserts allowed",
        "docs/_ext/coursesite/contract.py",
        "if bare := [n.lineno for n in statements if n.msg is None]:",
        "if bare := []:",
        CONTRACT,
    ),
    Mutant(
        "contract: quiz options unchecked",
        "docs/_ext/coursesite/contract.py",
        "if not lo <= len(options) <= hi:",
        "if False:",
        CONTRACT,
    ),
    Mutant(
        "syllabus: typed minutes accepted",
        "docs/_ext/coursesite/syllabus.py",
        'if "minutes" in raw:',
        "if False:",
        ("tests/test_syllabus.py",),
    ),
    Mutant(
        "failures: wrong cell located",
        "docs/_ext/coursesite/failures.py",
        "return CellLocation(index, line)",
        "return CellLocation(index + 1, line)",
        ("tests/test_coursesite_units.py",),
    ),
    Mutant(
        "streams: chunks joined with a newline",
        "docs/_ext/coursesite/streams.py",
        'previous["text"] + output["text"]',
        'previous["text"].rstrip() + "\\n" + output["text"]',
        ("tests/test_coursesite_units.py",),
    ),
    Mutant(
        "streams: carriage returns kept as line breaks",
        "docs/_ext/coursesite/streams.py",
        "shown = segment + shown[len(segment) :]",
        "shown = shown + segment",
        ("tests/test_rendering.py",),
    ),
    Mutant(
        "colab: pip check=False",
        "docs/_ext/coursesite/notebooks.py",
        "        check=True,\n    )\n    _after",
        "        check=False,\n    )\n    _after",
        ("tests/test_colab_setup.py",),
    ),
    Mutant(
        "colab: no restart",
        "docs/_ext/coursesite/notebooks.py",
        "os.kill(os.getpid(), 9)",
        "pass",
        ("tests/test_colab_setup.py",),
    ),
)


def copy_sources(target: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / name)
    for name in COPIED_FILES:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, target / name)


def pytest(copy: Path, tests: tuple[str, ...]) -> int:
    """Run ``tests`` (fast ones only) in ``copy``, its sources first on the path."""
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    command += ["-m", "not build and not browser", *tests]
    return subprocess.run(
        command, cwd=copy, env=env, capture_output=True, text=True, check=False
    ).returncode


def run(mutant: Mutant) -> str:
    """'killed', 'survived' or 'stale' (the mutation no longer applies)."""
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        copy = Path(tmp)
        copy_sources(copy)
        path = copy / mutant.path
        text = path.read_text(encoding="utf-8")
        if text.count(mutant.old) != 1:
            return "stale"
        path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
        return "survived" if pytest(copy, mutant.tests) == 0 else "killed"


def baseline(tests: set[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The test selections that fail even without a mutant (they could kill nothing)."""
    with tempfile.TemporaryDirectory(prefix="mutant-base-") as tmp:
        copy_sources(Path(tmp))
        return [t for t in sorted(tests) if pytest(Path(tmp), t) != 0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only these mutants (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.names or m.name in args.names]
    if args.list:
        for mutant in chosen:
            print(f"{mutant.name}: {mutant.path} ({', '.join(mutant.tests)})")
        return 0
    if broken := baseline({m.tests for m in chosen}):
        print(f"the unmutated sources already fail {broken}: fix them first", file=sys.stderr)
        return 2
    counts = {"killed": 0, "survived": 0, "stale": 0}
    start = time.perf_counter()
    for mutant in chosen:
        outcome = run(mutant)
        counts[outcome] += 1
        print(f"{outcome:9s} {mutant.name} ({mutant.path})", flush=True)
    score = counts["killed"] / max(1, len(chosen))
    print(
        f"\n{counts['killed']} of {len(chosen)} mutants killed ({score:.0%}), "
        f"{counts['survived']} survived, {counts['stale']} stale, "
        f"in {time.perf_counter() - start:.0f} s"
    )
    return 0 if counts["killed"] == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
