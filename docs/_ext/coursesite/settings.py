"""Project settings that several places need, read from their one home: pyproject.toml.

The repository URL and the site URL are ``[project.urls]``; the branch that holds the
generated notebooks (what "Open in Colab" links to) is ``[tool.coursesite]``. conf.py,
the notebook generator, the tests and the GitHub workflow all read them from here.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Settings:
    repository_url: str  # https://github.com/ORG/REPO
    site_url: str  # where Read the Docs publishes the site, no trailing slash
    notebooks_branch: str  # branch the workflow publishes the notebooks to

    @property
    def github_path(self) -> str:
        """``ORG/REPO``."""
        prefix = "https://github.com/"
        if not self.repository_url.startswith(prefix):
            raise ValueError(f"the repository must be on GitHub for Colab: {self.repository_url}")
        return self.repository_url.removeprefix(prefix).strip("/")

    def question_url(self, title: str) -> str:
        """A new discussion in the repository's Q&A category, titled with ``title``."""
        query = urllib.parse.urlencode({"category": "q-a", "title": f"{title}: "})
        return f"{self.repository_url}/discussions/new?{query}"

    def download_url(self, fmt: str) -> str:
        """Read the Docs' download of the whole course as ``fmt`` (pdf or epub)."""
        return f"{self.site_url}/_/downloads/en/latest/{fmt}/"

    def colab_url(self, notebook_name: str) -> str:
        return (
            f"https://colab.research.google.com/github/{self.github_path}"
            f"/blob/{self.notebooks_branch}/{notebook_name}"
        )


def load_settings(root: Path = ROOT) -> Settings:
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    urls = data["project"]["urls"]
    tool = data.get("tool", {}).get("coursesite", {})
    return Settings(
        repository_url=urls["Repository"].rstrip("/"),
        site_url=urls["Documentation"].rstrip("/"),
        notebooks_branch=tool.get("notebooks-branch", "notebooks"),
    )


def source_commit(root: Path = ROOT) -> str:
    """The commit the site and notebooks are built from (pins the Colab install).

    ``COURSE_COMMIT`` overrides; Read the Docs provides ``READTHEDOCS_GIT_COMMIT_HASH``;
    otherwise ``git rev-parse HEAD``.

    Raises:
        RuntimeError: When no commit can be found: the notebooks' install line would
            otherwise have to name a moving branch.
    """
    for var in ("COURSE_COMMIT", "READTHEDOCS_GIT_COMMIT_HASH", "GITHUB_SHA"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as err:
        raise RuntimeError(
            "cannot tell which commit is being built (no git checkout): set COURSE_COMMIT"
        ) from err
    return out.stdout.strip()
