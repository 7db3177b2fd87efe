#!/usr/bin/env -S uv run --script
# /// script
# dependencies = ["nox>=2025.2.9"]
# ///
"""Developer and CI tasks for quant_engine; ``nox -l`` lists them, ``make help`` wraps them.

Plain ``nox`` runs what a developer runs before pushing: lint, typecheck and the whole test suite
(smoke included). ``nox -t ci`` runs the static gates CI runs after the tests: lint, typecheck and
the check-only forms of ``types`` and ``audit``. Each session installs the project with the extras
its code imports plus its ``[dependency-groups]`` entry from pyproject.toml; arguments after
``--`` reach the session's tool.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"  # nox.project.dependency_groups and session tags
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).resolve().parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")

TEST_EXTRAS = "server,wrds,kalshi,dask,audit"
"""Extras the test suite imports (the IBKR client is faked, so ``ibkr`` is not among them)."""
TYPECHECK_EXTRAS = "server,wrds,dask,audit,ibkr"
"""Extras imported by type-checked code: installed so mypy checks our calls into them."""


def install(session: nox.Session, extras: str = "", groups: tuple[str, ...] = ()) -> None:
    """Editable install of the project with ``extras``, plus the named dependency groups."""
    project = f"{ROOT}[{extras}]" if extras else str(ROOT)
    session.install("-e", project, *nox.project.dependency_groups(PYPROJECT, *groups))


@nox.session(default=True)
def tests(session: nox.Session) -> None:
    """Run the whole test suite (unit and smoke)."""
    install(session, TEST_EXTRAS, ("test",))
    session.run("pytest", *session.posargs)


@nox.session(default=False)
def smoke(session: nox.Session) -> None:
    """Run every entry point as a subprocess from outside the repo (part of ``tests``)."""
    install(session, TEST_EXTRAS, ("test",))
    session.run("pytest", str(ROOT / "tests" / "smoke"), *session.posargs)


@nox.session(default=True, tags=["ci"])
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", str(ROOT), *session.posargs)
    session.run("ruff", "format", "--check", str(ROOT))


@nox.session(default=True, tags=["ci"])
def typecheck(session: nox.Session) -> None:
    """Strict mypy over quant_engine, scripts and this noxfile."""
    install(session, TYPECHECK_EXTRAS, ("typecheck",))
    session.run("mypy", *session.posargs)


@nox.session(default=False)
def demo(session: nox.Session) -> None:
    """The main job on the embedded data; prints where every output went."""
    install(session, "dask")
    session.run("python", str(ROOT / "scripts" / "demo.py"), *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks; figures go in benchmarks/README.md."""
    install(session, TEST_EXTRAS, ("test", "bench"))  # WRDS reuses the test database
    if shutil.which("npm"):  # the dashboard's browser figures use the pinned Node tools
        npm_ci_if_stale(session)
    session.run("python", str(ROOT / "benchmarks" / "run.py"), *session.posargs)


def run_audit(session: nox.Session, *args: str) -> None:
    """Install the audit tools and run ``scripts/audit.py`` with ``args``."""
    install(session, "audit")
    session.run("python", str(ROOT / "scripts" / "audit.py"), *args)


def node_modules_stale() -> bool:
    """True when ``node_modules`` is missing or older than ``package-lock.json``."""
    installed = ROOT / "node_modules" / ".package-lock.json"
    lock = ROOT / "package-lock.json"
    return not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime


def run_types(session: nox.Session, *args: str) -> None:
    """Run ``scripts/generate_types.py`` with ``args``, then compile the result with tsc."""
    install(session, "server")
    npm_ci_if_stale(session)
    session.run("python", str(ROOT / "scripts" / "generate_types.py"), *args)
    tsc = ROOT / "node_modules" / ".bin" / "tsc"
    session.run(str(tsc), "-p", str(ROOT / "tsconfig.json"), external=True)


def npm_ci_if_stale(session: nox.Session) -> None:
    """Install the pinned Node tools when ``node_modules`` lags ``package-lock.json``."""
    if node_modules_stale():
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)


def run_dashboard(session: nox.Session, *args: str) -> None:
    """Unit-test the dashboard (Vitest), then build it (``--check``: compare with the commit)."""
    install(session)
    npm_ci_if_stale(session)
    session.run("npm", "test", "--silent", external=True)
    tsc = str(ROOT / "node_modules" / ".bin" / "tsc")
    session.run(tsc, "-p", str(ROOT / "frontend" / "e2e" / "tsconfig.json"), external=True)
    session.run("python", str(ROOT / "scripts" / "build_dashboard.py"), *args)


@nox.session(default=False, tags=["ci"])
def e2e(session: nox.Session) -> None:
    """The dashboard in headless Chromium against a real qe-server over real runs."""
    install(session, "server")
    npm_ci_if_stale(session)
    env = {"QE_E2E_BIN": str(Path(session.bin))}
    session.run("npm", "run", "e2e", "--silent", *session.posargs, external=True, env=env)


@nox.session(default=False)
def serve(session: nox.Session) -> None:
    """The dashboard and its API on http://127.0.0.1:8000 (``-- --port N`` for another)."""
    install(session, "server")
    session.run("qe-server", *session.posargs)


def add_generator_sessions(
    name: str, run: Callable[..., None], *, regenerate: str, check: str
) -> None:
    """Two sessions over one generator ``run(session, *args)``: ``name`` regenerates (its
    ``-- --check`` verifies only) and ``name-check``, the CI gate, passes ``--check``."""

    def generate_session(session: nox.Session) -> None:
        run(session, *session.posargs)

    def check_session(session: nox.Session) -> None:
        run(session, "--check", *session.posargs)

    generate_session.__doc__, check_session.__doc__ = regenerate, check
    nox.session(name=name, default=False)(generate_session)
    nox.session(name=f"{name}-check", default=False, tags=["ci"])(check_session)


add_generator_sessions(
    "audit",
    run_audit,
    regenerate="Regenerate the audit data and run the hygiene gates (``-- --check``: verify only).",
    check="CI gate: fail when the audit data is stale or a hygiene gate fails; writes nothing.",
)
add_generator_sessions(
    "types",
    run_types,
    regenerate="Regenerate the TypeScript types and OpenAPI document "
    "(``-- --check``: verify only).",
    check="CI gate: fail with a diff when the generated types are stale, then tsc --strict.",
)

add_generator_sessions(
    "dashboard",
    run_dashboard,
    regenerate="Unit-test and rebuild the dashboard into quant_engine/dashboard/ "
    "(``-- --check``: verify only).",
    check="CI gate: the dashboard's unit tests pass and its committed build is fresh.",
)


if __name__ == "__main__":
    nox.main()
