"""One cached ticker under a concurrent writer, and writers SIGKILLed at random moments.

Both run real processes (see ``cache_concurrency_support``); every read must return exactly one
written version, data and metadata agreeing, and never raise.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from quant_engine.data.local_cache import CacheMeta, LocalCache, meta_path_for
from quant_engine.utils.atomic import is_temp_name
from tests.reliability.cache_concurrency_support import (
    SOURCE,
    TICKER,
    meta_version,
    version_of,
    write_version,
)

REPO = Path(__file__).resolve().parents[2]
READS = 1200
"""Reads of data, each followed by a metadata-only read, while the writer rewrites the ticker."""
KILLS = 24
SEED = 11


def helper(*args: str, **popen: object) -> subprocess.Popen[str]:
    """Start the support module in its own process."""
    command = [sys.executable, "-m", "tests.reliability.cache_concurrency_support", *args]
    return subprocess.Popen(command, cwd=REPO, text=True, **popen)  # type: ignore[call-overload]


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; any still alive at the end is killed and reaped."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


def test_reader_during_rewrites_sees_whole_versions_only(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    root = tmp_path / "cache"
    write_version(LocalCache(root), 0)
    stop = tmp_path / "stop"
    writer = helper("write", str(root), str(stop), stdout=subprocess.PIPE)
    processes.append(writer)
    cache = LocalCache(root)
    deadline = time.monotonic() + 30
    while meta_version(cache.read_meta(SOURCE, TICKER)) < 3:  # the writer is under way
        assert time.monotonic() < deadline, "the writer did not start"
        time.sleep(0.01)
    reader = helper("read", str(root), str(READS), stdout=subprocess.PIPE)
    processes.append(reader)
    out, _ = reader.communicate(timeout=80)
    stop.touch()
    written = int(writer.communicate(timeout=20)[0])
    summary = json.loads(out)
    seen = len(summary["versions"])
    print(f"\n{READS} data + {READS} metadata reads, {written} rewrites, {seen} versions seen")
    assert summary["errors"] == 0, summary["first_errors"]
    assert set(summary["versions"]) <= set(range(written))
    assert len(summary["versions"]) >= 10, "the reads did not overlap the rewrites"


def stale_sidecar(path: Path) -> bool:
    """True when the sidecar describes another write than the Parquet file holds."""
    embedded = json.loads(pq.read_metadata(path).metadata[b"quant_engine.cache_meta"])
    sidecar = meta_path_for(path)
    return not sidecar.exists() or CacheMeta.from_file(sidecar).write_id != embedded["write_id"]


def test_writer_killed_at_random_moments_leaves_the_old_or_new_pair(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    root = tmp_path / "cache"
    cache = LocalCache(root)
    write_version(cache, 0)
    path = cache.path_for(SOURCE, TICKER)
    farm = helper("farm", str(root), stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=1)
    processes.append(farm)
    assert farm.stdin is not None
    assert farm.stdout is not None
    rng = random.Random(SEED)
    following, between, leftovers = 1, 0, 0
    for _ in range(KILLS):
        farm.stdin.write(f"go {following}\n")
        farm.stdin.flush()
        pid = int(farm.stdout.readline().split()[1])
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(pid, signal.SIGKILL)
        done = [int(line.split()[1]) for line in iter(farm.stdout.readline, "dead\n")]
        complete = done[-1] if done else following - 1
        names = sorted(p.name for p in path.parent.iterdir() if not is_temp_name(p.name))
        assert names == [f"{TICKER}.meta.json", f"{TICKER}.parquet"]
        leftovers += sum(is_temp_name(p.name) for p in path.parent.iterdir())
        between += stale_sidecar(path)
        version = meta_version(cache.read_meta(SOURCE, TICKER))
        assert version in (complete, complete + 1), (version, complete)
        assert version_of(*cache.read(SOURCE, TICKER)) == version
        assert cache.tickers(SOURCE) == (TICKER,)
        following = version + 1
    farm.stdin.close()
    farm.wait(timeout=10)
    print(
        f"\n{KILLS} SIGKILLs (seed {SEED}): {KILLS} reads held; {between} landed between the "
        f"data and sidecar renames; {leftovers} hidden temp files seen"
    )
