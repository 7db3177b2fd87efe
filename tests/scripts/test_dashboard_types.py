"""The dashboard is typed by the generated wire types end to end: rename a field in a wire
schema, regenerate the types, and the dashboard no longer compiles where it reads that field."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quant_engine import layout
from tests.scripts.typegen.compiler import typescript_compiler

ROOT = layout.repo_root()
FIELD = "    sharpe: float\n"


def repo_copy(target: Path) -> Path:
    """The parts of the repo that generating and compiling the types read, in ``target``."""
    ignore = shutil.ignore_patterns("__pycache__", "dashboard")
    for part in ("quant_engine", "scripts"):
        shutil.copytree(ROOT / part, target / part, ignore=ignore)
    shutil.copytree(ROOT / "frontend" / "src", target / "frontend" / "src")
    shutil.copy(ROOT / "tsconfig.json", target)
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    return target


def regenerate_and_compile(copy: Path, tsc: Path) -> subprocess.CompletedProcess[str]:
    """``generate_types.py`` in the copy (its own package first on the path), then ``tsc``."""
    env = {**os.environ, "PYTHONPATH": str(copy)}
    generate = [sys.executable, str(copy / "scripts" / "generate_types.py"), "-q"]
    subprocess.run(generate, cwd=copy, env=env, check=True, capture_output=True)
    compile_cmd = [str(tsc), "-p", str(copy / "tsconfig.json")]
    return subprocess.run(compile_cmd, capture_output=True, text=True, check=False)


def test_renaming_a_wire_field_breaks_the_dashboards_typecheck(tmp_path: Path) -> None:
    tsc = typescript_compiler()
    copy = repo_copy(tmp_path)
    fresh = regenerate_and_compile(copy, tsc)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    schema = copy / "quant_engine" / "api" / "schemas" / "backtests.py"
    text = schema.read_text()
    head, metrics_class, rest = text.partition("class BacktestMetrics(BaseModel):")
    assert FIELD in rest.split("\nclass ")[0]
    schema.write_text(head + metrics_class + rest.replace(FIELD, "    sharpe_ratio: float\n", 1))
    renamed = regenerate_and_compile(copy, tsc)
    assert renamed.returncode != 0
    assert "sharpe_ratio" in (copy / "frontend/src/api/types.generated.ts").read_text()
    broken = [line for line in renamed.stdout.splitlines() if "error TS" in line]
    assert any("frontend/src/pages/" in line for line in broken), renamed.stdout
    assert all("Property 'sharpe' does not exist" in line for line in broken), renamed.stdout


@pytest.fixture(autouse=True)
def _needs_node() -> None:
    if shutil.which("node") is None:
        pytest.skip("Node.js is needed to compile the dashboard")
