"""Where things live: QE_HOME moves the data home; audit data sits in docs/audit/data.

That no other module spells these paths is the QE006 gate (scripts/gates/checks.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from quant_engine import layout


def test_qe_home_moves_every_data_folder(qe_home: Path) -> None:
    assert layout.data_home() == qe_home.resolve()
    for folder in (layout.cache_dir(), layout.results_dir(), layout.models_dir()):
        assert folder.parent == qe_home.resolve()
    assert layout.manifests_dir().parent == qe_home.resolve()
    assert layout.cache_dir("sample") == qe_home.resolve() / "cache" / "sample"


def test_default_data_home_is_git_ignored_folder_in_checkout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("QE_HOME")
    home = layout.data_home()
    assert home.parent == layout.repo_root()
    gitignore = (layout.repo_root() / ".gitignore").read_text().splitlines()
    assert f"{home.name}/" in gitignore


def test_audit_files_live_under_docs_audit_data() -> None:
    data_dir = layout.audit_data_dir()
    assert data_dir == layout.repo_root() / "docs" / "audit" / "data"
    for path in (
        layout.dependency_edges_path(),
        layout.interface_contracts_path(),
        layout.hotspots_json_path(),
        layout.hotspots_md_path(),
        layout.hotspots_png_path(),
    ):
        assert path.parent == data_dir
    assert layout.legacy_dependency_edges_path().parent == layout.audit_dir()


def test_layout_imports_only_the_standard_library() -> None:
    tree = ast.parse((layout.package_dir() / "layout.py").read_text())
    nodes = list(ast.walk(tree))
    imported = {a.name for n in nodes if isinstance(n, ast.Import) for a in n.names} | {
        n.module or "" for n in nodes if isinstance(n, ast.ImportFrom)
    }
    assert imported <= {"__future__", "os", "pathlib"}


def test_paths_are_recorded_relative_to_the_data_home(qe_home: Path, tmp_path: Path) -> None:
    inside = layout.cache_dir("sample") / "SPX.parquet"
    assert layout.relative_to_home(inside) == "cache/sample/SPX.parquet"
    outside = tmp_path.parent / "elsewhere" / "x.parquet"
    assert layout.relative_to_home(outside) == outside.resolve().as_posix()
