"""ModelRegistry: content-addressed versions, byte-identical retrains, CURRENT, clear errors."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pandas as pd
import pytest

from quant_engine import layout
from quant_engine.errors import CacheCorruptError, ModelNotFoundError, UsageError
from quant_engine.models import ModelRegistry, SavedModel, TrainResult, train_model
from tests.models.conftest import SAVED_TICKERS, save

XY = tuple[pd.DataFrame, pd.Series]


def retrain(xy: XY, **overrides: object) -> TrainResult:
    """A fresh training run with the conftest's settings (ridge, seed 3)."""
    kwargs: dict[str, object] = {"model_kind": "ridge", "seed": 3, "horizon": 5, "embargo": 5}
    kwargs.update(overrides)
    return train_model(*xy, n_folds=4, **kwargs)  # type: ignore[arg-type]


def test_default_root_is_the_layout_models_dir(qe_home: Path) -> None:
    assert ModelRegistry().root == layout.models_dir()
    assert ModelRegistry().root.is_relative_to(qe_home)


@pytest.fixture
def saved(trained: TrainResult) -> tuple[ModelRegistry, SavedModel]:
    """A fresh registry holding ``trained``, saved with fixed provenance."""
    registry = ModelRegistry()
    return registry, save(registry, trained)


def stored_metadata(version: SavedModel) -> dict[str, object]:
    metadata: dict[str, object] = json.loads(version.paths["metadata"].read_text())
    return metadata


def test_version_id_is_m_and_twelve_characters(saved: tuple[ModelRegistry, SavedModel]) -> None:
    _, version = saved
    assert version.version_id.startswith("m-")
    assert len(version.version_id) == 14


def test_save_moves_current_to_the_new_version(saved: tuple[ModelRegistry, SavedModel]) -> None:
    registry, version = saved
    assert registry.current_version() == version.version_id


def test_save_writes_model_metadata_and_created_files(
    saved: tuple[ModelRegistry, SavedModel],
) -> None:
    registry, version = saved
    assert version.paths == registry.paths(version.version_id)
    assert sorted(name for name, path in version.paths.items() if path.is_file()) == [
        "created",
        "metadata",
        "model",
    ]


def test_creation_time_is_kept_out_of_the_content_addressed_metadata(
    saved: tuple[ModelRegistry, SavedModel],
) -> None:
    _, version = saved
    assert "created_at" not in stored_metadata(version)
    assert "created_at" in json.loads(version.paths["created"].read_text())


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("feature_mode", "minimal"),
        ("model_kind", "ridge"),
        ("data_digest", "abc123"),
        ("seed", 3),
        ("tickers", list(SAVED_TICKERS)),
        ("horizon", 5),
        ("extra", {"years": 3}),
    ],
)
def test_metadata_records_the_provenance_given(
    saved: tuple[ModelRegistry, SavedModel], field: str, expected: object
) -> None:
    _, version = saved
    assert stored_metadata(version)[field] == expected


def test_metadata_records_the_version_id(saved: tuple[ModelRegistry, SavedModel]) -> None:
    _, version = saved
    assert stored_metadata(version)["version_id"] == version.version_id


def test_metadata_records_the_training_window(
    saved: tuple[ModelRegistry, SavedModel], trained: TrainResult
) -> None:
    _, version = saved
    stored = stored_metadata(version)
    assert (stored["train_start"], stored["train_end"]) == (
        trained.train_start.date().isoformat(),
        trained.train_end.date().isoformat(),
    )


def test_metadata_records_the_out_of_sample_ic(
    saved: tuple[ModelRegistry, SavedModel], trained: TrainResult
) -> None:
    metrics = stored_metadata(saved[1])["metrics"]
    assert isinstance(metrics, dict)
    assert metrics["ic"] == pytest.approx(trained.metrics.ic)


def test_metadata_records_stats_for_every_feature(
    saved: tuple[ModelRegistry, SavedModel], trained: TrainResult
) -> None:
    feature_stats = stored_metadata(saved[1])["feature_stats"]
    assert isinstance(feature_stats, dict)
    assert set(feature_stats) == set(trained.feature_names)


def test_loaded_model_predicts_like_the_trained_one(trained: TrainResult, minimal_xy: XY) -> None:
    registry = ModelRegistry()
    version = save(registry, trained)
    loaded = registry.load()
    assert loaded.version_id == version.version_id
    assert loaded.metadata.created_at == version.metadata.created_at
    x = minimal_xy[0].dropna().to_numpy()
    assert (loaded.estimator.predict(x) == trained.estimator.predict(x)).all()


def test_training_twice_gives_the_same_version_and_identical_files(
    minimal_xy: XY, tmp_path: Path
) -> None:
    first = save(ModelRegistry(tmp_path / "a"), retrain(minimal_xy))
    second = save(ModelRegistry(tmp_path / "b"), retrain(minimal_xy))
    assert first.version_id == second.version_id
    for name in ("model", "metadata"):
        assert first.paths[name].read_bytes() == second.paths[name].read_bytes(), name


def test_gbm_training_is_byte_reproducible_too(minimal_xy: XY, tmp_path: Path) -> None:
    first = save(ModelRegistry(tmp_path / "a"), retrain(minimal_xy, model_kind="gbm"))
    second = save(ModelRegistry(tmp_path / "b"), retrain(minimal_xy, model_kind="gbm"))
    assert first.version_id == second.version_id
    assert first.paths["model"].read_bytes() == second.paths["model"].read_bytes()


def test_resaving_keeps_one_version_and_its_creation_time(trained: TrainResult) -> None:
    registry = ModelRegistry()
    first = save(registry, trained)
    second = save(registry, trained)
    assert second.version_id == first.version_id
    assert second.metadata.created_at == first.metadata.created_at
    assert [m.version_id for m in registry.versions()] == [first.version_id]


def test_any_change_of_provenance_is_a_new_version(trained: TrainResult) -> None:
    registry = ModelRegistry()
    base = save(registry, trained)
    other = save(registry, trained, digest="other data")
    assert other.version_id != base.version_id
    assert registry.current_version() == other.version_id
    assert [m.version_id for m in registry.versions()] == [other.version_id, base.version_id]


def test_another_seed_is_another_version(minimal_xy: XY, trained: TrainResult) -> None:
    registry = ModelRegistry()
    base = save(registry, trained)
    gbm = [save(registry, retrain(minimal_xy, model_kind="gbm", seed=s)) for s in (3, 4)]
    assert len({base.version_id, *(v.version_id for v in gbm)}) == 3
    assert registry.load(gbm[1].version_id).metadata.seed == 4


def test_save_refuses_provenance_that_contradicts_the_result(trained: TrainResult) -> None:
    with pytest.raises(ValueError, match="do not match the trained result"):
        ModelRegistry().save(
            trained, feature_mode="minimal", model_kind="gbm", data_digest="", seed=3, tickers=[]
        )


def test_save_refuses_a_feature_mode_the_model_was_not_trained_on(trained: TrainResult) -> None:
    with pytest.raises(ValueError, match="not trained on feature mode 'core'"):
        ModelRegistry().save(
            trained, feature_mode="core", model_kind="ridge", data_digest="", seed=3, tickers=[]
        )
    with pytest.raises(ValueError, match="unknown feature mode"):
        ModelRegistry().save(
            trained, feature_mode="huge", model_kind="ridge", data_digest="", seed=3, tickers=[]
        )


def test_set_current_and_load_by_id(trained: TrainResult) -> None:
    registry = ModelRegistry()
    base = save(registry, trained)
    other = save(registry, trained, digest="other data")
    assert registry.load(base.version_id).metadata.data_digest == "abc123"
    assert registry.current_version() == other.version_id
    registry.set_current(base.version_id)
    assert registry.current_version() == base.version_id
    assert registry.load().version_id == base.version_id


def test_nothing_trained_says_run_qe_train() -> None:
    registry = ModelRegistry()
    assert registry.current_version() is None
    assert registry.versions() == []
    with pytest.raises(ModelNotFoundError, match=r"^no model trained yet: run qe-train first$"):
        registry.load()


def test_unknown_version_lists_the_known_ones(trained: TrainResult) -> None:
    registry = ModelRegistry()
    version = save(registry, trained)
    with pytest.raises(ModelNotFoundError, match=rf"'m-000000000000'.*known: {version.version_id}"):
        registry.load("m-000000000000")
    with pytest.raises(ModelNotFoundError, match="known"):
        registry.set_current("../escape")


def test_corrupt_pickle_is_reported_with_its_path(trained: TrainResult) -> None:
    registry = ModelRegistry()
    version = save(registry, trained)
    model_path = version.paths["model"]
    model_path.write_bytes(model_path.read_bytes()[:50])
    with pytest.raises(CacheCorruptError, match=str(model_path)):
        registry.load()


def test_a_swapped_model_file_does_not_pass_as_the_version(trained: TrainResult) -> None:
    registry = ModelRegistry()
    version = save(registry, trained)
    version.paths["model"].write_bytes(pickle.dumps("not a model", protocol=5))
    with pytest.raises(CacheCorruptError, match="do not match version"):
        registry.load(version.version_id)


def test_corrupt_metadata_is_reported_and_skipped_in_listings(trained: TrainResult) -> None:
    registry = ModelRegistry()
    version = save(registry, trained)
    version.paths["metadata"].write_text("{not json")
    with pytest.raises(CacheCorruptError, match=str(version.paths["metadata"])):
        registry.load()
    assert registry.versions() == []


def test_current_pointing_nowhere_is_corruption(trained: TrainResult) -> None:
    registry = ModelRegistry()
    save(registry, trained)
    (registry.root / "CURRENT").write_text("m-ffffffffffff\n")
    with pytest.raises(CacheCorruptError, match="CURRENT"):
        registry.load()


BothModes = tuple[ModelRegistry, SavedModel, SavedModel]


@pytest.fixture
def both_modes(trained: TrainResult, core_trained: TrainResult) -> BothModes:
    """A registry holding a minimal version, then a core version, each saved as current."""
    registry = ModelRegistry()
    return registry, save(registry, trained), save(registry, core_trained, mode="core")


def test_each_feature_mode_keeps_its_own_current(both_modes: BothModes) -> None:
    registry, minimal, core = both_modes
    assert registry.current_version("minimal") == minimal.version_id
    assert registry.current_version("core") == core.version_id
    assert registry.current_version("full") is None
    assert registry.currents() == {"core": core.version_id, "minimal": minimal.version_id}
    assert registry.current_version() == core.version_id  # the one made current last


def test_use_moves_only_its_own_modes_pointer(both_modes: BothModes, trained: TrainResult) -> None:
    registry, old_minimal, core = both_modes
    new_minimal = save(registry, trained, digest="newer data")
    registry.set_current(old_minimal.version_id)
    assert registry.currents() == {"core": core.version_id, "minimal": old_minimal.version_id}
    assert new_minimal.version_id not in registry.currents().values()


def test_a_registry_with_only_the_old_current_pointer_still_works(both_modes: BothModes) -> None:
    registry, minimal, _ = both_modes
    for pointer in registry.root.glob("CURRENT-*"):
        pointer.unlink()
    (registry.root / "CURRENT").write_text(f"{minimal.version_id}\n")
    assert registry.current_version("minimal") == minimal.version_id
    assert registry.current_version("core") is None
    assert registry.currents() == {"minimal": minimal.version_id}
    assert registry.load().version_id == minimal.version_id
    assert "'minimal'" in registry.users(minimal.version_id)[0]


def test_a_version_prefix_names_it_when_unique(trained: TrainResult) -> None:
    registry = ModelRegistry()
    version = save(registry, trained).version_id
    other = save(registry, trained, digest="other data").version_id
    assert registry.match(version) == version
    assert registry.match(version[2:8]) == version
    with pytest.raises(ModelNotFoundError, match=f"several versions: .*{other}"):
        registry.match("m-")
    with pytest.raises(ModelNotFoundError, match=f"no model version 'zz'.*known: .*{version}"):
        registry.match("zz")


def test_remove_refuses_a_current_version_and_keeps_it(trained: TrainResult) -> None:
    registry = ModelRegistry()
    version = save(registry, trained)
    with pytest.raises(UsageError, match="current model of feature mode 'minimal'") as caught:
        registry.remove(version.version_id)
    assert caught.value.exit_code == 2
    assert registry.load().version_id == version.version_id


def test_remove_deletes_an_unused_version_and_nothing_else(trained: TrainResult) -> None:
    registry = ModelRegistry()
    unused = save(registry, trained)
    current = save(registry, trained, digest="newer data")
    crashed = registry.root / ".removing-m-000000000000-0000"  # an earlier removal cut short
    (crashed / "model.pkl").parent.mkdir()
    (crashed / "model.pkl").write_bytes(b"half")
    assert crashed.name not in registry.known_ids()
    registry.remove(unused.version_id)
    assert registry.known_ids() == [current.version_id]
    assert not (registry.root / unused.version_id).exists()
    assert [p.name for p in registry.root.iterdir() if p.name.startswith(".removing")] == []
    assert registry.load().version_id == current.version_id
    with pytest.raises(ModelNotFoundError, match="unknown model version"):
        registry.remove(unused.version_id)


def test_a_mode_pointer_to_a_removed_folder_is_reported(trained: TrainResult) -> None:
    registry = ModelRegistry()
    version = save(registry, trained)
    (registry.root / "CURRENT-minimal").write_text("m-ffffffffffff\n")
    assert registry.users(version.version_id) == [f"{registry.root / 'CURRENT'} points at it"]
