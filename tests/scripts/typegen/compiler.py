"""The pinned TypeScript compiler for tests that compile generated types (skips without Node)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from quant_engine import layout


def typescript_compiler() -> Path:
    """``node_modules/.bin/tsc``, installed with ``npm ci`` when missing; skip without npm."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js/npm not installed: the TypeScript compile checks need them")
    root = layout.repo_root()
    binary = root / "node_modules" / ".bin" / "tsc"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=root, check=True)
    return binary
