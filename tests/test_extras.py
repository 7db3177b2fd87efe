"""A missing optional extra is one line with the install command and exit 2, for every command
that needs one; run as a user would (a subprocess, from outside the repository)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from quant_engine.extras import EXTRA_MODULES, MissingExtraError, install_command, requires_extra

BLOCK_AND_RUN = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None  # importing it now raises ModuleNotFoundError, as if not installed
from quant_engine.{module} import main
raise SystemExit(main({argv!r}))
"""

COMMANDS = [
    ("server", "run_server", ["--port", "8765"], {}),
    ("kalshi", "run_kalshi_event_pipeline", ["--series", "KXFED"], {}),
    ("wrds", "run_wrds_daily_refresh", ["--tickers", "AAPL"],
     {"WRDS_USERNAME": "someone", "WRDS_PASSWORD": "not-a-real-one"}),
    ("dask", "run_autopilot", ["--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"], {}),
]  # fmt: skip


@pytest.mark.parametrize(("extra", "module", "argv", "env"), COMMANDS)
def test_a_command_without_its_extra_says_what_to_install(
    tmp_path: Path, extra: str, module: str, argv: list[str], env: dict[str, str]
) -> None:
    code = BLOCK_AND_RUN.format(blocked=EXTRA_MODULES[extra], module=module, argv=argv)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "QE_HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    modules = "|".join(EXTRA_MODULES[extra])
    expected = (
        rf"qe-[a-z-]+: error: .+ needs the optional '{extra}' extra \(({modules}) is not "
        rf"installed\): pip install 'quant_engine\[{extra}\]'"
    )
    assert re.fullmatch(expected, lines[0]), lines[0]
    assert "not-a-real-one" not in done.stderr


def test_every_extra_of_the_package_is_known() -> None:
    declared = set(metadata.metadata("quant_engine").get_all("Provides-Extra") or [])
    assert declared == set(EXTRA_MODULES)


def test_only_a_module_of_the_extra_is_reported_as_missing() -> None:
    missing = pytest.raises(MissingExtraError, match=r"pip install 'quant_engine\[audit\]'$")
    with missing, requires_extra("audit", "the audit"):
        raise ModuleNotFoundError("No module named 'grimp.adaptors'", name="grimp.adaptors")
    bug = pytest.raises(ModuleNotFoundError, match="typo")  # our bug, not a missing extra
    with bug, requires_extra("audit", "the audit"):
        raise ModuleNotFoundError("No module named 'typo'", name="typo")
    assert install_command("dask") == "pip install 'quant_engine[dask]'"


def test_the_alpaca_gap_fill_without_its_extra_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['httpx'] = None\n"
        "from quant_engine.errors import UsageError\n"
        "from quant_engine.pipelines.gapfill import connect\n"
        "try:\n    connect('alpaca')\nexcept UsageError as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == (
        "the Alpaca source needs the optional 'alpaca' extra (httpx is not installed): "
        "pip install 'quant_engine[alpaca]'"
    )
