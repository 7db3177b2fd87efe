"""Syncing a fresh dashboard build over the committed one: only what changed is written."""

from __future__ import annotations

from pathlib import Path

from scripts.dashboard.tree import diff_trees, read_tree, sync_tree


def test_diff_names_added_changed_and_removed_files() -> None:
    diff = diff_trees({"a": b"1", "b": b"2", "gone": b"x"}, {"a": b"1", "b": b"3", "new": b"y"})
    assert (diff.added, diff.changed, diff.removed) == (("new",), ("b",), ("gone",))
    assert not diff.empty
    assert diff_trees({"a": b"1"}, {"a": b"1"}).empty


def test_sync_leaves_the_folder_equal_to_the_build_and_touches_nothing_unchanged(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "dashboard"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_bytes(b"same")
    (folder / "assets" / "old-123.js").write_bytes(b"old")
    before = (folder / "index.html").stat().st_mtime_ns
    fresh = {"index.html": b"same", "assets/new-456.js": b"new"}
    diff = sync_tree(folder, fresh)
    assert diff.added == ("assets/new-456.js",)
    assert diff.removed == ("assets/old-123.js",)
    assert read_tree(folder) == fresh
    assert (folder / "index.html").stat().st_mtime_ns == before
    assert sync_tree(folder, fresh).empty
