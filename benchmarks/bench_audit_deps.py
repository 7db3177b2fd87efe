"""extract_dependencies on a large installed package: cold, warm, and against grimp.

Cold runs start from an empty cache folder each time; warm runs reuse one whose cache holds the
whole tree. Both run the CLI in-process (walk, read, hash, scan, resolve, render, write).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import Result, best_of

PACKAGES = ("statsmodels", "sklearn", "pandas")
"""The first one installed is measured (statsmodels: about 900 modules)."""
COLD_GOAL_S, WARM_GOAL_S, GRIMP_RATIO_GOAL = 1.0, 0.15, 2.0


def _package() -> tuple[str, Path] | None:
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            return name, Path(next(iter(spec.submodule_search_locations)))
    return None


def _run(argv: Sequence[str]) -> None:
    from scripts import extract_dependencies

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        extract_dependencies.main(list(argv))


def run() -> list[Result]:
    """Cold and warm wall times, grimp's time, the ratio, and a correctness check."""
    import grimp

    from scripts.dependencies.extract import extract

    found = _package()
    if found is None:
        return [Result("audit_deps", 0.0, "s", note=f"none of {PACKAGES} installed")]
    name, folder = found
    result = extract([folder], cache_dir=None)
    size_mb = sum((folder.parent / f).stat().st_size for f in result.files.values()) / 1e6
    label = f"{name}: {len(result.modules)} modules, {size_mb:.1f} MB"
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as work:
        base = Path(work)
        out = str(base / "edges.json")
        counter = iter(range(1_000_000))

        def cold() -> None:
            cache = base / f"cold-{next(counter)}"
            _run(["--root", str(folder), "--out", out, "--cache-dir", str(cache)])

        warm_argv = ["--root", str(folder), "--out", out, "--cache-dir", str(base / "warm")]
        _run(warm_argv)  # fills the warm cache (and imports everything once)
        cold_s = best_of(cold, repeat=5)
        warm_s = best_of(lambda: _run(warm_argv), repeat=7)
        grimp_s = best_of(lambda: grimp.build_graph(name, cache_dir=None), repeat=5)
        full_s = best_of(
            lambda: _run(["--root", str(folder), "--out", out, "--no-cache", "--full-parse"]),
            repeat=1,
        )
    graph = grimp.build_graph(name, cache_dir=None)
    theirs = {(m, i) for m in graph.modules for i in graph.find_modules_directly_imported_by(m)}
    known = set(graph.modules)  # grimp skips folders without __init__.py inside a package
    ours = {
        (e["importer"], e["imported"])
        for e in result.edges
        if e["kind"] == "internal" and e["importer"] in known and e["imported"] in known
    }
    ratio = cold_s / grimp_s
    return [
        Result(f"audit_deps cold ({label})", cold_s, "s", f"< {COLD_GOAL_S}", cold_s < COLD_GOAL_S),
        Result(
            "audit_deps warm (unchanged tree)",
            warm_s,
            "s",
            f"< {WARM_GOAL_S}",
            warm_s < WARM_GOAL_S,
        ),
        Result("grimp.build_graph cold, same package", grimp_s, "s"),
        Result(
            "audit_deps cold ÷ grimp cold",
            ratio,
            "×",
            f"≤ {GRIMP_RATIO_GOAL} (goal)",
            ratio <= GRIMP_RATIO_GOAL,
        ),
        Result("audit_deps --full-parse --no-cache (pure ast, 2 processes)", full_s, "s"),
        Result(
            "internal edges differing from grimp's",
            float(len(ours ^ theirs)),
            "edges",
            "0",
            ours == theirs,
            f"{len(theirs)} edges; {result.stats.full_parses} files parsed whole",
        ),
    ]
