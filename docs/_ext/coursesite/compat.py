"""Version guards for the third-party internals the site relies on.

A few features reach into code that is not a public API: myst-nb's stream merge
(``streams``), its hidden-cell node visitor (``accessibility``), Sphinx's
``LiteralIncludeReader`` (``notebooks``) and its script objects (``pageweight``),
sphinx-design's dropdown nodes (``checkicons``), and the text of nbclient's error
messages (``failures``). Each calls :func:`require` in its
``setup()`` with the range it was written and tested against, so an upgrade outside it
stops the build with a message that says what to re-check, instead of misbehaving quietly.
"""

from __future__ import annotations

from importlib import metadata

from packaging.specifiers import SpecifierSet
from packaging.version import Version
from sphinx.errors import ExtensionError

MYST_NB = ">=1.4,<1.5"
SPHINX = ">=9.0,<9.1"
NBCLIENT = ">=0.10,<0.12"
SPHINX_DESIGN = ">=0.8,<0.9"


def require(distribution: str, spec: str, feature: str, reason: str) -> None:
    """Stop the build when ``distribution`` is outside ``spec``.

    Raises:
        ExtensionError: naming the feature, what it relies on and the version found.
    """
    found = metadata.version(distribution)
    if Version(found) not in SpecifierSet(spec):
        raise ExtensionError(
            f"coursesite.{feature} relies on {reason} of {distribution} {spec}, but "
            f"{distribution} {found} is installed: check that it still works (its tests in "
            f"tests/test_coursesite_units.py), then widen the range in coursesite/compat.py"
        )
