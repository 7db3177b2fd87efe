"""A tiny dated git history (pkg/a, b, c) and its edges, for the hotspot tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

A_SOURCE = "from pkg import b\n\n\ndef f(x):\n    if x:\n        return 1\n    return 0\n"
B_SOURCE = "def g():\n    from pkg import a\n\n    return a\n"
C_SOURCE = (
    "import os\n\nfrom pkg import a\n\n\n"
    "def h(x, y):\n    for i in x:\n        if i and y:\n            return os.sep\n    return a\n"
)


def git(repo: Path, *args: str, date: str = "2024-01-01T12:00:00+00:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def commit(repo: Path, day: int, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=f"2024-01-{day:02d}T12:00:00+00:00")


def edge(
    importer: str, imported: str, line: int, kind: str = "internal", **flags: Any
) -> dict[str, Any]:
    file = importer.replace(".", "/") + ".py"
    return {
        "importer": importer,
        "imported": imported,
        "kind": kind,
        "names": [],
        "line": line,
        "end_line": line,
        "lazy": flags.get("lazy", False),
        "type_checking": flags.get("type_checking", False),
        "guarded": False,
        "conditional": False,
        "file": file,
    }


EDGES = [
    edge("pkg.a", "pkg.b", 1),
    edge("pkg.b", "pkg.a", 2, lazy=True),
    edge("pkg.c", "os", 1, kind="stdlib"),
    edge("pkg.c", "pkg.a", 3),
]


def make_repo(root: Path) -> Path:
    """pkg/{a,b,c}.py with five dated commits: a and b change together; old_c.py → c.py."""
    root.mkdir()
    git(root, "init", "-q")
    first = {"pkg/__init__.py": "", "pkg/a.py": A_SOURCE, "pkg/b.py": B_SOURCE}
    commit(root, 1, {**first, "pkg/old_c.py": C_SOURCE}, "one")
    commit(root, 2, {"pkg/a.py": A_SOURCE + "# 2\n", "pkg/b.py": B_SOURCE + "# 2\n"}, "two")
    commit(root, 3, {"pkg/a.py": A_SOURCE + "# 3\n", "pkg/b.py": B_SOURCE + "# 3\n"}, "three")
    git(root, "mv", "pkg/old_c.py", "pkg/c.py")
    commit(root, 4, {"pkg/c.py": C_SOURCE + "# 4\n"}, "rename")
    commit(root, 5, {"pkg/c.py": C_SOURCE + "# 5\n", "pkg/a.py": A_SOURCE + "# 5\n"}, "five")
    return root


def make_src_repo(root: Path) -> Path:
    """pkg/{a,b,c}.py changed on days 1-3, moved as a whole into ``src/`` on day 4 (a bulk
    move, no line changed), then a.py and c.py changed on days 5-6: a ``src/`` layout."""
    root.mkdir()
    git(root, "init", "-q")
    first = {"pkg/__init__.py": "", "pkg/a.py": A_SOURCE, "pkg/b.py": B_SOURCE}
    commit(root, 1, {**first, "pkg/c.py": C_SOURCE}, "one")
    commit(root, 2, {"pkg/a.py": A_SOURCE + "# 2\n", "pkg/b.py": B_SOURCE + "# 2\n"}, "two")
    commit(root, 3, {"pkg/a.py": A_SOURCE + "# 3\n"}, "three")
    (root / "src").mkdir()
    git(root, "mv", "pkg", "src/pkg")
    commit(root, 4, {}, "move into src/")
    commit(root, 5, {"src/pkg/a.py": A_SOURCE + "# 5\n"}, "five")
    commit(root, 6, {"src/pkg/c.py": C_SOURCE + "# 6\n", "README.md": "six\n"}, "six")
    return root


def follow_count(repo: Path, path: str) -> int:
    """How many commits ``git log --follow`` lists for ``path``."""
    out = subprocess.run(
        ["git", "log", "--follow", "--format=%H", "--", path],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return len(out.split())
