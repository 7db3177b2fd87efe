"""``qe-runs prune`` with results: which manifests go (:func:`store.prune` decides), the result
files they recorded, and how many bytes that frees.

Only outputs under the data home's ``results/`` folder are deleted, and only when no remaining
run recorded the same path (runs writing to the default folder overwrite each other's files, so a
kept run may own them now). Model files stay: the registry (``qe-models remove``) owns them.
A folder emptied by the deletions goes too.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from quant_engine import layout
from quant_engine.errors import DataError
from quant_engine.runs import store
from quant_engine.runs.hashing import home_path


@dataclass
class PrunePlan:
    """Manifests to delete, result paths to delete with them, and results left in place."""

    manifests: list[Path] = field(default_factory=list)
    results: dict[Path, list[Path]] = field(default_factory=dict)
    """Result files and folders by the manifest that recorded them."""
    shared: list[Path] = field(default_factory=list)
    """Results a remaining run also recorded: kept."""
    outside: list[Path] = field(default_factory=list)
    """Results outside ``results/`` (another --output-dir, model files): kept."""
    sizes: dict[Path, int] = field(default_factory=dict)
    """Bytes of each path, measured when the plan was made."""

    def result_paths(self) -> list[Path]:
        """Every result path to delete."""
        return sorted({p for paths in self.results.values() for p in paths})

    def size(self) -> int:
        """Bytes the plan frees: manifests plus results."""
        paths = (*self.manifests, *self.result_paths())
        return sum(self.sizes.get(p, 0) for p in paths)


def size_of(path: Path) -> int:
    """Bytes a file (or every file under a folder) takes; 0 when gone."""
    try:
        if path.is_dir() and not path.is_symlink():
            return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file())
        return path.lstat().st_size
    except OSError:
        return 0


def recorded_outputs(manifest_path: Path) -> list[Path]:
    """The output paths a manifest recorded (none when it cannot be read)."""
    try:
        manifest = store.load_manifest(manifest_path)
    except DataError:
        return []
    return [home_path(o.path) for o in manifest.outputs]


def plan(manifests: list[Path], directory: Path, *, keep_results: bool = False) -> PrunePlan:
    """What deleting ``manifests`` (from ``directory``) takes with it."""
    result = PrunePlan(manifests=list(manifests), sizes={p: size_of(p) for p in manifests})
    if keep_results:
        return result
    going = set(manifests)
    kept_outputs = {
        path.resolve()
        for manifest_path in store.list_folder(directory).manifests
        if manifest_path not in going
        for path in recorded_outputs(manifest_path)
    }
    results_root = layout.results_dir().resolve()
    for manifest_path in manifests:
        for path in recorded_outputs(manifest_path):
            resolved = path.resolve()
            if not resolved.is_relative_to(results_root) or resolved == results_root:
                result.outside.append(path)
            elif resolved in kept_outputs:
                result.shared.append(path)
            elif resolved.exists():
                result.results.setdefault(manifest_path, []).append(resolved)
                result.sizes[resolved] = size_of(resolved)
    return result


def delete_results(paths: list[Path]) -> None:
    """Delete result files and folders, then the folders under ``results/`` they left empty."""
    results_root = layout.results_dir().resolve()
    parents = set()
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        parents.add(path.parent)
    for parent in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        folder = parent
        while folder != results_root and folder.is_relative_to(results_root):
            try:
                folder.rmdir()  # only succeeds when empty
            except OSError:
                break
            folder = folder.parent


def prune(
    directory: Path,
    keep: int,
    *,
    script: str | None = None,
    per_script: bool = True,
    keep_results: bool = False,
    dry_run: bool = False,
) -> PrunePlan:
    """Prune manifests as :func:`store.prune` does and delete their results with them.

    The plan is made from a dry run; the manifests then deleted are those both the plan and the
    real prune name, so a run that finished in between keeps its results.
    """
    chosen = store.prune(directory, keep, script=script, per_script=per_script, dry_run=True)
    made = plan(chosen, directory, keep_results=keep_results)
    if dry_run:
        return made
    removed = set(store.prune(directory, keep, script=script, per_script=per_script))
    made.manifests = [p for p in made.manifests if p in removed]
    made.results = {m: paths for m, paths in made.results.items() if m in removed}
    delete_results(made.result_paths())
    return made
