"""Type generation: generate_types.py end to end and --check, against pydantic-to-typescript.

pydantic-to-typescript (``pydantic2ts``, which shells out to npm's ``json2ts``) is not a project
dependency: install it into the venv to get the comparison, ``pip install pydantic-to-typescript``;
``json2ts`` comes from ``npm ci`` (a pinned devDependency).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Result, command_time
from quant_engine import layout

GOAL_S = 1.0


def run() -> list[Result]:
    """Wall times of the generator (fresh process each run) and of the per-module baseline."""
    from scripts.typegen.defaults import DEFAULT_APP_MODULE, DEFAULT_PACKAGE
    from scripts.typegen.discovery import discover_modules

    script = str(layout.repo_root() / "scripts" / "generate_types.py")
    modules = discover_modules(DEFAULT_PACKAGE)
    goal = f"< {GOAL_S:.1f} s"
    has_app = importlib.util.find_spec(DEFAULT_APP_MODULE) is not None
    scope = "with OpenAPI" if has_app else f"OpenAPI skipped: no {DEFAULT_APP_MODULE} yet"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        outs = ["--out", str(folder / "t.ts"), "--openapi-out", str(folder / "o.json"), "-q"]
        outs += ["--schema-out", str(folder / "schema.json")]
        generate = command_time([sys.executable, script, *outs], repeat=5)
        check = command_time([sys.executable, script, *outs, "--check"], repeat=5)
        results = [
            Result(
                f"generate_types ({len(modules)} modules)",
                generate,
                "s",
                goal,
                generate < GOAL_S,
                scope,
            ),
            Result("generate_types --check", check, "s", goal, check < GOAL_S, scope),
        ]
        results += baseline(modules, folder, generate)
    return results


def baseline(modules: list[str], folder: Path, ours: float) -> list[Result]:
    """pydantic2ts once per module, and one json2ts call on our combined schema."""
    pydantic2ts = Path(sys.executable).with_name("pydantic2ts")
    json2ts = layout.repo_root() / "node_modules" / ".bin" / "json2ts"
    if not pydantic2ts.exists() or not json2ts.exists() or shutil.which("node") is None:
        note = "not measured: needs `pip install pydantic-to-typescript` and `npm ci`"
        return [Result("pydantic2ts once per module", float("nan"), "s", note=note)]
    failures = 0
    start = time.perf_counter()
    for module in modules:
        out = folder / f"{module.rsplit('.', 1)[-1]}.p2ts.ts"
        cmd = [str(pydantic2ts), "--module", module, "--output", str(out)]
        done = subprocess.run(
            [*cmd, "--json2ts-cmd", str(json2ts)], capture_output=True, check=False
        )
        failures += done.returncode != 0
    per_module = time.perf_counter() - start
    note = f"{per_module / ours:.1f}x our time" + (
        f"; {failures} modules failed" if failures else ""
    )
    single = command_time(
        [str(json2ts), "-i", str(folder / "schema.json"), "-o", str(folder / "j.ts")], 1
    )
    return [
        Result("pydantic2ts once per module", per_module, "s", note=note),
        Result("json2ts alone, once on the combined schema", single, "s", note="excludes Python"),
    ]
