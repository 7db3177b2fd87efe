"""extract_dependencies.py as a user runs it: in process and as a subprocess from another folder."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from quant_engine import layout
from quant_engine.errors import DataError
from scripts import extract_dependencies
from scripts.dependencies.edges import MissingAuditDataError, load_edges

SCRIPT = Path(extract_dependencies.__file__).resolve()


def test_json_is_deterministic_and_rewritten_only_on_change(
    import_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = import_tree / "edges.json"
    argv = [
        "--root",
        str(import_tree / "pkg"),
        "--root",
        str(import_tree / "tools"),
        "--out",
        str(out),
    ]
    assert extract_dependencies.main([*argv, "--no-cache"]) == 0
    first = out.read_bytes()
    assert extract_dependencies.main([*argv, "--no-cache", "--jobs", "1"]) == 0
    assert out.read_bytes() == first
    assert "unchanged" in capsys.readouterr().out
    data = json.loads(first)
    assert sorted(data) == ["edges", "errors", "files", "modules"]
    assert first.endswith(b"}\n")
    assert list(data["edges"][0]) == sorted(data["edges"][0])
    keys = [(e["importer"], e["imported"], e["line"]) for e in data["edges"]]
    assert keys == sorted(keys)


def test_default_cache_lives_in_the_data_home(import_tree: Path, qe_home: Path) -> None:
    argv = ["--root", str(import_tree / "pkg"), "--out", str(import_tree / "e.json")]
    assert extract_dependencies.main(argv) == 0
    assert list((qe_home / "cache" / "audit").glob("deps-*.json"))
    assert layout.audit_cache_dir() == qe_home.resolve() / "cache" / "audit"


def test_strict_fails_on_unparsable_files(
    import_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--root", str(import_tree / "pkg"), "--out", str(import_tree / "e.json")]
    assert extract_dependencies.main(argv) == 0
    assert "pkg/bad.py: not analysed: line 2: invalid syntax" in capsys.readouterr().err
    assert extract_dependencies.main([*argv, "--strict"]) == 1


def test_a_missing_root_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        extract_dependencies.main(
            ["--root", str(tmp_path / "nowhere"), "--out", str(tmp_path / "e")]
        )
        == 2
    )
    assert "nowhere: not a folder" in capsys.readouterr().err


def test_canonical_output_and_load_edges(
    import_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canonical, legacy = tmp_path / "data" / "edges.json", tmp_path / "legacy.json"
    monkeypatch.setattr(layout, "dependency_edges_path", lambda: canonical)
    monkeypatch.setattr(layout, "legacy_dependency_edges_path", lambda: legacy)
    with pytest.raises(MissingAuditDataError) as missing:
        load_edges()
    assert "python scripts/extract_dependencies.py" in str(missing.value)
    assert "make audit" in str(missing.value)
    assert isinstance(missing.value, FileNotFoundError)
    assert isinstance(missing.value, DataError)
    assert extract_dependencies.main(["--root", str(import_tree / "pkg")]) == 0
    edges = load_edges()
    assert edges == json.loads(canonical.read_text())["edges"]
    canonical.rename(legacy)
    with pytest.warns(DeprecationWarning, match="deprecated"):
        assert load_edges() == edges
    legacy.write_text("[1, 2]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(DataError, match="no list of edges"):
            load_edges()


def test_runs_as_a_script_from_any_folder(import_tree: Path) -> None:
    out = import_tree / "edges.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", "pkg", "--out", str(out), "--strict"],
        cwd=import_tree,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "pkg/latin.py: not analysed:" in proc.stderr
    assert json.loads(out.read_text())["files"]["pkg.a"] == "pkg/a.py"


def test_full_parse_cross_check_never_answers_from_the_speed_paths_cache(
    import_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, cache = import_tree / "edges.json", import_tree / "cache"
    argv = ["--root", str(import_tree / "tools"), "--out", str(out), "--cache-dir", str(cache)]
    assert extract_dependencies.main(argv) == 0
    assert extract_dependencies.main(argv) == 0
    capsys.readouterr()
    assert extract_dependencies.main([*argv, "--full-parse"]) == 0
    assert "parsed 2 files (0 from cache)" in capsys.readouterr().out
    assert extract_dependencies.main([*argv, "--full-parse"]) == 0
    assert "parsed 0 files (2 from cache)" in capsys.readouterr().out
