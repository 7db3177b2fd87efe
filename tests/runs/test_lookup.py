"""Finding a run from what a user types: a path, latest[:script], a run id or a unique prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from quant_engine.errors import UsageError
from quant_engine.runs import lookup, store
from quant_engine.runs.manifest import RunStatus
from quant_engine.utils.reproducibility import record_run, write_run_manifest
from tests.runs.manifests import make, running_as


def test_find_by_id_prefix_short_id_path_and_latest(tmp_path: Path) -> None:
    a = make("train", "20260101T000000.000001Z")
    b = make("predict", "20260102T000000.000001Z")
    path_a = write_run_manifest(a, tmp_path)
    path_b = write_run_manifest(b, tmp_path)
    assert lookup.find_manifest(tmp_path, a.run_id) == path_a
    assert lookup.find_manifest(tmp_path, "20260102") == path_b
    assert lookup.find_manifest(tmp_path, a.run_id.rsplit("-", 1)[1]) == path_a
    assert lookup.find_manifest(tmp_path, str(path_a)) == path_a
    assert lookup.find_manifest(tmp_path, "latest") == path_b
    assert lookup.find_manifest(tmp_path, "latest:train") == path_a
    with pytest.raises(UsageError, match="ambiguous"):
        lookup.find_manifest(tmp_path, "2026010")
    with pytest.raises(UsageError, match="no run matches 'zzz'"):
        lookup.find_manifest(tmp_path, "zzz")
    with pytest.raises(UsageError, match="no finished successful run of nope"):
        lookup.find_manifest(tmp_path, "latest:nope")


def test_latest_is_the_newest_finished_success(tmp_path: Path) -> None:
    with record_run(None, "bt", output_dir=tmp_path) as good:
        pass
    with pytest.raises(RuntimeError), record_run(None, "bt", output_dir=tmp_path):
        raise RuntimeError("boom")
    dead = running_as(tmp_path, process_start="another-boot:1")
    assert store.load_manifest(dead).status is RunStatus.DEAD
    assert lookup.find_manifest(tmp_path, "latest:bt") == good.manifest_path
    assert lookup.find_manifest(tmp_path, "latest") == good.manifest_path
