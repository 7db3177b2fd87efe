"""A built dashboard as files in memory, compared with and synced to the committed folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from quant_engine.utils.atomic import write_bytes_if_changed


@dataclass(frozen=True)
class TreeDiff:
    """How the committed build differs from a fresh one (paths relative to the folder)."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """True when the committed build is fresh."""
        return not (self.added or self.changed or self.removed)


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative POSIX path (empty when it does not exist)."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def diff_trees(committed: dict[str, bytes], fresh: dict[str, bytes]) -> TreeDiff:
    """What a sync of ``fresh`` over ``committed`` would add, change and remove."""
    return TreeDiff(
        added=tuple(sorted(set(fresh) - set(committed))),
        changed=tuple(sorted(p for p in set(fresh) & set(committed) if fresh[p] != committed[p])),
        removed=tuple(sorted(set(committed) - set(fresh))),
    )


def sync_tree(folder: Path, fresh: dict[str, bytes]) -> TreeDiff:
    """Make ``folder`` hold exactly ``fresh``, writing only what changed; the diff it applied."""
    diff = diff_trees(read_tree(folder), fresh)
    for name in (*diff.added, *diff.changed):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_if_changed(target, fresh[name])
    for name in diff.removed:
        (folder / name).unlink()
    return diff
