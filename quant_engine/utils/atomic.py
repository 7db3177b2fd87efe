"""Crash-safe file writes: a reader sees the old content or the new, never a partial file.

Data goes to a hidden temp file in the destination folder (``.<name>.<random>.tmp``), is fsynced,
then moved into place: ``os.replace`` to overwrite, or ``os.link`` for an exclusive create (a hard
link fails when the name exists, so a collision is an error and the target is never replaced).
A crash mid-write leaves at most a hidden temp file, which :func:`is_temp_name` recognises.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
from pathlib import Path

TEMP_SUFFIX = ".tmp"
_TEMP_RE = re.compile(r"^\..+\.[0-9a-f]{16}\.tmp$")
# errno values meaning "this filesystem has no hard links", where we fall back to O_EXCL.
_NO_LINK_ERRNOS = frozenset(
    {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}
)


def temp_path_for(path: Path) -> Path:
    """A fresh hidden temp name beside ``path`` (same folder, so a rename is atomic)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(8)}{TEMP_SUFFIX}")


def is_temp_name(name: str) -> bool:
    """True for names made by :func:`temp_path_for` (left behind only by a crash)."""
    return bool(_TEMP_RE.match(name))


def fsync_directory(folder: Path) -> None:
    """Flush a folder's entries to disk so a completed rename survives power loss (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_temp(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new fsynced temp file beside ``path`` and return the temp path.

    An OSError naming no file, or the temp file (a full disk, say), is re-raised naming ``path``.
    """
    tmp = temp_path_for(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        if exc.filename not in (None, str(tmp)):
            raise
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
    return tmp


def link_exclusive(tmp: Path, path: Path) -> None:
    """Give ``tmp``'s content the name ``path``, failing with FileExistsError if ``path`` exists.

    Without hard links (some network or FAT filesystems) the name is reserved with O_EXCL and
    then replaced: still exclusive, but a crash in between can leave an empty file there.
    """
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "refusing to overwrite", str(path)) from None
    except OSError as exc:
        if exc.errno not in _NO_LINK_ERRNOS:
            raise
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        os.replace(tmp, path)
        return
    tmp.unlink()


def write_bytes_atomic(
    path: Path, data: bytes, *, exclusive: bool = False, durable: bool = True
) -> Path:
    """Atomically write ``data`` to ``path``; ``exclusive`` makes an existing ``path`` an error.

    The data is always fsynced before it gets the name; ``durable=False`` skips the folder fsync
    (the name may be lost on power failure, never half-written) for records soon superseded.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = write_temp(path, data)
    try:
        if exclusive:
            link_exclusive(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if durable:
        fsync_directory(path.parent)
    return path


def write_text_atomic(
    path: Path, text: str, *, exclusive: bool = False, encoding: str = "utf-8"
) -> Path:
    """Atomically write ``text`` to ``path`` (see :func:`write_bytes_atomic`)."""
    return write_bytes_atomic(path, text.encode(encoding), exclusive=exclusive)


def write_bytes_if_changed(path: Path, data: bytes) -> bool:
    """Atomically write ``data`` to ``path`` unless the file already holds exactly it.

    Returns True when it wrote. An unchanged file keeps its modification time, so tools that
    regenerate outputs leave untouched files alone (no rebuilds, no noisy diffs).
    """
    try:
        if Path(path).read_bytes() == data:
            return False
    except OSError:
        pass  # missing or unreadable: write it
    write_bytes_atomic(path, data)
    return True


def write_text_if_changed(path: Path, text: str, *, encoding: str = "utf-8") -> bool:
    """Atomically write ``text`` to ``path`` unless it already holds it; True when written."""
    return write_bytes_if_changed(path, text.encode(encoding))


def create_exclusive(path: Path, data: bytes, *, durable: bool = True) -> Path:
    """Atomically create ``path`` with ``data``; FileExistsError if the name is taken."""
    return write_bytes_atomic(path, data, exclusive=True, durable=durable)


def replace_symlink(link: Path, target: str) -> None:
    """Point symlink ``link`` at ``target`` atomically (new link under a temp name, renamed)."""
    tmp = temp_path_for(link)
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
