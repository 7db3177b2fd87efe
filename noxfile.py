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
    """Benchmarks; figures go in benchmarks/README.md."""
    install_project(session)
    session.run("python", str(ROOT / "benchmarks" / "run.py"), *session.posargs)


@nox.session(default=False)
def audit(session: nox.Session) -> None:
    """Regenerate the audit data and run the hygiene gates (``-- --check`` in CI: verify only)."""
    install_project(session)
    session.run("python", str(ROOT / "scripts" / "audit.py"), *session.posargs)


def node_modules_stale() -> bool:
    """True when ``node_modules`` is missing or older than ``package-lock.json``."""
    installed = ROOT / "node_modules" / ".package-lock.json"
    lock = ROOT / "package-lock.json"
    return not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime


@nox.session(default=False)
def types(session: nox.Session) -> None:
    """Regenerate the TypeScript types and OpenAPI document (``-- --check`` is the CI gate)."""
    install_project(session)
    if node_modules_stale():
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    session.run("python", str(ROOT / "scripts" / "generate_types.py"), *session.posargs)
    tsc = ROOT / "node_modules" / ".bin" / "tsc"
    session.run(str(tsc), "-p", str(ROOT / "tsconfig.json"), external=True)
