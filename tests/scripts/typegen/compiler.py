"""The pinned Node tools (tsc, openapi-typescript) for tests of generated types; skip without
Node."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from quant_engine import layout


def node_tool(name: str) -> Path:
    """``node_modules/.bin/<name>``, installed with ``npm ci`` when missing; skip without npm."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js/npm not installed: the TypeScript checks need them")
    root = layout.repo_root()
    binary = root / "node_modules" / ".bin" / name
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=root, check=True)
    return binary


def typescript_compiler() -> Path:
    """The pinned ``tsc``."""
    return node_tool("tsc")
