"""Where a run ran: the code (git state, package version) and the environment it ran in.

Git is asked once for commit, branch, changes and untracked files (``git status --porcelain=v2
--branch``) while ``git diff HEAD`` runs alongside, both under a short timeout and without
taking git's index lock, so 20 concurrent runs do not contend. No git, no checkout, or a timeout
is recorded in ``git_error`` rather than failing the run. Environment variables are recorded by
allow-list (see :func:`quant_engine.runs.redaction.recorded_env`): values of the project's own
settings only, names only for other ``QE_*`` variables.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import quant_engine
from quant_engine import config, layout
from quant_engine.runs.manifest import CodeInfo, EnvironmentInfo
from quant_engine.runs.redaction import BLAS_THREAD_VARS, recorded_env

UNTRACKED_LISTED = 50
"""Untracked files named in a manifest; ``untracked_count`` has the full count."""

_STATUS_CMD = ("status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all")
_DIFF_CMD = ("diff", "HEAD", "--no-color", "--no-ext-diff")


def blas_threads(environ: Mapping[str, str]) -> dict[str, str]:
    """BLAS/OpenMP thread-count variables that are set (they change float results)."""
    return {k: environ[k] for k in BLAS_THREAD_VARS if k in environ}


def distribution_version(name: str) -> str | None:
    """Installed version of distribution ``name`` (None when absent).

    Reads the ``Version:`` header itself: ``importlib.metadata.version`` parses the whole
    METADATA file as e-mail, long description included, which costs ~20x more.
    """
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for line in text.splitlines():
        if not line:
            break
        key, _, value = line.partition(":")
        if key.strip().lower() == "version":
            return value.strip()
    return dist.version


@functools.cache
def _versions(names: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    return tuple((name, distribution_version(name)) for name in names)


def package_versions(names: tuple[str, ...] = config.MANIFEST_PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution (None when absent); cached per process."""
    return dict(_versions(names))


@functools.cache
def _platform() -> str:
    return platform.platform()


def environment_info(environ: Mapping[str, str] | None = None) -> EnvironmentInfo:
    """Interpreter, machine, package versions, BLAS threads and allow-listed variables."""
    env = os.environ if environ is None else environ
    return EnvironmentInfo(
        python_version=platform.python_version(),
        python_implementation=platform.python_implementation(),
        executable=sys.executable,
        platform=_platform(),
        hostname=socket.gethostname(),
        pid=os.getpid(),
        cpu_count=os.cpu_count(),
        packages=package_versions(),
        blas_threads=blas_threads(env),
        env=recorded_env(env),
    )


class GitProbe:
    """``git status`` and ``git diff HEAD`` started together; :meth:`result` collects both."""

    def __init__(self, repo: Path, timeout: float = config.MANIFEST_GIT_TIMEOUT_S) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.outputs: list[tuple[int, bytes, bytes]] = []
        self.error: str | None = None
        try:
            for args in (_STATUS_CMD, _DIFF_CMD):
                self.procs.append(
                    subprocess.Popen(
                        ["git", "-C", str(repo), *args],
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        env=env,
                    )
                )
        except OSError as exc:
            self.error = f"git not available: {exc.strerror or exc}"
            self.kill()

    def kill(self) -> None:
        """Stop the git processes not yet collected, and reap them (closing their pipes)."""
        for proc in self.procs[len(self.outputs) :]:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()

    def collect(self) -> list[tuple[int, bytes, bytes]]:
        """(returncode, stdout, stderr) of each git call, or raise TimeoutExpired."""
        for proc in self.procs[len(self.outputs) :]:
            remaining = max(self.deadline - time.monotonic(), 0.001)
            out, err = proc.communicate(timeout=remaining)
            self.outputs.append((proc.returncode, out, err))
        return self.outputs

    def result(self) -> CodeInfo:
        """Parse what git said into a :class:`CodeInfo`."""
        version = quant_engine.__version__
        if self.error is not None:
            return CodeInfo(package_version=version, git_error=self.error)
        try:
            (status_rc, status, status_err), (diff_rc, diff, _) = self.collect()
        except subprocess.TimeoutExpired:
            self.kill()
            error = f"git timed out after {self.timeout:g}s"
            return CodeInfo(package_version=version, git_available=True, git_error=error)
        if status_rc != 0:
            message = status_err.decode(errors="replace").strip().splitlines() or ["failed"]
            return CodeInfo(package_version=version, git_available=True, git_error=message[0])
        return parse_status(status, diff if diff_rc == 0 else None, version)


def parse_status(status: bytes, diff: bytes | None, package_version: str) -> CodeInfo:
    """CodeInfo from ``git status --porcelain=v2 --branch -z`` output and ``git diff HEAD``."""
    commit: str | None = None
    branch: str | None = None
    changed = 0
    untracked: list[str] = []
    tokens = iter(status.split(b"\0"))
    for raw in tokens:
        entry = raw.decode("utf-8", errors="replace")
        if entry.startswith("# branch.oid "):
            oid = entry.removeprefix("# branch.oid ")
            commit = None if oid == "(initial)" else oid
        elif entry.startswith("# branch.head "):
            head = entry.removeprefix("# branch.head ")
            branch = None if head == "(detached)" else head
        elif entry.startswith(("1 ", "u ")):
            changed += 1
        elif entry.startswith("2 "):
            changed += 1
            next(tokens, None)  # a rename's original path is the next token
        elif entry.startswith("? "):
            untracked.append(entry[2:])
    diff_sha = hashlib.sha256(diff).hexdigest() if changed and diff is not None else None
    return CodeInfo(
        package_version=package_version,
        git_available=True,
        commit=commit,
        branch=branch,
        dirty=bool(changed or untracked),
        diff_sha256=diff_sha,
        untracked=sorted(untracked)[:UNTRACKED_LISTED],
        untracked_count=len(untracked),
    )


def collect_provenance(
    environ: Mapping[str, str] | None = None, repo: Path | None = None
) -> tuple[CodeInfo, EnvironmentInfo]:
    """Code and environment of this process; git runs while the environment is gathered."""
    root = layout.repo_root() if repo is None else repo
    probe = GitProbe(root) if repo is not None or layout.is_checkout() else None
    environment = environment_info(environ)
    if probe is None:
        code = CodeInfo(package_version=quant_engine.__version__, git_error="not a checkout")
    else:
        code = probe.result()
    return code, environment
