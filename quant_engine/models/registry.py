"""Versioned model registry on disk: content-addressed versions, one current per feature mode.

Layout under ``layout.models_dir()``::

    CURRENT-<feature mode>      the current version of that feature mode
    CURRENT                     the version made current last, of any mode (kept for older
                                readers; a registry with only this pointer still works: it is
                                then the current of its own mode)
    m-<12 hex>/model.pkl        the fitted estimator (pickle protocol 5)
    m-<12 hex>/metadata.json    ModelMetadata without created_at: byte-identical across retrains
    m-<12 hex>/created.json     {"created_at": ...}: when this version was first saved

The version id is ``m-`` + sha256(model bytes + canonical metadata without version id and
timestamp)[:12], so training twice on the same data with the same flags and seed gives the same
version and the same files. Loading re-hashes the files, so a modified or corrupt file is caught.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import pickle
import re
import secrets
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from quant_engine import layout
from quant_engine.errors import CacheCorruptError, ModelNotFoundError, UsageError
from quant_engine.runs.store import directory_lock
from quant_engine.utils.atomic import write_bytes_atomic
from quant_engine.utils.json_form import canonical_json

if TYPE_CHECKING:  # the estimator stack loads only when a model is trained or unpickled
    from quant_engine.models.estimators import Estimator
    from quant_engine.models.trainer import TrainResult

log = logging.getLogger(__name__)

MODEL_FILE = "model.pkl"
METADATA_FILE = "metadata.json"
CREATED_FILE = "created.json"
CURRENT_FILE = "CURRENT"
MODE_CURRENT_PREFIX = "CURRENT-"
REMOVING_PREFIX = ".removing-"
PICKLE_PROTOCOL = 5
VERSION_RE = re.compile(r"^m-[0-9a-f]{12}$")
MODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
NOT_TRAINED = "no model trained yet: run qe-train first"


class FeatureStats(BaseModel):
    """Training mean and (population) std of one feature, for drift checks."""

    model_config = ConfigDict(frozen=True)
    mean: float
    std: float


class OOSMetricsRecord(BaseModel):
    """Walk-forward out-of-sample metrics as stored."""

    model_config = ConfigDict(frozen=True)
    ic: float | None
    rank_ic: float | None
    hit_rate: float | None
    n_obs: int
    n_folds: int


class ModelMetadata(BaseModel):
    """Everything recorded about a model version; ``created_at`` lives in created.json."""

    model_config = ConfigDict(frozen=True)
    version_id: str
    feature_mode: str
    model_kind: str
    feature_names: list[str]
    train_start: str
    train_end: str
    metrics: OOSMetricsRecord
    data_digest: str
    seed: int
    tickers: list[str]
    horizon: int
    embargo: int
    n_rows: int
    feature_stats: dict[str, FeatureStats]
    extra: dict[str, Any] = Field(default_factory=dict)
    created_at: str | None = None


@dataclass(frozen=True)
class SavedModel:
    """What ``save`` hands back: the version id, its metadata and its files."""

    version_id: str
    metadata: ModelMetadata
    paths: dict[str, Path]


@dataclass(frozen=True)
class LoadedModel(SavedModel):
    """A version read back from the registry, ready to predict: a saved model and its estimator."""

    estimator: Estimator


def content_version_id(model_bytes: bytes, metadata: ModelMetadata) -> str:
    """``m-`` + 12 hex of sha256 over the model bytes and metadata minus id and timestamp."""
    hashed = metadata.model_dump(mode="json", exclude={"version_id", "created_at"})
    digest = hashlib.sha256(model_bytes + b"\n" + canonical_json(hashed)).hexdigest()
    return f"m-{digest[:12]}"


def metadata_bytes(metadata: ModelMetadata) -> bytes:
    """The exact bytes of metadata.json (no timestamp, fixed field order)."""
    return (metadata.model_dump_json(indent=2, exclude={"created_at"}) + "\n").encode("utf-8")


def mode_pointer_name(feature_mode: str) -> str:
    """File name of a feature mode's current pointer; ValueError for a name unsafe in a path."""
    if not MODE_RE.match(feature_mode):
        raise ValueError(f"not a feature mode name: {feature_mode!r}")
    return f"{MODE_CURRENT_PREFIX}{feature_mode}"


class ModelRegistry:
    """Save, list and load model versions under ``root`` (default ``layout.models_dir()``)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else layout.models_dir()

    def paths(self, version_id: str) -> dict[str, Path]:
        """Logical name -> file of one version (for run manifests)."""
        folder = self.root / version_id
        return {
            "model": folder / MODEL_FILE,
            "metadata": folder / METADATA_FILE,
            "created": folder / CREATED_FILE,
        }

    def save(
        self,
        result: TrainResult,
        *,
        feature_mode: str,
        model_kind: str,
        data_digest: str,
        seed: int,
        tickers: Sequence[str],
        extra: Mapping[str, Any] | None = None,
    ) -> SavedModel:
        """Store ``result`` as a content-addressed version and make it current.

        ``extra`` must be JSON-safe and deterministic: it is part of the hashed metadata.
        """
        from quant_engine.data.events import is_event_column
        from quant_engine.features import feature_names

        if (model_kind, seed) != (result.model_kind, result.seed):
            raise ValueError(
                f"save: model_kind={model_kind!r}, seed={seed} do not match the trained result "
                f"(model_kind={result.model_kind!r}, seed={result.seed})"
            )
        market_names = tuple(n for n in result.feature_names if not is_event_column(n))
        if feature_names(feature_mode) != market_names:
            raise ValueError(f"save: the model was not trained on feature mode {feature_mode!r}")
        model_bytes = pickle.dumps(result.estimator, protocol=PICKLE_PROTOCOL)
        draft = ModelMetadata(
            version_id="",
            feature_mode=feature_mode,
            model_kind=model_kind,
            feature_names=list(result.feature_names),
            train_start=result.train_start.date().isoformat(),
            train_end=result.train_end.date().isoformat(),
            metrics=OOSMetricsRecord(
                ic=result.metrics.ic,
                rank_ic=result.metrics.rank_ic,
                hit_rate=result.metrics.hit_rate,
                n_obs=result.metrics.n_obs,
                n_folds=result.metrics.n_folds,
            ),
            data_digest=data_digest,
            seed=seed,
            tickers=list(tickers),
            horizon=result.horizon,
            embargo=result.embargo,
            n_rows=result.n_rows,
            feature_stats={
                name: FeatureStats(mean=mean, std=std)
                for name, (mean, std) in result.feature_stats.items()
            },
            extra=dict(extra or {}),
        )
        version_id = content_version_id(model_bytes, draft)
        paths = self.paths(version_id)
        created_at = self.read_created(version_id) or dt.datetime.now(dt.UTC).isoformat(
            timespec="microseconds"
        )
        metadata = draft.model_copy(update={"version_id": version_id, "created_at": created_at})
        with self.locked():
            write_bytes_atomic(paths["model"], model_bytes)
            write_bytes_atomic(paths["created"], canonical_json({"created_at": created_at}))
            write_bytes_atomic(paths["metadata"], metadata_bytes(metadata))
            self.point_at(version_id, feature_mode)
        return SavedModel(version_id=version_id, metadata=metadata, paths=paths)

    def read_created(self, version_id: str) -> str | None:
        """The stored ``created_at`` of a version, or None when absent or unreadable."""
        try:
            payload = json.loads(self.paths(version_id)["created"].read_text(encoding="utf-8"))
            return str(payload["created_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def known_ids(self) -> list[str]:
        """Every version folder holding a metadata file, sorted by id."""
        if not self.root.is_dir():
            return []
        return sorted(
            p.parent.name
            for p in self.root.glob(f"*/{METADATA_FILE}")
            if VERSION_RE.match(p.parent.name)
        )

    def read_metadata(self, version_id: str) -> ModelMetadata:
        """A version's metadata with its created_at; CacheCorruptError naming a bad file."""
        path = self.paths(version_id)["metadata"]
        try:
            metadata = ModelMetadata.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as exc:
            raise CacheCorruptError(f"{path}: unreadable model metadata ({exc})") from None
        return metadata.model_copy(update={"created_at": self.read_created(version_id)})

    def versions(self) -> list[ModelMetadata]:
        """Metadata of every readable version, newest first (unreadable ones are logged)."""
        found: list[ModelMetadata] = []
        for version_id in self.known_ids():
            try:
                found.append(self.read_metadata(version_id))
            except CacheCorruptError as exc:
                log.warning("skipping model version: %s", exc)
        found.sort(key=lambda m: m.version_id)
        found.sort(key=lambda m: m.created_at or "", reverse=True)
        return found

    def read_pointer(self, name: str) -> str | None:
        """The version id a pointer file holds, or None when it is absent or empty."""
        try:
            text = (self.root / name).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return text or None

    def current_version(self, feature_mode: str | None = None) -> str | None:
        """The current version of ``feature_mode``; without one, the version made current last.

        A registry that has no pointer for the mode yet (written before pointers were kept per
        mode) falls back to ``CURRENT`` when that version is of the mode asked for.
        """
        if feature_mode is None:
            return self.read_pointer(CURRENT_FILE)
        own = self.read_pointer(mode_pointer_name(feature_mode))
        if own is not None:
            return own
        legacy = self.read_pointer(CURRENT_FILE)
        if legacy is None or legacy not in self.known_ids():
            return None
        try:
            mode = self.read_metadata(legacy).feature_mode
        except CacheCorruptError:
            return None
        return legacy if mode == feature_mode else None

    def currents(self) -> dict[str, str]:
        """Feature mode -> its current version id, for every mode that has one."""
        modes = {
            p.name.removeprefix(MODE_CURRENT_PREFIX)
            for p in self.root.glob(f"{MODE_CURRENT_PREFIX}*")
            if MODE_RE.match(p.name.removeprefix(MODE_CURRENT_PREFIX))
        }
        legacy = self.read_pointer(CURRENT_FILE)
        if legacy is not None and legacy in self.known_ids():
            with contextlib.suppress(CacheCorruptError):
                modes.add(self.read_metadata(legacy).feature_mode)
        found = {mode: self.current_version(mode) for mode in sorted(modes)}
        return {mode: version for mode, version in found.items() if version is not None}

    def check_known(self, version_id: str) -> None:
        """ModelNotFoundError listing the known ids unless ``version_id`` is stored here."""
        known = self.known_ids()
        if version_id not in known:
            listed = ", ".join(known) if known else "none"
            raise ModelNotFoundError(
                f"unknown model version {version_id!r} in {self.root}; known: {listed}"
            )

    def match(self, text: str) -> str:
        """The version id ``text`` names: an id or a unique prefix (``m-`` optional).

        ModelNotFoundError (exit 2) listing the candidates when none or several match.
        """
        known = self.known_ids()
        wanted = text if text.startswith("m-") else f"m-{text}"
        if wanted in known:
            return wanted
        hits = [v for v in known if v.startswith(wanted)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise ModelNotFoundError(
                f"model version {text!r} matches several versions: {', '.join(hits)}; "
                "give more characters"
            )
        listed = ", ".join(known) if known else "none (run qe-train first)"
        raise ModelNotFoundError(f"no model version {text!r} in {self.root}; known: {listed}")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the registry's lock: pointer moves and removals never interleave."""
        self.root.mkdir(parents=True, exist_ok=True)
        with directory_lock(self.root):
            yield

    def set_current(self, version_id: str) -> None:
        """Make a stored version the current one of its feature mode (atomically)."""
        with self.locked():
            self.check_known(version_id)
            self.point_at(version_id, self.read_metadata(version_id).feature_mode)

    def point_at(self, version_id: str, feature_mode: str) -> None:
        """Write the mode's pointer, then ``CURRENT``; the caller holds the lock."""
        write_bytes_atomic(self.root / mode_pointer_name(feature_mode), f"{version_id}\n".encode())
        write_bytes_atomic(self.root / CURRENT_FILE, f"{version_id}\n".encode())

    def users(self, version_id: str) -> list[str]:
        """Why ``version_id`` cannot be removed: every pointer that holds it (empty: unused)."""
        reasons = [
            f"it is the current model of feature mode {mode!r}"
            for mode, version in self.currents().items()
            if version == version_id
        ]
        if not reasons and self.read_pointer(CURRENT_FILE) == version_id:
            reasons.append(f"{self.root / CURRENT_FILE} points at it")
        return reasons

    def remove(self, version_id: str) -> Path:
        """Delete a version nothing points at; UsageError (exit 2) saying why it is in use.

        The folder is first renamed out of the listing (one atomic step), then deleted, so a
        crash midway leaves a hidden folder, never a half-deleted version; the next removal
        deletes such leftovers.
        """
        with self.locked():
            self.check_known(version_id)
            reasons = self.users(version_id)
            if reasons:
                raise UsageError(
                    f"model version {version_id} is in use: {'; '.join(reasons)}; make another "
                    "version current first (qe-models use VERSION)"
                )
            folder = self.root / version_id
            doomed = self.root / f"{REMOVING_PREFIX}{version_id}-{secrets.token_hex(4)}"
            folder.rename(doomed)
        for leftover in self.root.glob(f"{REMOVING_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        return folder

    def load(self, version: str | None = None) -> LoadedModel:
        """Load ``version`` (default: current), verifying its files against its id."""
        version_id = version if version is not None else self.current_version()
        if version_id is None:
            raise ModelNotFoundError(NOT_TRAINED)
        if version is None and version_id not in self.known_ids():
            raise CacheCorruptError(
                f"{self.root / CURRENT_FILE}: points to missing model version {version_id!r}"
            )
        self.check_known(version_id)
        paths = self.paths(version_id)
        metadata = self.read_metadata(version_id)
        try:
            model_bytes = paths["model"].read_bytes()
        except OSError as exc:
            raise CacheCorruptError(f"{paths['model']}: unreadable model file ({exc})") from None
        if content_version_id(model_bytes, metadata) != version_id:
            raise CacheCorruptError(
                f"{paths['model']}: contents (with {METADATA_FILE}) do not match version "
                f"{version_id}: the file was modified or is corrupt; retrain with qe-train"
            )
        try:
            estimator: Estimator = pickle.loads(model_bytes)
        except Exception as exc:  # unpickling can raise nearly anything
            raise CacheCorruptError(f"{paths['model']}: cannot unpickle model ({exc})") from None
        return LoadedModel(
            version_id=version_id, metadata=metadata, paths=paths, estimator=estimator
        )
