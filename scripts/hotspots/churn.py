"""Git churn and temporal coupling per file, from one ``git log --numstat`` call.

Churn of a file over the window: ``revisions`` (commits touching it) and ``lines_changed``
(lines added + deleted). Renames are followed: history recorded under an old name is credited
to the file's newest name (``git log -M``). Merge commits are skipped (they carry no own diff).

Temporal coupling follows code-maat's ``coupling`` analysis: for two files A and B,
``degree = shared / ((revs(A) + revs(B)) / 2)``, where ``shared`` counts commits touching both.
Only commits touching at most ``max_changeset_size`` files count for coupling (bulk commits
such as a reformat would couple everything), and a pair is reported only when both files have
at least ``min_revisions`` such commits and share at least ``min_shared`` of them.
"""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quant_engine import config

RECORD_SEPARATOR = "\x1e"


@dataclass(frozen=True)
class Commit:
    """One commit of the window: its hash and the files it touched with lines changed."""

    sha: str
    changes: dict[str, int]


@dataclass(frozen=True)
class Coupling:
    """Temporal coupling of two files (``a`` < ``b``), code-maat style; ``degree`` in [0, 1]."""

    a: str
    b: str
    shared: int
    degree: float


@dataclass(frozen=True)
class Churn:
    """Per-file churn of a window, and why it may be empty (no git, no history)."""

    revisions: dict[str, int] = field(default_factory=dict)
    lines_changed: dict[str, int] = field(default_factory=dict)
    commits: tuple[Commit, ...] = ()
    note: str = ""


def git_log(root: Path, since: str, git: str = "git") -> tuple[str | None, str]:
    """Raw ``git log --numstat -z`` of ``root`` over ``since``; (None, reason) without history."""
    argv = [
        git,
        "-c",
        "core.quotePath=false",
        "log",
        "--no-merges",
        "--numstat",
        "-M",
        "--relative",
        "-z",
        f"--since={since}",
        f"--format={RECORD_SEPARATOR}%H",
    ]
    try:
        proc = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None, f"git executable {git!r} not found: churn is 0 for every file"
    except OSError as exc:
        return None, f"cannot run git ({exc}): churn is 0 for every file"
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["unknown error"])[0]
        return None, f"no git history at {root} ({first}): churn is 0 for every file"
    return proc.stdout, ""


def parse_numstat(text: str) -> list[Commit]:
    """Commits (newest first) from ``git log --numstat -z --format=<RS>%H``, renames resolved."""
    commits: list[Commit] = []
    newest_name: dict[str, str] = {}
    for record in text.split(RECORD_SEPARATOR):
        if not record.strip():
            continue
        sha, _, body = record.partition("\0")
        tokens = iter(body.split("\0"))
        changes: dict[str, int] = {}
        for token in tokens:
            stat = token.lstrip("\n")
            if not stat:
                continue
            added, deleted, path = stat.split("\t", 2)
            if not path:  # a rename: the old and new names follow as their own tokens
                old, new = next(tokens), next(tokens)
                newest_name[old] = newest_name.get(new, new)
                path = new
            path = newest_name.get(path, path)
            lines = sum(int(n) for n in (added, deleted) if n.isdigit())  # "-" for binaries
            changes[path] = changes.get(path, 0) + lines
        commits.append(Commit(sha=sha.strip(), changes=changes))
    return commits


def churn(root: Path, since: str = config.AUDIT_CHURN_SINCE, git: str = "git") -> Churn:
    """Revisions and lines changed per file of ``root`` (paths relative to it, POSIX)."""
    text, note = git_log(root, since, git)
    if text is None:
        return Churn(note=note)
    commits = parse_numstat(text)
    revisions: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    for commit in commits:
        revisions.update(commit.changes.keys())
        lines.update(commit.changes)
    note = "" if commits else f"no commits since {since!r}: churn is 0 for every file"
    return Churn(dict(revisions), dict(lines), tuple(commits), note)


def couplings(
    commits: Iterable[Commit],
    *,
    min_revisions: int = config.COUPLING_MIN_REVISIONS,
    min_shared: int = config.COUPLING_MIN_SHARED_REVISIONS,
    max_changeset_size: int = config.COUPLING_MAX_CHANGESET_SIZE,
    files: Sequence[str] | None = None,
) -> list[Coupling]:
    """Every coupled pair passing the thresholds, strongest first (ties by name)."""
    wanted = set(files) if files is not None else None
    revs: Counter[str] = Counter()
    shared: Counter[tuple[str, str]] = Counter()
    for commit in commits:
        touched = sorted(commit.changes)
        if len(touched) > max_changeset_size:
            continue
        if wanted is not None:
            touched = [path for path in touched if path in wanted]
        revs.update(touched)
        shared.update(itertools.combinations(touched, 2))
    pairs = []
    for (a, b), count in shared.items():
        if count < min_shared or min(revs[a], revs[b]) < min_revisions:
            continue
        degree = count / ((revs[a] + revs[b]) / 2)
        pairs.append(Coupling(a=a, b=b, shared=count, degree=round(degree, 6)))
    return sorted(pairs, key=lambda c: (-c.degree, -c.shared, c.a, c.b))


def max_coupling(pairs: Iterable[Coupling]) -> dict[str, float]:
    """Each file's strongest coupling degree with any other file."""
    best: dict[str, float] = {}
    for pair in pairs:
        for path in (pair.a, pair.b):
            best[path] = max(best.get(path, 0.0), pair.degree)
    return best
