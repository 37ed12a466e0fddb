"""Tasks for contributors and CI: `nox -s docs`, `nox -s tests`, `nox -s lint`, ...

Every session installs what it needs from pyproject.toml's extras and PEP 735 dependency
groups, constrained to the exact versions in docs/constraints.txt (the same file Read the
Docs uses). A second run reuses the virtualenv and skips the install when neither file
changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "tests"]

ROOT = Path(__file__).parent
DOCS = ROOT / "docs"
CONSTRAINTS = DOCS / "constraints.txt"
PYPROJECT = ROOT / "pyproject.toml"
HTML = DOCS / "_build" / "html"
STRICT = ["-n", "-W", "--keep-going"]  # nitpicky; warnings are errors; report them all


def source_commit() -> str:
    """The checkout's commit: the copies have no git history to read it from."""
    import subprocess

    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def install(session: nox.Session, *extras: str, groups: tuple[str, ...] = ()) -> None:
    """Install the project (editable) with ``extras`` and the dependency ``groups``
    (pyproject.toml's ``[dependency-groups]``), pinned by the constraints file.

    nox reads the groups itself (``nox.project.dependency_groups``), so this works with
    the venv's own pip, whatever its version (``pip install --group`` needs pip >= 25.1).
    Skipped when the venv already holds exactly this install, so a rebuild costs
    seconds, not a pip resolution.
    """
    spec = f".[{','.join(extras)}]" if extras else "."
    inputs = [
        spec.encode(),
        ",".join(groups).encode(),
        CONSTRAINTS.read_bytes(),
        PYPROJECT.read_bytes(),
    ]
    stamp = hashlib.sha256(b"\0".join(inputs)).hexdigest()
    marker = Path(session.virtualenv.location) / ".course-install-stamp"
    if marker.is_file() and marker.read_text() == stamp:
        session.log("environment up to date: skipping install")
        return
    requirements = nox.project.dependency_groups(nox.project.load_toml(PYPROJECT), *groups)
    session.install("-c", str(CONSTRAINTS), "-e", spec, *requirements)
    # Build matplotlib's font cache now, not inside the first page's kernel, where its
    # "building the font cache" notice would land in a cell's stderr and fail the build.
    session.run("python", "-c", "import matplotlib.pyplot", silent=True)
    marker.write_text(stamp)


def run_site_tool(session: nox.Session, tool: str, *args: str) -> None:
    """Run a contributor tool, ``docs/_tools/<tool>.py``, with the site's extension importable."""
    session.run(
        "python", str(DOCS / "_tools" / f"{tool}.py"), *args, env={"PYTHONPATH": str(DOCS / "_ext")}
    )


# Pages execute in this many processes at once: a cold build of 26 pages on 2 cores takes
# about half the time with 2. Each process runs a kernel that holds torch (~400 MB), so a
# laptop with many cores still uses at most 4.
JOBS = str(min(4, os.cpu_count() or 1))


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site strictly, executing every page. Extra args go to sphinx-build."""
    install(session, "docs")
    session.run(
        "sphinx-build", *STRICT, "-j", JOBS, "-b", "html", str(DOCS), str(HTML), *session.posargs
    )
    session.log(f"The site is in {HTML.relative_to(ROOT)}/ -- open {HTML / 'index.html'}")


@nox.session
def page(session: nox.Session) -> None:
    """Check and run one page fast: `nox -s page -- docs/modules/NN-slug.md`."""
    if not session.posargs:
        session.error("name the page: nox -s page -- docs/modules/NN-slug.md")
    install(session, "docs")
    run_site_tool(session, "runpage", *session.posargs)


@nox.session
def notebooks(session: nox.Session) -> None:
    """Build the site, then copy its downloads (notebooks, scripts, zip) to a folder.

    `nox -s notebooks -- --out FOLDER` (default: docs/_build/notebooks). The notebooks quote
    the numbers the executed pages printed, so they come from a build.
    """
    install(session, "docs")
    out = Path(session.posargs[1]) if session.posargs[:1] == ["--out"] else None
    out = out or DOCS / "_build" / "notebooks"
    session.run("sphinx-build", *STRICT, "-q", "-j", JOBS, "-b", "html", str(DOCS), str(HTML))
    session.run("rm", "-rf", str(out), external=True)
    session.run("cp", "-r", str(HTML / "notebooks"), str(out), external=True)
    session.log(f"notebooks, practice notebooks, scripts and the zip are in {out}")


BUILD = DOCS / "_build"
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")  # Debian's epubcheck


def build_format(session: nox.Session, builder: str) -> Path:
    """Build the course with ``builder`` (epub or latex) into docs/_build/<builder>.

    After `nox -s docs` it starts from a copy of the site's doctrees, so only pages
    changed since are read again (the tests build the formats the same way); a page not
    yet executed comes from the execution cache, as on Read the Docs, or executes now.
    """
    out, doctrees = BUILD / builder, BUILD / f"doctrees-{builder}"
    if (HTML / ".doctrees").is_dir():
        shutil.rmtree(doctrees, ignore_errors=True)
        shutil.copytree(HTML / ".doctrees", doctrees)
    session.run(
        "sphinx-build",
        *STRICT,
        "-j",
        JOBS,
        "-D",
        "nb_execution_mode=cache",
        "-b",
        builder,
        "-d",
        str(doctrees),
        str(DOCS),
        str(out),
        *session.posargs,
    )
    return out


@nox.session
def epub(session: nox.Session) -> None:
    """The course as an EPUB, checked with epubcheck (Debian: apt-get install epubcheck)."""
    install(session, "docs")
    out = build_format(session, "epub")
    (book,) = out.glob("*.epub")
    if not EPUBCHECK.is_file():
        session.error(f"built {book}, but epubcheck is not installed: apt-get install epubcheck")
    session.run("java", "-jar", str(EPUBCHECK), str(book), external=True)
    session.log(f"The EPUB is {book.relative_to(ROOT)}")


@nox.session
def pdf(session: nox.Session) -> None:
    """The course as a PDF through LaTeX (xelatex): Debian's texlive-xetex,
    texlive-latex-extra, texlive-fonts-recommended, latexmk and fonts-freefont-otf."""
    install(session, "docs")
    out = build_format(session, "latex")
    (tex,) = out.glob("*.tex")
    session.chdir(out)
    session.run(
        "latexmk", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error", tex.name, external=True
    )
    session.log(f"The PDF is {tex.with_suffix('.pdf').relative_to(ROOT)}")


@nox.session
def reproducibility(session: nox.Session) -> None:
    """Build the site twice from scratch, from copies at different paths, and check that
    every cell printed the same bytes (what a reader sees must not depend on where or
    when the site was built)."""
    install(session, "docs", groups=("test",))
    tmp = Path(session.create_tmp())
    builds = []
    for name in ("a", "copy-b"):  # paths of different lengths: embedded paths show
        copy = tmp / name
        session.run("rm", "-rf", str(copy), external=True)
        (copy / "docs").mkdir(parents=True)
        session.run("cp", str(ROOT / "pyproject.toml"), str(copy), external=True)
        for item in DOCS.iterdir():
            if item.name != "_build":
                session.run("cp", "-r", str(item), str(copy / "docs"), external=True)
        session.run(
            "sphinx-build",
            *STRICT,
            "-D",
            "nb_execution_mode=force",
            "-q",
            "-j",
            JOBS,
            "-b",
            "html",
            str(copy / "docs"),
            str(copy / "html"),
            env={"COURSE_COMMIT": source_commit()},
        )
        builds.append(str(copy / "html"))
    run_site_tool(session, "reproduce", *builds)


@nox.session(venv_backend="none")
def lighthouse(session: nox.Session) -> None:
    """Lighthouse scores and bytes of the built site (run nox -s docs first).

    `-- all` audits every module and project page; `-- modules/NN-slug.html ...` those pages.
    """
    if not (HTML / "index.html").is_file():
        session.error("no built site: run `nox -s docs` first")
    tools = ROOT / ".nox" / "lighthouse-npm"
    cli = tools / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.is_file():
        session.run(
            "npm", "install", "--prefix", str(tools), "-E", "lighthouse@12.2.3", external=True
        )
    course = [
        f"{folder}/{p.name}"
        for folder in ("modules", "projects")
        for p in sorted((HTML / folder).glob("*.html"))
    ]
    # Default: the landing page and two modules; `nox -s lighthouse -- all` audits every
    # page a reader studies (about 20 s each).
    pages = ["index.html", *course] if session.posargs == ["all"] else ["index.html", *course[:2]]
    # The script needs only the standard library: run it by path, outside any venv.
    session.run(
        "python3",
        str(DOCS / "_tools" / "lighthouse.py"),
        str(HTML),
        str(cli),
        str(DOCS / "_build" / "lighthouse.json"),
        *(pages if session.posargs in ([], ["all"]) else session.posargs),
        external=True,
    )


@nox.session
def audit(session: nox.Session) -> None:
    """Check every pinned requirement against known vulnerabilities (pip-audit).

    Needs PyPI's JSON API or OSV over the network: on machines that reach only a package
    mirror it cannot look anything up, and --strict makes that a failure, not a pass. The
    workflow .github/workflows/audit.yml runs it weekly on GitHub.
    """
    session.install("pip-audit")
    session.run(
        "pip-audit",
        "--strict",
        "--no-deps",
        "--disable-pip",
        "-r",
        str(CONSTRAINTS),
        *session.posargs,
    )


@nox.session(name="docs-live")
def docs_live(session: nox.Session) -> None:
    """Serve the site with live reload while you edit (sphinx-autobuild)."""
    install(session, "docs", groups=("dev",))
    session.run(
        "sphinx-autobuild",
        *STRICT,
        "--watch",
        str(ROOT / "src"),
        "--ignore",
        str(DOCS / "_build"),
        str(DOCS),
        str(HTML),
        *session.posargs,
    )


@nox.session
def tests(session: nox.Session) -> None:
    """Unit tests, the module-contract test and tests of the built site."""
    install(session, "docs", groups=("test",))
    # One worker per core (pytest-xdist), each starting with half the tests and taking half
    # of the other's when it runs out; the site is built once and shared (conftest.site).
    args = session.posargs or [
        "-n",
        "auto",
        "--dist",
        "worksteal",
        "--cov",
        "--cov-report=term-missing",
        "--cov-fail-under=90",
    ]
    session.run("pytest", *args)


@nox.session
def mutants(session: nox.Session) -> None:
    """Break one behaviour at a time (docs/_tools/mutants.py) and expect a failing test.

    Not part of `nox -s tests` (a few minutes): run it before each release of the course.
    """
    install(session, "docs", groups=("test",))
    run_site_tool(session, "mutants", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Every check in .pre-commit-config.yaml, over every file: ruff (lint and format),
    mypy (strict), schema checks of .readthedocs.yaml, the workflows and dependabot.yml.

    The hooks use the tools installed here (the `lint` group, pinned), so nothing is
    fetched from GitHub. mypy reads the code's imports, hence the docs extra.
    Extra args go to pre-commit: `nox -s lint -- mypy` runs one hook.
    """
    install(session, "docs", groups=("lint",))
    session.run("pre-commit", "run", "--all-files", "--show-diff-on-failure", *session.posargs)
