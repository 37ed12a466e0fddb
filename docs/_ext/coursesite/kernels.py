"""The environment every page kernel runs in, for the docs build and `nox -s page` alike.

Kernels inherit the environment of the process that starts them, so this is where the
build makes their outputs independent of whoever runs it.
"""

from __future__ import annotations

import os
from pathlib import Path

STRICT_CHECKS = "COURSECODE_STRICT_CHECKS"  # coursecode.checks.STRICT_ENV
KERNEL_CONFIG = """\
# Written by the course build (docs/_ext/coursesite/kernels.py); do not edit.
# Page kernels log only errors: ipykernel's notice that it talks over local TCP is noise.
c.IPKernelApp.log_level = "ERROR"
"""


def prepare_kernel_environment(build_dir: Path) -> None:
    """Set the variables page kernels inherit.

    - ``MPLBACKEND`` removed: a non-inline backend (e.g. "Agg" from a shell profile or a
      test runner) would make every figure silently vanish from the pages.
    - ``OMP_NUM_THREADS=1``: outputs do not depend on the machine's core count (a float
      reduction split over more threads can round differently), and parallel kernels do
      not oversubscribe the cores. Readers' own runs keep PyTorch's default.
    - ``IPYTHONDIR``: a profile of the build's own, so a contributor's IPython startup
      files and settings cannot change what a page prints.
    - ``COURSECODE_STRICT_CHECKS=1``: an exercise's check cell raises when the worked
      solution does not pass it, so a wrong solution fails the build (a learner's own
      notebook prints the feedback instead; see ``coursecode.checks``).
    """
    os.environ.pop("MPLBACKEND", None)
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ[STRICT_CHECKS] = "1"
    profile = build_dir / "ipython" / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    config = profile / "ipython_kernel_config.py"
    if not config.is_file() or config.read_text() != KERNEL_CONFIG:
        config.write_text(KERNEL_CONFIG)
    os.environ["IPYTHONDIR"] = str(build_dir / "ipython")
