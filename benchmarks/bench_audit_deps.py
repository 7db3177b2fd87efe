"""extract_dependencies against ``grimp.build_graph`` on django and pandas, measured in one run.

Cold runs start from an empty cache folder each time; warm runs reuse one whose cache holds the
whole tree. Both run the CLI in-process (walk, read, hash, scan, resolve, render, write). The
peer is grimp's public ``build_graph`` on the same package with its own cache off (cold) and on
(warm, a cache folder it filled first). django is installed by the ``bench`` dependency group,
pandas is a project dependency; a package that is not installed is reported, not measured.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.harness import Result, best_of

PACKAGES = ("django", "pandas")
COLD_RATIO_GOAL, WARM_RATIO_GOAL = 3.0, 1.0
"""extract_dependencies ÷ grimp.build_graph, cold and warm."""
COLD_REPEAT, WARM_REPEAT = 3, 5


def package_dir(name: str) -> Path | None:
    """The folder of an installed regular package, or None."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _run(argv: Sequence[str]) -> None:
    from scripts import extract_dependencies

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        extract_dependencies.main(list(argv))


def measure(name: str, folder: Path, work: Path) -> Iterator[Result]:
    """Cold and warm times of ours and grimp's on one package, their ratios, and the edges."""
    import grimp

    from scripts.dependencies.extract import extract

    out = str(work / "edges.json")
    counter = iter(range(1_000_000))

    def cold() -> None:
        cache = work / f"cold-{next(counter)}"
        _run(["--root", str(folder), "--out", out, "--cache-dir", str(cache)])

    def grimp_cold() -> None:
        grimp.build_graph(name, include_external_packages=True, cache_dir=None)

    grimp_cache = str(work / "grimp-cache")

    def grimp_warm() -> None:
        grimp.build_graph(name, include_external_packages=True, cache_dir=grimp_cache)

    warm_argv = ["--root", str(folder), "--out", out, "--cache-dir", str(work / "warm")]
    _run(warm_argv)  # fills our warm cache (and imports everything once)
    grimp_warm()  # fills grimp's
    grimp_cold_s = best_of(grimp_cold, repeat=COLD_REPEAT)
    cold_s = best_of(cold, repeat=COLD_REPEAT)
    grimp_warm_s = best_of(grimp_warm, repeat=WARM_REPEAT)
    warm_s = best_of(lambda: _run(warm_argv), repeat=WARM_REPEAT)
    result = extract([folder], cache_dir=None)
    size_mb = sum((folder.parent / f).stat().st_size for f in result.files.values()) / 1e6
    label = f"{name} ({len(result.modules)} modules, {size_mb:.1f} MB)"
    cold_ratio, warm_ratio = cold_s / grimp_cold_s, warm_s / grimp_warm_s
    yield Result(f"{label}: extract_dependencies cold", cold_s, "s")
    yield Result(f"{label}: grimp.build_graph cold (cache_dir=None)", grimp_cold_s, "s")
    yield Result(
        f"{label}: cold ÷ grimp cold",
        cold_ratio,
        "×",
        f"≤ {COLD_RATIO_GOAL:g}",
        cold_ratio <= COLD_RATIO_GOAL,
        f"{result.stats.full_parses} of {result.stats.files} files parsed whole",
    )
    yield Result(f"{label}: extract_dependencies warm (unchanged tree)", warm_s, "s")
    yield Result(f"{label}: grimp.build_graph warm (its cache)", grimp_warm_s, "s")
    yield Result(
        f"{label}: warm ÷ grimp warm",
        warm_ratio,
        "×",
        f"≤ {WARM_RATIO_GOAL:g}",
        warm_ratio <= WARM_RATIO_GOAL,
    )
    graph = grimp.build_graph(name, cache_dir=None)
    theirs = {(m, i) for m in graph.modules for i in graph.find_modules_directly_imported_by(m)}
    known = set(graph.modules)  # grimp skips folders without __init__.py inside a package
    ours = {
        (e["importer"], e["imported"])
        for e in result.edges
        if e["kind"] == "internal" and e["importer"] in known and e["imported"] in known
    }
    yield Result(
        f"{label}: internal edges differing from grimp's",
        float(len(ours ^ theirs)),
        "edges",
        "0",
        ours == theirs,
        f"{len(theirs)} edges",
    )


def run() -> Iterator[Result]:
    """Each package of PACKAGES that is installed, one after the other."""
    for name in PACKAGES:
        folder = package_dir(name)
        if folder is None:
            yield Result(f"audit_deps {name}", 0.0, "s", note="not installed: make setup")
            continue
        with tempfile.TemporaryDirectory(prefix="bench-audit-") as work:
            yield from measure(name, folder, Path(work))
