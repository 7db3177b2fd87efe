"""Processes that hammer one cached ticker: a writer of numbered versions and a checking reader.

Run as ``python -m tests.reliability.cache_concurrency_support ROLE ROOT ...``:

- ``write ROOT STOP_FILE``: rewrite the ticker with versions 0, 1, 2 ... until STOP_FILE exists,
  then print how many versions were written.
- ``read ROOT READS``: read the ticker READS times (data and metadata), checking each read is
  exactly one written version; print a JSON summary.
- ``farm ROOT``: for each ``go VERSION`` line on stdin, fork a child that writes versions from
  VERSION on, printing ``done V`` after each, and print ``pid PID``; once the child is killed,
  print ``dead``. Imports happen once, so each child starts writing within milliseconds.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

from quant_engine.data.local_cache import CacheMeta, LocalCache

SOURCE = "wrds"
TICKER = "AAPL"


def version_frame(version: int) -> pd.DataFrame:
    """The bars of one version: its row count and close price both identify it."""
    days = pd.bdate_range("2020-01-01", periods=rows_of(version), name="date")
    close = 100.0 + version
    return pd.DataFrame(
        {"open": close, "high": close + 1, "low": close - 1, "close": close, "volume": 1e6},
        index=days,
    )


def rows_of(version: int) -> int:
    """Row count of a version (cycles, so consecutive versions differ in length)."""
    return 40 + (version % 5) * 7


def write_version(cache: LocalCache, version: int) -> None:
    """Publish one version of the ticker."""
    cache.write(SOURCE, TICKER, version_frame(version), meta={"version": version})


def version_of(frame: pd.DataFrame, meta: CacheMeta) -> int:
    """The version a read returned; AssertionError when data and metadata are not one version."""
    version = int(meta.extra["version"])
    expected = version_frame(version)
    assert meta.rows == len(frame) == rows_of(version), (version, meta.rows, len(frame))
    assert meta.last_date == expected.index[-1].date().isoformat(), (version, meta.last_date)
    assert (frame["close"] == 100.0 + version).all(), version
    return version


def meta_version(meta: CacheMeta) -> int:
    """The version a metadata-only read returned, checked against its row count and dates."""
    version = int(meta.extra["version"])
    expected = version_frame(version)
    assert meta.rows == rows_of(version), (version, meta.rows)
    assert meta.last_date == expected.index[-1].date().isoformat(), (version, meta.last_date)
    return version


def writer(root: Path, stop_file: Path) -> None:
    """Rewrite the ticker with new versions until ``stop_file`` appears."""
    cache = LocalCache(root)
    version = 0
    while not stop_file.exists():
        write_version(cache, version)
        version += 1
    print(version)


def reader(root: Path, reads: int) -> None:
    """Read the ticker ``reads`` times (data, then metadata only); print a JSON summary."""
    cache = LocalCache(root)
    errors: list[str] = []
    seen: set[int] = set()
    started = time.monotonic()
    for _ in range(reads):
        try:
            seen.add(version_of(*cache.read(SOURCE, TICKER)))
            seen.add(meta_version(cache.read_meta(SOURCE, TICKER)))
        except Exception as exc:  # every failure is counted, none may happen
            errors.append(f"{type(exc).__name__}: {exc}")
    summary = {
        "reads": reads,
        "meta_reads": reads,
        "errors": len(errors),
        "first_errors": errors[:3],
        "versions": sorted(seen),
        "seconds": time.monotonic() - started,
    }
    print(json.dumps(summary))


def farm(root: Path) -> None:
    """Fork one writing child per ``go VERSION`` command; report its pid, progress and death."""
    cache = LocalCache(root)
    for line in sys.stdin:
        version = int(line.split()[1])
        pid = os.fork()
        if pid == 0:
            while True:
                write_version(cache, version)
                os.write(1, f"done {version}\n".encode())
                version += 1
        os.write(1, f"pid {pid}\n".encode())
        os.waitpid(pid, 0)
        os.write(1, b"dead\n")


def main(argv: list[str]) -> None:
    """Dispatch on the role (see the module docstring)."""
    role, root = argv[0], Path(argv[1])
    if role == "write":
        writer(root, Path(argv[2]))
    elif role == "read":
        reader(root, int(argv[2]))
    else:
        farm(root)


if __name__ == "__main__":
    main(sys.argv[1:])
