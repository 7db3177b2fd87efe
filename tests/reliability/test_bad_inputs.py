"""Bad input to every command: one line on stderr, the right exit code, stored data untouched.

Each case runs a real command (console script or ``scripts/*.py`` file) as a subprocess from a
folder outside the repository, against a data home seeded with the embedded cache and a trained
model. A case holds when the exit code is the expected one (2 for usage or configuration, 1 for
a failure at run time), stderr is exactly one non-empty line naming what was wrong (never a
traceback, never a secret), and every stored file (cache, models, results) hashes the same.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from quant_engine import layout

SMALL_UNIVERSE = "SPX,COMP,S0000,S0001,S0002,S0003,S0004,S0005"
SECRET = "hunter2-9f8e7d"
"""A password planted in a secret-shaped bad value; it must never be echoed."""

CONSOLE_SCRIPTS = tuple(
    sorted(
        e.name
        for e in importlib.metadata.entry_points(group="console_scripts")
        if e.value.startswith("quant_engine.")
    )
)
"""Every installed ``qe-*`` command, as the package declares them."""
TOOL_SCRIPTS = tuple(
    sorted(
        p.stem
        for p in layout.scripts_dir().glob("*.py")
        if 'if __name__ == "__main__":' in p.read_text(encoding="utf-8")
    )
)
"""Every command in scripts/ (each file there run as a program; library modules are not)."""
ALL_COMMANDS = CONSOLE_SCRIPTS + TOOL_SCRIPTS

HOME_COMMANDS = (*CONSOLE_SCRIPTS, "extract_dependencies", "ibkr_daily_gapfill", "demo")
HOME_COMMANDS += ("alpaca_intraday_download", "ibkr_intraday_download")
"""Commands that keep data in QE_HOME (the rest only read and write the repository)."""

BAD_ENVIRONMENTS: tuple[tuple[str, str], ...] = (
    ("QE_SEED", "abc"),
    ("QE_LOOKBACK_YEARS", "0"),
    ("QE_PREDICT_LOOKBACK_YEARS", "2.5"),
    ("QE_FEATURE_MODE", "everything"),
    ("QE_DATA_SOURCE", "bloomberg"),
    ("QE_COST_BPS", "lots"),
    ("QE_SLIPPAGE_BPS", "-1"),
)
"""Bad values of the shared QE_* settings; every command refuses them, --help included."""
SECRET_SHAPED = ("QE_SEED", f"postgresql://bob:{SECRET}@db/x")
PER_COMMAND = 3
"""Bad values tried per command besides the secret-shaped one, rotating so that each value
meets several commands (the check is one shared function: all seven everywhere adds time, not
coverage)."""


def environments_for(index: int) -> list[tuple[str, str]]:
    """The secret-shaped value and PER_COMMAND others for the ``index``-th command."""
    start = index * PER_COMMAND
    picked = [BAD_ENVIRONMENTS[(start + k) % len(BAD_ENVIRONMENTS)] for k in range(PER_COMMAND)]
    return [SECRET_SHAPED, *picked]


@dataclass(frozen=True)
class Case:
    """One command invocation and what a user must see."""

    command: str
    argv: tuple[str, ...]
    code: int
    names: str
    """Text the one error line must contain (the variable, flag, path or ticker)."""
    env: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How the case reads in a failure report."""
        env = " ".join(f"{k}={v}" for k, v in self.env.items())
        return f"{env} {self.command} {' '.join(self.argv)}".strip()


def command_line(command: str) -> list[str]:
    """The argv that starts ``command``: an installed console script or a scripts/ file."""
    if command.startswith("qe-"):
        return [str(Path(sys.executable).with_name(command))]
    return [sys.executable, str(layout.scripts_dir() / f"{command}.py")]


def bad_input_cases(afile: Path, folder: Path, corrupt: Path) -> list[Case]:
    """The table: bad environment values, bad data homes, bad flags, bad paths, unknown names."""
    cases = [
        Case(command, ("--help",), 2, name, {name: value})
        for i, command in enumerate(ALL_COMMANDS)
        for name, value in environments_for(i)
    ]
    # a data home on a file, under a file, or where nothing can be written (/proc refuses root)
    work = {
        "qe-runs": ("prune", "--keep", "1"),
        "qe-models": ("remove", "m-000000000000"),
        "qe-server": ("--host", "127.0.0.1"),
        "qe-wrds-refresh": ("--tickers", "SPX"),
        "qe-kalshi-pipeline": ("--base-url", "http://127.0.0.1:9/"),
        "ibkr_daily_gapfill": ("--source", "sample", "--dry-run"),
        "alpaca_intraday_download": ("--tickers", "SPX", "--days", "1"),
        "ibkr_intraday_download": ("--tickers", "SPX", "--days", "1"),
        "extract_dependencies": ("--out", str(folder / "edges.json")),
        "demo": (),
    }
    engine = ("--tickers", SMALL_UNIVERSE, "--years", "4", "--quiet")
    for home in (afile, afile / "home", Path("/proc/qe_home")):
        cases += [
            Case(c, work.get(c, engine), 2, f"QE_HOME: {home}", {"QE_HOME": str(home)})
            for c in HOME_COMMANDS
        ]
    engine_scripts = ("qe-train", "qe-predict", "qe-backtest", "qe-retrain", "qe-autopilot")
    for command in engine_scripts:
        cases += [
            Case(command, ("--years", "2018"), 2, "--years"),
            Case(command, ("--years", "100000"), 2, "--years"),
            Case(command, ("--start", "1500-01-01"), 2, "--start"),
            Case(command, ("--end", "2020-02-30"), 2, "--end"),
            Case(command, ("--output-dir", str(afile)), 2, "--output-dir"),
            Case(command, ("--output-dir", str(afile / "below")), 2, "--output-dir"),
            Case(command, ("--tickers", "$$$"), 2, "--tickers"),
            Case(command, ("--seed", "-3"), 2, "--seed"),
            Case(command, ("--data-source", "bloomberg"), 2, "--data-source"),
            Case(command, ("--tickers", "SPX,NOPE", "--years", "4"), 2, "NOPE"),
            Case(command, ("--start", "2016-01-04", "--end", "2015-01-02"), 2, "--start"),
            Case(command, ("--bogus",), 2, "--bogus"),
        ]
    cases += [
        Case("qe-predict", ("--model-version", "m-nope"), 2, "m-nope"),
        Case("qe-backtest", ("--quantile", "lots"), 2, "--quantile"),
        Case("qe-autopilot", ("--models", "ridge,forest"), 2, "--models"),
        Case("qe-autopilot", ("--workers", "0"), 2, "--workers"),
        Case("qe-runs", ("show", "run-that-never-was"), 2, "run-that-never-was"),
        Case("qe-runs", ("show", str(corrupt)), 2, str(corrupt)),
        Case("qe-runs", ("--dir", str(afile), "list"), 2, "--dir"),
        Case("qe-runs", ("prune", "--keep", "-1"), 2, "--keep"),
        Case("qe-runs", ("lst",), 2, "lst"),
        Case("qe-server", ("--port", "70000"), 2, "--port"),
        Case("qe-server", ("--host", "127.0.0.1"), 2, "QE_API_PORT", {"QE_API_PORT": "abc"}),
        Case("qe-wrds-refresh", ("--years", "100000"), 2, "--years"),
        Case("qe-wrds-refresh", ("--output-dir", str(afile)), 2, "--output-dir"),
        Case("qe-wrds-refresh", ("--crsp-layout", "dsf_v9"), 2, "--crsp-layout"),
        Case("qe-wrds-refresh", ("--batch-size", "0"), 2, "--batch-size"),
        Case("qe-kalshi-pipeline", ("--series", "KX FED"), 2, "--series"),
        Case("qe-kalshi-pipeline", ("--output-dir", str(afile)), 2, "--output-dir"),
        Case("qe-kalshi-pipeline", ("--candle-minutes", "7"), 2, "--candle-minutes"),
        Case("generate_types", ("--out", str(folder)), 2, "--out"),
        Case("generate_types", ("--openapi-out", str(folder)), 2, "--openapi-out"),
        Case("extract_dependencies", ("--cache-dir", str(afile)), 2, "--cache-dir"),
        Case("extract_dependencies", ("--out", str(folder)), 2, "--out"),
        Case("extract_dependencies", ("--jobs", "0"), 2, "--jobs"),
        Case("generate_interface_contracts", ("--out", str(folder)), 2, "--out"),
        Case("generate_interface_contracts", ("--edges", str(corrupt)), 1, str(corrupt)),
        Case("hotspot_scoring", ("--top", "0"), 2, "--top"),
        Case("hotspot_scoring", ("--out-dir", str(afile)), 2, "--out-dir"),
        Case("hotspot_scoring", ("--edges", str(corrupt)), 1, str(corrupt)),
        Case("audit", ("--format", "xml"), 2, "--format"),
        Case("audit", ("--edges", str(corrupt)), 2, "--edges"),
        Case("demo", ("--bogus",), 2, "--bogus"),
        Case("ibkr_daily_gapfill", ("--source", "sample", "--tickers", "NOPE"), 2, "NOPE"),
        Case("ibkr_daily_gapfill", ("--provider", "bloomberg"), 2, "--provider"),
        Case("ibkr_daily_gapfill", ("--start", "2020-13-01"), 2, "--start"),
        Case("ibkr_daily_gapfill", ("--show", "-1"), 2, "--show"),
        Case("alpaca_intraday_download", ("--tickers", "SPX", "--minutes", "7"), 2, "--minutes"),
        Case("alpaca_intraday_download", ("--tickers", "$$$"), 2, "--tickers"),
        Case("ibkr_intraday_download", ("--tickers", "SPX", "--days", "0"), 2, "--days"),
        Case("ibkr_intraday_download", ("--tickers", "SPX", "--end", "1500-01-01"), 2, "--end"),
    ]
    return cases


def stored_data(home: Path) -> dict[str, str]:
    """sha256 of every stored file under ``home``, by relative path (run records excluded:
    whether a refused invocation leaves a record is the run store's business, not data)."""
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.relative_to(home).parts[0] != "manifests"
    }


@pytest.fixture(scope="module")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data home holding the embedded cache and a trained model (one real qe-train run)."""
    home = tmp_path_factory.mktemp("seeded") / "qe_home"
    done = run(Case("qe-train", ("--tickers", SMALL_UNIVERSE, "--years", "4", "-q"), 0, ""), home)
    assert done.returncode == 0, done.stderr
    assert list((home / "cache" / "sample").iterdir())
    assert (home / "models" / "CURRENT").exists()
    return home


def run(case: Case, home: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``case`` against ``home`` from a folder outside the repository."""
    env = {**os.environ, "QE_HOME": str(home), "COLUMNS": "200", **case.env}
    env.pop("PYTHONPATH", None)
    for name in ("WRDS_USERNAME", "WRDS_PASSWORD", "PGPASSWORD", "QE_API_API_KEY"):
        env.pop(name, None)
    return subprocess.run(
        [*command_line(case.command), *case.argv],
        cwd=cwd or home.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def problem_with(case: Case, done: subprocess.CompletedProcess[str]) -> str | None:
    """Why ``case`` did not hold, or None when it did."""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode != case.code:
        return f"exit {done.returncode}, expected {case.code}: {done.stderr[-300:]!r}"
    if len(lines) != 1 or len(done.stderr.splitlines()) != 1:
        return f"stderr is not one line: {done.stderr[-500:]!r}"
    if "Traceback" in done.stderr or SECRET in done.stderr + done.stdout:
        return f"traceback or secret on stderr: {done.stderr!r}"
    if case.names not in lines[0]:
        return f"the line does not name {case.names!r}: {lines[0]!r}"
    return None


def test_every_command_refuses_bad_input_in_one_line(
    seeded_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile.txt"
    afile.write_text("not a folder\n")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("{ not json")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    cases = bad_input_cases(afile, folder, corrupt)
    before = stored_data(seeded_home)
    repo_before = {p: p.stat().st_mtime_ns for p in layout.audit_data_dir().iterdir()}

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda c: (c, run(c, seeded_home, outside)), cases))

    failures = [f"{c.label}: {why}" for c, done in results if (why := problem_with(c, done))]
    commands = {c.command for c in cases}
    with capsys.disabled():
        print(
            f"\nbad inputs: {len(cases)} cases over {len(commands)} commands, "
            f"{len(cases) - len(failures)} held"
        )
    assert commands == set(ALL_COMMANDS)
    assert failures == []
    assert stored_data(seeded_home) == before
    assert afile.read_text() == "not a folder\n"
    assert list(folder.iterdir()) == []
    assert {p: p.stat().st_mtime_ns for p in layout.audit_data_dir().iterdir()} == repo_before
