"""Provenance: git state of a real repository, graceful absence of git, allow-listed environment."""

from __future__ import annotations

import hashlib
import importlib.metadata
import subprocess
from pathlib import Path

import pytest

from quant_engine import config
from quant_engine.runs import provenance
from quant_engine.runs.redaction import REDACTED


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "trunk")
    (path / "a.py").write_text("x = 1\n")
    (path / "b.py").write_text("y = 2\n")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "init")
    return path


def test_clean_checkout_records_commit_and_branch(repo: Path) -> None:
    code, _ = provenance.collect_provenance(repo=repo)
    assert code.git_available
    assert code.git_error is None
    assert code.commit == git(repo, "rev-parse", "HEAD").strip()
    assert code.branch == "trunk"
    assert code.dirty is False
    assert code.diff_sha256 is None
    assert code.untracked == []


def test_dirty_checkout_records_diff_hash_and_untracked_files(repo: Path) -> None:
    (repo / "a.py").write_text("x = 2\n")
    git(repo, "mv", "b.py", "c.py")
    (repo / "new.py").write_text("z = 3\n")
    code, _ = provenance.collect_provenance(repo=repo)
    diff = subprocess.run(
        ["git", "-C", str(repo), "diff", "HEAD", "--no-color", "--no-ext-diff"],
        check=True,
        capture_output=True,
    ).stdout
    assert code.dirty is True
    assert code.diff_sha256 == hashlib.sha256(diff).hexdigest()
    assert code.untracked == ["new.py"]
    assert code.untracked_count == 1


def test_detached_head_has_no_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    code, _ = provenance.collect_provenance(repo=repo)
    assert code.branch is None
    assert code.commit is not None


def test_not_a_repository_is_recorded_not_raised(tmp_path: Path) -> None:
    code, _ = provenance.collect_provenance(repo=tmp_path)
    assert code.commit is None
    assert code.git_error is not None
    assert "not a git repository" in code.git_error


def test_missing_git_is_recorded_not_raised(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, _ = provenance.collect_provenance(repo=repo)
    assert code.git_available is False
    assert code.git_error is not None
    assert "git not available" in code.git_error


def test_parse_status_counts_renames_once_and_reads_branch() -> None:
    status = b"\0".join(
        [
            b"# branch.oid " + b"a" * 40,
            b"# branch.head feature/x",
            b"2 R. N... 100644 100644 100644 abc abc R100 new name.py",
            b"old name.py",
            b"? notes.txt",
            b"",
        ]
    )
    code = provenance.parse_status(status, b"diff", "9.9")
    assert code.commit == "a" * 40
    assert code.branch == "feature/x"
    assert code.untracked == ["notes.txt"]
    assert code.dirty is True
    assert code.diff_sha256 == hashlib.sha256(b"diff").hexdigest()
    assert code.package_version == "9.9"


def test_environment_records_values_by_allow_list_and_other_qe_names_only() -> None:
    environ = {
        "QE_LOOKBACK_YEARS": "10",
        "QE_HOME": "/data/qe",
        "QE_WRDS_PASSWORD": "pw",
        "QE_DB_PASS": "hunter2",
        "QE_DSN": "postgresql://bob:pw@db/x",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "AWS_ACCESS_KEY_ID": "AKIA",
        "HOME": "/root",
    }
    env = provenance.environment_info(environ)
    assert env.env == {
        "OMP_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "QE_DB_PASS": REDACTED,
        "QE_DSN": REDACTED,
        "QE_HOME": "/data/qe",
        "QE_LOOKBACK_YEARS": "10",
        "QE_WRDS_PASSWORD": REDACTED,
    }
    assert env.blas_threads == {"OMP_NUM_THREADS": "1"}


def test_every_setting_the_config_reads_is_recorded_with_its_value() -> None:
    names = config.env_setting_names()
    assert {"QE_HOME", "QE_SEED", "QE_DATA_SOURCE", "QE_COST_BPS"} <= names
    env = provenance.environment_info(dict.fromkeys(names, "v"))
    assert env.env == dict.fromkeys(names, "v")


def test_environment_records_interpreter_host_and_packages() -> None:
    import platform
    import socket

    import numpy as np

    env = provenance.environment_info({})
    assert env.python_version == platform.python_version()
    assert env.hostname == socket.gethostname()
    assert set(env.packages) == set(config.MANIFEST_PACKAGES)
    assert env.packages["numpy"] == np.__version__
    assert env.packages == {n: importlib.metadata.version(n) for n in config.MANIFEST_PACKAGES}
    assert provenance.package_versions(("no-such-dist-xyz",)) == {"no-such-dist-xyz": None}
