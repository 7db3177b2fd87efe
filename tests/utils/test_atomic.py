"""Atomic writes: whole content or nothing under the final name; exclusive never replaces."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from quant_engine.utils import atomic


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if atomic.is_temp_name(p.name))


def test_write_creates_and_replaces_without_leaving_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "data.json"
    atomic.write_text_atomic(target, "one")
    atomic.write_text_atomic(target, "two")
    assert target.read_text() == "two"
    assert leftovers(tmp_path) == []


def no_links(src: object, dst: object) -> None:
    """Stand-in for ``os.link`` on file systems without hard links."""
    raise OSError(errno.EPERM, "hard links not supported")


@pytest.mark.parametrize("hard_links", [True, False], ids=["hard-links", "no-hard-links"])
def test_exclusive_create_refuses_an_existing_name_and_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool
) -> None:
    if not hard_links:
        monkeypatch.setattr(atomic.os, "link", no_links)
    target = tmp_path / "m.json"
    atomic.create_exclusive(target, b"first")
    assert target.read_bytes() == b"first"
    with pytest.raises(FileExistsError, match=r"m\.json"):
        atomic.create_exclusive(target, b"second")
    assert target.read_bytes() == b"first"
    assert leftovers(tmp_path) == []


def test_failure_mid_write_leaves_target_untouched_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "m.json"
    target.write_text("old")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space") as excinfo:
        atomic.write_text_atomic(target, "new")
    assert excinfo.value.filename == str(target)  # the error names the file, not a temp name
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_a_reader_holding_the_old_file_keeps_reading_the_old_content(tmp_path: Path) -> None:
    """The new content arrives under a new inode: an in-place write would change what an
    already-open reader sees (truncated or mixed)."""
    target = tmp_path / "m.json"
    old = b"old " * 50_000
    target.write_bytes(old)
    with target.open("rb") as reader:
        atomic.write_bytes_atomic(target, b"new " * 10)
        assert reader.read() == old
    assert target.read_bytes() == b"new " * 10


def test_concurrent_readers_see_a_whole_old_or_new_file(tmp_path: Path) -> None:
    """A reader racing a writer of two large contents only ever sees one of them, whole."""
    import threading

    target = tmp_path / "big.bin"
    contents = (b"a" * 2_000_000, b"b" * 2_000_000)
    target.write_bytes(contents[0])
    seen: list[bytes] = []
    done = threading.Event()

    def read_until_done() -> None:
        while not done.is_set():
            data = target.read_bytes()
            if data not in contents:
                seen.append(data[:20] + f"... ({len(data)} bytes)".encode())

    reader = threading.Thread(target=read_until_done)
    reader.start()
    try:
        for i in range(30):
            atomic.write_bytes_atomic(target, contents[i % 2], durable=False)
    finally:
        done.set()
        reader.join()
    assert seen == []


def test_replace_symlink_swaps_the_target(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("a")
    (tmp_path / "b.json").write_text("b")
    link = tmp_path / "latest.json"
    atomic.replace_symlink(link, "a.json")
    atomic.replace_symlink(link, "b.json")
    assert os.readlink(link) == "b.json"
    assert link.read_text() == "b"
    assert leftovers(tmp_path) == []


def test_temp_names_are_hidden_and_recognised(tmp_path: Path) -> None:
    tmp = atomic.temp_path_for(tmp_path / "run_manifest_x.json")
    assert tmp.name.startswith(".")
    assert atomic.is_temp_name(tmp.name)
    assert not atomic.is_temp_name("run_manifest_x.json")
    assert not list(tmp_path.glob("run_manifest_*.json"))


def test_write_if_changed_writes_new_or_different_content_only(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    assert atomic.write_text_if_changed(target, "one\n") is True
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    assert atomic.write_text_if_changed(target, "one\n") is False
    assert target.stat().st_mtime_ns == 1_000_000_000  # untouched
    assert atomic.write_bytes_if_changed(target, b"two\n") is True
    assert target.read_bytes() == b"two\n"
    assert leftovers(target.parent) == []
