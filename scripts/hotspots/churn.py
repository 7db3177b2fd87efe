"""Git churn and temporal coupling per file, from one ``git log --numstat -M`` call.

The history is read from the repository's top level up to ``HEAD`` (never the calendar: the
same commit gives the same figures), so a folder inside a repository and moves across folders
(a move into ``src/``) keep their history. Paths are then made relative to the analysed root.

Churn of a file: ``revisions`` (commits touching it, renames followed as ``git log --follow``
does) and ``lines_changed`` (lines added + deleted). A pure move changes no line: it adds 0
lines and takes no part in coupling. Merge commits are skipped (they carry no own diff). When
``files`` is given, only commits touching one of them count, which leaves out commits that only
touch generated data: the window is then a function of the analysed files' history.

Temporal coupling follows code-maat's ``coupling`` analysis: for two files A and B,
``degree = shared / ((revs(A) + revs(B)) / 2)``, where ``shared`` counts commits touching both.
Only commits touching at most ``max_changeset_size`` files count; a pair is reported when its
average revisions reach ``min_revisions``, it shares at least ``min_shared`` commits and its
degree reaches ``min_degree_percent`` (code-maat's defaults: 5, 5, 30%).
"""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from quant_engine import config

RECORD_SEPARATOR = "\x1e"
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Commit:
    """One commit: hash, commit time (epoch s), files touched with lines changed, pure moves."""

    sha: str
    changes: dict[str, int]
    timestamp: int = 0
    moved: frozenset[str] = frozenset()


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
    shallow: bool = False

    @property
    def days(self) -> int:
        """Whole days from the oldest to the newest commit of the window (0 for one commit)."""
        if not self.commits:
            return 0
        stamps = [c.timestamp for c in self.commits]
        return (max(stamps) - min(stamps)) // SECONDS_PER_DAY

    def window_text(self) -> str:
        """The window as it truly is: ``N commits over D days``."""
        return f"{len(self.commits)} commits over {self.days} days"


def run_git(root: Path, args: Sequence[str], git: str) -> tuple[str | None, str]:
    """Stdout of ``git args`` in ``root``, or (None, the reason it could not run)."""
    try:
        proc = subprocess.run(
            [git, "-c", "core.quotePath=false", *args],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return None, f"git executable {git!r} not found: churn is 0 for every file"
    except OSError as exc:
        return None, f"cannot run git ({exc}): churn is 0 for every file"
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["unknown error"])[0]
        return None, f"no git history at {root} ({first}): churn is 0 for every file"
    return proc.stdout, ""


def git_log(root: Path, since: str = "", git: str = "git") -> tuple[str | None, str, str]:
    """Raw ``git log --numstat -M -z`` of ``root``'s repository up to HEAD, and ``root``'s
    path inside it (``""`` at the top); (None, reason, "") without history."""
    prefix, note = run_git(root, ["rev-parse", "--show-prefix"], git)
    if prefix is None:
        return None, note, ""
    argv = ["log", "HEAD", "--no-merges", "--numstat", "-M", "-z"]
    argv += [f"--format={RECORD_SEPARATOR}%H %ct", *([f"--since={since}"] if since else [])]
    top, _ = run_git(root, ["rev-parse", "--show-toplevel"], git)
    text, note = run_git(Path(top.strip()) if top else root, argv, git)
    return text, note, prefix.strip()


def parse_numstat(text: str) -> list[Commit]:
    """Commits (newest first) from ``git log --numstat -z --format=<RS>%H %ct``; every path is
    the file's newest name (renames resolved across the whole log)."""
    commits: list[Commit] = []
    newest_name: dict[str, str] = {}
    for record in text.split(RECORD_SEPARATOR):
        if not record.strip():
            continue
        header, _, body = record.partition("\0")
        sha, _, stamp = header.strip().partition(" ")
        tokens = iter(body.split("\0"))
        changes: dict[str, int] = {}
        moved: set[str] = set()
        for token in tokens:
            stat = token.lstrip("\n")
            if not stat:
                continue
            added, deleted, path = stat.split("\t", 2)
            lines = sum(int(n) for n in (added, deleted) if n.isdigit())  # "-" for binaries
            if not path:  # a rename: the old and new names follow as their own tokens
                old, new = next(tokens), next(tokens)
                newest_name[old] = newest_name.get(new, new)
                path = new
                if lines == 0:
                    moved.add(newest_name.get(path, path))
            path = newest_name.get(path, path)
            changes[path] = changes.get(path, 0) + lines
        commits.append(Commit(sha, changes, int(stamp or 0), frozenset(moved)))
    return commits


def under_prefix(commit: Commit, prefix: str) -> Commit:
    """``commit`` restricted to the paths under ``prefix``, made relative to it."""
    if not prefix:
        return commit
    start = len(prefix)
    changes = {p[start:]: n for p, n in commit.changes.items() if p.startswith(prefix)}
    moved = frozenset(p[start:] for p in commit.moved if p.startswith(prefix))
    return Commit(commit.sha, changes, commit.timestamp, moved)


def churn(
    root: Path,
    since: str = config.AUDIT_CHURN_SINCE,
    git: str = "git",
    files: Iterable[str] | None = None,
) -> Churn:
    """Revisions and lines changed per file of ``root`` (paths relative to it, POSIX); with
    ``files``, only the commits touching one of them."""
    text, note, prefix = git_log(root, since, git)
    if text is None:
        return Churn(note=note)
    shallow = (run_git(root, ["rev-parse", "--is-shallow-repository"], git)[0] or "").strip()
    wanted = None if files is None else {PurePosixPath(f).as_posix() for f in files}
    commits = [under_prefix(c, prefix) for c in parse_numstat(text)]
    commits = [c for c in commits if c.changes and (wanted is None or wanted & c.changes.keys())]
    revisions: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    for commit in commits:
        revisions.update(commit.changes.keys())
        lines.update(commit.changes)
    window = f"since {since!r}" if since else "up to HEAD"
    note = "" if commits else f"no commits {window}: churn is 0 for every file"
    if shallow == "true":
        note = "shallow clone: the history is cut, so revisions are undercounted"
    return Churn(dict(revisions), dict(lines), tuple(commits), note, shallow == "true")


def couplings(
    commits: Iterable[Commit],
    *,
    min_revisions: int = config.COUPLING_MIN_REVISIONS,
    min_shared: int = config.COUPLING_MIN_SHARED_REVISIONS,
    min_degree_percent: int = config.COUPLING_MIN_DEGREE_PERCENT,
    max_changeset_size: int = config.COUPLING_MAX_CHANGESET_SIZE,
    files: Sequence[str] | None = None,
) -> list[Coupling]:
    """Every coupled pair passing code-maat's thresholds, strongest first (ties by name)."""
    wanted = set(files) if files is not None else None
    revs: Counter[str] = Counter()
    shared: Counter[tuple[str, str]] = Counter()
    for commit in commits:
        if len(commit.changes) > max_changeset_size:
            continue
        touched = sorted(path for path in commit.changes if path not in commit.moved)
        if wanted is not None:
            touched = [path for path in touched if path in wanted]
        revs.update(touched)
        shared.update(itertools.combinations(touched, 2))
    pairs = []
    for (a, b), count in shared.items():
        average = (revs[a] + revs[b]) / 2
        degree = count / average
        if count < min_shared or average < min_revisions or degree * 100 < min_degree_percent:
            continue
        pairs.append(Coupling(a=a, b=b, shared=count, degree=round(degree, 6)))
    return sorted(pairs, key=lambda c: (-c.degree, -c.shared, c.a, c.b))


def max_coupling(pairs: Iterable[Coupling]) -> dict[str, float]:
    """Each file's strongest coupling degree with any other file."""
    best: dict[str, float] = {}
    for pair in pairs:
        for path in (pair.a, pair.b):
            best[path] = max(best.get(path, 0.0), pair.degree)
    return best
