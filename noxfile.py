"""Developer and CI tasks for quant_engine; ``nox -l`` lists them, ``make help`` wraps them."""

from __future__ import annotations

import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quant_engine import layout

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests"]

ROOT = layout.repo_root()


def install_project(session: nox.Session, extras: str = "dev") -> None:
    """Editable install of the project with ``extras`` into the session's venv."""
    session.install("-e", f"{ROOT}[{extras}]")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the whole test suite (unit and smoke)."""
    install_project(session)
    session.run("pytest", *session.posargs)


@nox.session
def smoke(session: nox.Session) -> None:
    """Run every entry point as a subprocess from outside the repo."""
    install_project(session)
    session.run("pytest", str(ROOT / "tests" / "smoke"), *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", str(ROOT), *session.posargs)
    session.run("ruff", "format", "--check", str(ROOT))


@nox.session
def typecheck(session: nox.Session) -> None:
    """Strict mypy over quant_engine, scripts and this noxfile."""
    install_project(session)
    session.install("nox")
    session.run("mypy", *session.posargs)


@nox.session(default=False)
def demo(session: nox.Session) -> None:
    """The main job on the embedded data; prints where every output went."""
    install_project(session, extras="dask")
    session.run("python", str(ROOT / "scripts" / "demo.py"), *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks; figures go in the README's Performance section."""
    install_project(session)
    session.run("python", str(ROOT / "benchmarks" / "run.py"), *session.posargs)
