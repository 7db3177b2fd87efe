"""Model lab for the API: the registry's versions and the current one, as wire types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError

from quant_engine.api.schemas.model_lab import ModelLabOverview, ModelVersion, OosMetrics
from quant_engine.errors import DataError, error_line

if TYPE_CHECKING:
    from quant_engine.models.registry import ModelMetadata, ModelRegistry


def registry() -> ModelRegistry:
    """The model registry of the data home."""
    from quant_engine.models.registry import ModelRegistry

    return ModelRegistry()


def created_at(store: ModelRegistry, meta: ModelMetadata) -> datetime:
    """When the version was saved; its metadata file's time when that was not recorded."""
    if meta.created_at:
        return datetime.fromisoformat(meta.created_at)
    stat = store.paths(meta.version_id)["metadata"].stat()
    return datetime.fromtimestamp(stat.st_mtime, UTC)


def to_wire(store: ModelRegistry, meta: ModelMetadata, current: str | None) -> ModelVersion:
    """One registry version as the wire type; DataError naming the version if it cannot be."""
    try:
        return ModelVersion.model_validate(
            {
                "version_id": meta.version_id,
                "created_at": created_at(store, meta),
                "feature_mode": meta.feature_mode,
                "model_kind": meta.model_kind,
                "train_start": meta.train_start,
                "train_end": meta.train_end,
                "oos": OosMetrics(
                    ic=meta.metrics.ic,
                    rank_ic=meta.metrics.rank_ic,
                    hit_rate=meta.metrics.hit_rate,
                    n_obs=meta.metrics.n_obs,
                ),
                "data_digest": meta.data_digest,
                "seed": meta.seed,
                "tickers": meta.tickers,
                "active": meta.version_id == current,
            }
        )
    except (ValidationError, ValueError, OSError) as exc:
        first = error_line(exc)
        raise DataError(f"model version {meta.version_id}: unusable metadata ({first})") from None


def overview() -> ModelLabOverview:
    """Every readable version, newest first, and which one is current."""
    store = registry()
    current = store.current_version()
    versions = [to_wire(store, meta, current) for meta in store.versions()]
    active = current if any(v.version_id == current for v in versions) else None
    return ModelLabOverview(versions=versions, active_version_id=active)


def version(version_id: str) -> ModelVersion:
    """One version; ModelNotFoundError (404) listing the known ids when it is not stored."""
    store = registry()
    store.check_known(version_id)
    return to_wire(store, store.read_metadata(version_id), store.current_version())


def active() -> ModelVersion | None:
    """The current version, or None before any training."""
    store = registry()
    current = store.current_version()
    if current is None:
        return None
    store.check_known(current)
    return to_wire(store, store.read_metadata(current), current)
