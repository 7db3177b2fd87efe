"""The OpenAPI document comes from the app's create_app(); a missing or failing app is clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from quant_engine.errors import UsageError
from scripts.typegen.outputs import load_app
from scripts.typegen.schema import SchemaError


def test_missing_default_app_is_skipped_but_an_explicit_one_is_an_error() -> None:
    assert load_app("quant_engine.no_such_app", required=False) is None
    with pytest.raises(UsageError, match=r"--app quant_engine\.no_such_app"):
        load_app("quant_engine.no_such_app", required=True)


def test_an_app_that_fails_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "failing_qe_app.py").write_text("def create_app():\n    raise RuntimeError('no')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SchemaError, match=r"failing_qe_app\.create_app\(\) failed: RuntimeError"):
        load_app("failing_qe_app", required=True)
