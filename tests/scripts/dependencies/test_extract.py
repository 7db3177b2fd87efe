"""The dependency edges of small trees with known answers, and of real packages against grimp."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest

from scripts.dependencies import extract as deps
from scripts.dependencies import locate
from scripts.dependencies.cache import cache_file
from scripts.dependencies.tree import KINDS
from tests.scripts.dependencies.sample import write_tree


@pytest.fixture(autouse=True)
def fast_path_on_small_trees(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample trees are small: let grimp take them, as it takes a real package."""
    monkeypatch.setattr(locate, "MIN_GRIMP_FILES", 1)


def run(base: Path, **kwargs: Any) -> deps.Extraction:
    return deps.extract([base / "pkg", base / "tools"], **kwargs)


def edges_of(result: deps.Extraction, importer: str) -> list[dict[str, Any]]:
    return [e for e in result.edges if e["importer"] == importer]


def find(result: deps.Extraction, importer: str, imported: str, line: int) -> dict[str, Any]:
    matches = [
        e for e in edges_of(result, importer) if (e["imported"], e["line"]) == (imported, line)
    ]
    assert len(matches) == 1, edges_of(result, importer)
    return matches[0]


def flags(edge: dict[str, Any]) -> set[str]:
    return {f for f in ("lazy", "type_checking", "guarded", "conditional") if edge[f]}


def test_relative_imports_resolve_by_grimp_rules(import_tree: Path) -> None:
    result = run(import_tree)
    assert find(result, "pkg", "pkg.a", 1)["names"] == []
    assert find(result, "pkg", "pkg.sub.mod", 2)["names"] == []
    assert find(result, "pkg", "pkg.sub", 2)["names"] == ["helper"]
    assert find(result, "pkg.sub.mod", "pkg.b", 1)["kind"] == "internal"
    assert find(result, "pkg.sub.mod", "pkg.a", 2)["names"] == ["f"]
    too_far = find(result, "pkg.sub.mod", "...", 3)
    assert (too_far["kind"], too_far["names"]) == ("unresolved", ["toofar"])


def test_from_import_of_a_module_versus_a_function(import_tree: Path) -> None:
    result = run(import_tree)
    module = find(result, "pkg.a", "pkg.sub.mod", 5)
    function = find(result, "pkg.a", "pkg.sub", 5)
    assert (module["names"], function["names"]) == ([], ["helper"])
    assert module["kind"] == function["kind"] == "internal"


def test_multi_line_import_spans_its_lines(import_tree: Path) -> None:
    edge = find(run(import_tree), "pkg.a", "pkg.sub", 5)
    assert (edge["line"], edge["end_line"]) == (5, 8)


def test_context_flags(import_tree: Path) -> None:
    result = run(import_tree)
    assert flags(find(result, "pkg.a", "os.path", 3)) == set()
    assert flags(find(result, "pkg.a", "pkg.b", 11)) == {"type_checking"}
    assert flags(find(result, "pkg.a", "json", 13)) == {"conditional"}
    assert flags(find(result, "pkg.a", "yaml", 15)) == {"guarded"}
    assert flags(find(result, "pkg.a", "pkg.sub.mod", 17)) == {"guarded"}
    assert flags(find(result, "pkg.a", "pkg.b", 19)) == {"conditional"}
    assert flags(find(result, "pkg.a", "pkg.sub.mod", 21)) == {"lazy"}
    assert flags(find(result, "pkg.a", "csv", 28)) == {"lazy", "conditional"}


def test_kinds_and_unresolved_targets(import_tree: Path) -> None:
    result = run(import_tree)
    assert find(result, "pkg.a", "os.path", 3)["kind"] == "stdlib"
    assert find(result, "pkg.a", "numpy", 9)["kind"] == "third_party"
    assert find(result, "pkg.a", "pkg", 22)["names"] == ["missing"]
    nope = find(result, "pkg.a", "pkg.nope", 23)
    assert (nope["kind"], nope["names"]) == ("unresolved", ["x"])
    assert {e["kind"] for e in result.edges} <= set(KINDS)


def test_folders_without_init_are_analysed(import_tree: Path) -> None:
    result = run(import_tree)
    assert {"pkg.plain.tool", "tools.run", "tools.helpers"} <= set(result.modules)
    assert result.files["pkg.plain.tool"] == "pkg/plain/tool.py"
    assert find(result, "pkg.plain.tool", "pkg.a", 1)["kind"] == "internal"
    assert find(result, "tools.run", "tools.helpers", 2)["names"] == []
    assert find(result, "tools.run", "tools.helpers", 3)["kind"] == "internal"
    assert find(result, "tools.helpers", "tools.run", 1)["file"] == "tools/helpers.py"


def test_unparsable_files_are_reported_and_the_run_goes_on(import_tree: Path) -> None:
    result = run(import_tree)
    reasons = {e["file"]: e["reason"] for e in result.errors}
    assert set(reasons) == {"pkg/bad.py", "pkg/latin.py"}
    assert "line 2" in reasons["pkg/bad.py"]
    assert "utf-8" in reasons["pkg/latin.py"]
    assert find(result, "pkg.cookie", "os", 2)["kind"] == "stdlib"  # a coding cookie is fine
    assert edges_of(result, "pkg.bad") == []
    assert edges_of(result, "pkg.b") == []
    assert "pkg.bad" in result.modules


def test_fast_path_agrees_with_whole_file_parsing(import_tree: Path) -> None:
    fast, full = run(import_tree, fast=True), run(import_tree, fast=False)
    assert fast.to_json() == full.to_json()
    # pkg/ holds files grimp cannot read (a syntax error, bytes that are not UTF-8, an import
    # climbing above the top): it cannot build pkg, so its 9 files are parsed whole; tools/
    # takes the fast path.
    assert (fast.stats.full_parses, full.stats.full_parses) == (9, fast.stats.files)
    for name in ("bad.py", "latin.py", "cookie.py"):
        (import_tree / "pkg" / name).unlink()
    write_tree(import_tree, {"pkg/sub/mod.py": "from .. import b\nfrom ..a import f\n"})
    fast, full = run(import_tree, fast=True), run(import_tree, fast=False)
    assert fast.to_json() == full.to_json()
    # Only plain/tool.py (in a folder without __init__.py, which grimp skips) is parsed whole.
    assert fast.stats.full_parses == 1


STRING_HEADER = '''class Outer:
    x = """
def inner():
    """
    import json

    def method(self):
        y = 1
        if y:
            import csv
        else:
            import glob
        return y
{filler}
'''

LAYOUTS = '''def top(
    a: int,
) -> None:
    """Doc."""
    try:
        import shelve
    except ImportError:
        pass
{filler}


class Big:
    """Doc."""
{filler}

    def short(self):
        import pickle

    def long(self):
        x = 1
{deep}
        import copy
        from os import (
            path,
            sep,
        )


if True:
    import zlib
    def nested():
        import bz2
'''


def test_region_parsing_handles_tricky_layouts(tmp_path: Path) -> None:
    filler = "\n".join(f"    v{i} = {i}" for i in range(30))
    deep = "\n".join(f"        w{i} = {i}" for i in range(30))
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/t.py": STRING_HEADER.format(filler=filler),
        "pkg/u.py": LAYOUTS.format(filler=filler, deep=deep),
    }
    write_tree(tmp_path, files)
    fast = deps.extract([tmp_path / "pkg"], fast=True)
    assert fast.stats.full_parses == 0  # regions only: no file is parsed whole
    assert fast.to_json() == deps.extract([tmp_path / "pkg"], fast=False).to_json()
    got = {e["imported"]: flags(e) for e in fast.edges}
    assert got == {
        "json": set(),  # a def header inside a string is no header
        "csv": {"lazy", "conditional"},
        "glob": {"lazy", "conditional"},
        "shelve": {"lazy", "guarded"},
        "pickle": {"lazy"},
        "copy": {"lazy"},
        "os": {"lazy"},
        "zlib": {"conditional"},
        "bz2": {"lazy", "conditional"},
    }
    os_edge = next(e for e in fast.edges if e["imported"] == "os")
    assert (os_edge["end_line"] - os_edge["line"], os_edge["names"]) == (3, ["path", "sep"])


def test_fast_rendering_equals_json_dumps(import_tree: Path) -> None:
    result = run(import_tree)
    payload = {
        "edges": result.edges,
        "errors": result.errors,
        "files": result.files,
        "modules": result.modules,
    }
    assert result.to_json() == json.dumps(payload, indent=2, sort_keys=True) + "\n"
    assert '"imported": "caf\\u00e9"' in result.to_json()  # escaped as json.dumps does
    write_tree(import_tree, {"quiet/__init__.py": "x = 1\n"})
    quiet = {
        "edges": [],
        "errors": [],
        "files": {"quiet": "quiet/__init__.py"},
        "modules": ["quiet"],
    }
    rendered = deps.extract([import_tree / "quiet"]).to_json()
    assert rendered == json.dumps(quiet, indent=2, sort_keys=True) + "\n"


def test_whole_file_parsing_in_a_process_pool_gives_the_same_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = deps.PARALLEL_MIN_FILES + 6
    files: dict[str, str | bytes] = {"big/__init__.py": ""}
    for i in range(count):
        files[f"big/m{i:03d}.py"] = (
            f"import os\nfrom big import m{(i + 1) % count:03d}\ndef f():\n    import json\n"
        )
    write_tree(tmp_path, files)
    fast = deps.extract([tmp_path / "big"], jobs=2)
    pooled = deps.extract([tmp_path / "big"], jobs=2, fast=False)
    single = deps.extract([tmp_path / "big"], jobs=1, fast=False)
    assert pooled.to_json() == single.to_json() == fast.to_json()
    assert (pooled.stats.parsed, pooled.stats.full_parses) == (len(files), len(files))
    assert fast.stats.full_parses == 0
    monkeypatch.setattr(deps, "grimp_available", lambda: False)  # no grimp: all parsed whole
    without = deps.extract([tmp_path / "big"], jobs=2)
    assert (without.to_json(), without.stats.full_parses) == (fast.to_json(), len(files))


def test_cache_is_keyed_by_content(import_tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = run(import_tree, cache_dir=cache)
    assert (cold.stats.parsed, cold.stats.cached) == (cold.stats.files, 0)
    warm = run(import_tree, cache_dir=cache)
    assert (warm.stats.parsed, warm.stats.cached) == (0, warm.stats.files)
    assert warm.to_json() == cold.to_json()
    os.utime(import_tree / "pkg" / "b.py", (1, 1))  # a new mtime alone is no change
    assert run(import_tree, cache_dir=cache).stats.parsed == 0
    (import_tree / "pkg" / "b.py").write_text("import pkg.a  # b now depends on a\n")
    changed = run(import_tree, cache_dir=cache)
    assert changed.stats.parsed == 1
    assert find(changed, "pkg.b", "pkg.a", 1)["kind"] == "internal"


def test_a_few_files_are_parsed_whole_without_grimp(
    import_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locate, "MIN_GRIMP_FILES", 64)
    fast, full = run(import_tree), run(import_tree, fast=False)
    assert fast.to_json() == full.to_json()
    assert fast.stats.full_parses == fast.stats.files


def test_full_parse_never_reads_scans_the_speed_path_cached(
    import_tree: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    fast = run(import_tree, cache_dir=cache)
    full = run(import_tree, cache_dir=cache, fast=False)
    assert (full.stats.cached, full.stats.full_parses) == (0, full.stats.parsed)
    assert full.stats.parsed == fast.stats.parsed  # every distinct file parsed again, whole
    assert run(import_tree, cache_dir=cache, fast=False).stats.cached == full.stats.files
    assert run(import_tree, cache_dir=cache).stats.cached == fast.stats.files  # both kept


def test_an_unchanged_tree_is_answered_from_its_remembered_result(
    import_tree: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cold = run(import_tree, cache_dir=cache)
    warm = run(import_tree, cache_dir=cache)
    assert warm.from_memory  # no scan decoded, no import resolved
    assert (warm.to_json(), warm.edges, warm.errors) == (cold.to_json(), cold.edges, cold.errors)
    write_tree(import_tree, {"pkg/b.py": "import json\n"})
    changed = run(import_tree, cache_dir=cache)
    assert not changed.from_memory
    assert [e["imported"] for e in edges_of(changed, "pkg.b")] == ["json"]
    assert changed.to_json() == run(import_tree).to_json()


def test_identical_files_are_parsed_once_and_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    write_tree(tmp_path, {"p/__init__.py": "import os\n", "p/x.py": "import os\n"})
    cache = tmp_path / "cache"
    assert deps.extract([tmp_path / "p"], cache_dir=cache).stats.parsed == 1
    scans = cache_file(cache, [tmp_path / "p"], "regions")
    scans.write_text("{not json")
    scans.with_suffix(".tree").write_bytes(b"\xff\n{not json")
    again = deps.extract([tmp_path / "p"], cache_dir=cache)
    assert (again.stats.parsed, len(again.edges)) == (1, 2)


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None
    assert spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


@pytest.mark.parametrize("package", ["httpx", "rich"])
def test_internal_edges_equal_grimps_on_real_packages(package: str) -> None:
    grimp = pytest.importorskip("grimp")
    result = deps.extract([package_dir(package)], cache_dir=None)
    graph = grimp.build_graph(package, cache_dir=None)
    theirs = {(m, i) for m in graph.modules for i in graph.find_modules_directly_imported_by(m)}
    ours = {(e["importer"], e["imported"]) for e in result.edges if e["kind"] == "internal"}
    assert set(result.modules) == set(graph.modules)
    assert ours == theirs
    assert result.errors == []


DYNAMIC = """import importlib
from importlib import import_module


def load(name):
    plugin = importlib.import_module("pkg.plugins.alpha")
    other = __import__("pkg._private")
    chosen = import_module(name)  # not a literal: no edge
    return plugin, other, chosen


backend = import_module("json")
"""


@pytest.mark.parametrize("fast", [True, False])
def test_dynamic_imports_with_a_literal_name_are_edges_flagged_dynamic(
    tmp_path: Path, fast: bool
) -> None:
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/_private.py": "",
        "pkg/plugins/__init__.py": "",
        "pkg/plugins/alpha.py": "",
        "pkg/loader.py": DYNAMIC,
    }
    write_tree(tmp_path, files)
    result = deps.extract([tmp_path / "pkg"], fast=fast)
    got = {
        (e["imported"], e["line"], e["kind"], e["dynamic"], e["lazy"])
        for e in edges_of(result, "pkg.loader")
    }
    assert got == {
        ("importlib", 1, "stdlib", False, False),
        ("importlib", 2, "stdlib", False, False),
        ("pkg.plugins.alpha", 6, "internal", True, True),
        ("pkg._private", 7, "internal", True, True),
        ("json", 12, "stdlib", True, False),
    }
