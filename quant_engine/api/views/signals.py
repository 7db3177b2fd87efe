"""Signals for the API: the ranked scores a successful ``run_predict`` run wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from quant_engine import config
from quant_engine.api.schemas.signals import SignalRow, SignalSet
from quant_engine.api.views import runs
from quant_engine.errors import DataError, QuantEngineError
from quant_engine.runs.manifest import RunManifest

SCRIPT = "run_predict"
NO_SIGNALS = "no signals yet: run qe-predict"


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a predictions Parquet file (date, ticker, score, rank)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, columns=["date", "ticker", "score", "rank"])
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"{path}: unreadable predictions ({exc})") from None
    rows: list[dict[str, Any]] = table.to_pylist()
    for row in rows:
        if isinstance(row["date"], dt.datetime):
            row["date"] = row["date"].date()
    return rows


def horizon_of(version: str | None) -> int:
    """Label horizon the model was trained for (the configured one if it cannot be read)."""
    if version is None:
        return config.LABEL_HORIZON_DAYS
    from quant_engine.models.registry import ModelRegistry

    try:
        return ModelRegistry().read_metadata(version).horizon
    except QuantEngineError:
        return config.LABEL_HORIZON_DAYS


def signal_set(manifest: RunManifest, limit: int | None = None) -> SignalSet:
    """A successful prediction run's signals, best first (the first ``limit`` rows)."""
    runs.require_run(manifest, SCRIPT, "a prediction")
    path = runs.output_path(manifest, "predictions_parquet")
    rows = sorted(read_rows(path), key=lambda row: row["rank"])
    if limit is not None:
        rows = rows[:limit]
    version = manifest.model_version or manifest.result.get("model_version")
    as_of = manifest.result.get("as_of") or max((row["date"] for row in rows), default=None)
    try:
        return SignalSet.model_validate(
            {
                "as_of": as_of,
                "model_version": version,
                "feature_mode": manifest.resolved.get("feature_mode"),
                "horizon_days": horizon_of(version if isinstance(version, str) else None),
                "rows": [SignalRow.model_validate(row) for row in rows],
                "run_id": manifest.run_id,
            }
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise DataError(f"{path}: bad signal ({where}: {error['msg']})") from None


def latest() -> RunManifest:
    """The newest successful prediction run; 404 with the command to run when there is none."""
    return runs.latest_success(SCRIPT, NO_SIGNALS)
