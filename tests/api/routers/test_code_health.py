"""/api/code-health: the audit's hotspots and cycles, or an empty state before `make audit`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from quant_engine import layout

HOTSPOTS = {
    "window": {"commits": 12, "days": 30, "since": "", "text": "12 commits over 30 days"},
    "formula": "score = revisions × complexity",
    "files": [
        {"file": "pkg/a.py", "rank": 1, "score": 40.0, "revisions": 4, "complexity": 10},
        {"file": "pkg/b.py", "rank": 2, "score": 6.0, "revisions": 2, "complexity": 3},
    ],
    "cycles": [
        ["pkg.a", "pkg.b"],
        {
            "modules": ["pkg.c", "pkg.d"],
            "imports": [],
            "break": [{"importer": "pkg.d", "imported": "pkg.c"}],
        },
    ],
}


@pytest.fixture
def hotspots_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the view looks for the audit's hotspot data (a temporary file)."""
    path = tmp_path / "HOTSPOTS.json"
    monkeypatch.setattr(layout, "hotspots_json_path", lambda: path)
    return path


def test_hotspots_and_cycles_are_served_in_rank_order(
    hotspots_file: Path, client: TestClient
) -> None:
    hotspots_file.write_text(json.dumps(HOTSPOTS), encoding="utf-8")
    data = client.get("/api/code-health").json()["data"]
    assert data["available"] is True
    assert [f["file"] for f in data["files"]] == ["pkg/a.py", "pkg/b.py"]
    assert data["window"] == "12 commits over 30 days"
    assert data["cycles"] == [
        {"modules": ["pkg.a", "pkg.b"], "suggested_break": None},
        {"modules": ["pkg.c", "pkg.d"], "suggested_break": "pkg.d -> pkg.c"},
    ]


def test_before_an_audit_the_page_says_so(hotspots_file: Path, client: TestClient) -> None:
    data = client.get("/api/code-health").json()["data"]
    assert data == {"available": False, "window": "", "formula": "", "files": [], "cycles": []}


def test_corrupt_audit_data_is_an_error_naming_the_file(
    hotspots_file: Path, client: TestClient
) -> None:
    hotspots_file.write_text('{"files": [{"file": "a.py"}]}', encoding="utf-8")
    response = client.get("/api/code-health")
    assert response.status_code == 500
    message = response.json()["error"]["message"]
    assert f"{hotspots_file}: unexpected hotspot data" in message
