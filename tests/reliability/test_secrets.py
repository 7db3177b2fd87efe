"""Secrets handed to real commands never reach a file, a log line, the console or an API answer.

One campaign (module-scoped, ~40 s) runs the commands as subprocesses with a hostile environment
and hostile flags: qe-train and qe-backtest, qe-kalshi-pipeline against a Kalshi-shaped loopback
server (a success with ``user:password@`` in --base-url, a failure whose URL carries query
tokens, a rejected scheme), ``qe-runs list/show`` of every run, and qe-server answering every
GET route. Every byte written under the data home and the output folder, everything printed
(logs at INFO included) and every API answer is then searched for each secret.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pytest
from pytest_httpserver import HTTPServer

from tests.kalshi.kalshi_fixture import SERIES, WINDOW, serve_kalshi
from tests.reliability.server_support import BIN, running_server

PEM_BODY = "MIIEpAIBAAKCAQEA7secretPemBodyQe0x"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJxZS1zZWNyZXQifQ.c2lnLXNlY3JldC1qd3Q"
ENV_SECRETS: dict[str, str] = {
    "QE_DB_PASS": "dbpass-hunter2-771",
    "QE_AUTH": "authval-5521-zz",
    "QE_BEARER": "Bearer bearertok-9911",
    "QE_WRDS_PWD": "wrdspwd-44102",
    "QE_KALSHI_PRIVATE_PEM": (
        f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----\n"
    ),
    "QE_DSN": "postgresql://bob:dsnpw-3318@db/x",
    "QE_S3_ID": "AKIAQESECRET7EXAMPL",
    "QE_SESSION": JWT,
    "QE_WEBHOOK": "https://hooks.example/T0/B0/webhook-secret-99",
    "QE_API_API_KEY": "server-api-key-6610",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYQESECRET",
    "WRDS_PGPASSWORD": "pgpassword-8830",
}
FLAG_SECRETS = {
    "--base-url user:password@": "flagpw-2207",
    "--base-url ?token=": "qtok-8812",
    "--base-url &sig=": "qsig-6634",
    "--base-url &api_key=": "qkey-1907",
    "bad scheme user:password@": "ftppw-5150",
}
SHAPES: dict[str, str] = {
    **{name: value for name, value in ENV_SECRETS.items() if name not in ("QE_DSN", "QE_WEBHOOK")},
    "QE_DSN password": "dsnpw-3318",
    "QE_DSN whole value": ENV_SECRETS["QE_DSN"],
    "QE_WEBHOOK path token": "webhook-secret-99",
    "PEM body": PEM_BODY,
    **FLAG_SECRETS,
}
"""What is searched for, by shape: each value must appear nowhere."""
CHANNELS = ("files", "console", "api")
TIME_LIMIT_S = 60.0


@dataclass
class Campaign:
    """Everything the project wrote, printed and served during the campaign."""

    files: dict[str, bytes] = field(default_factory=dict)
    console: dict[str, bytes] = field(default_factory=dict)
    api: dict[str, bytes] = field(default_factory=dict)
    exit_codes: dict[str, int] = field(default_factory=dict)


def run(name: str, argv: Sequence[str], env: Mapping[str, str], found: Campaign) -> None:
    """Run a console script to its end; keep its exit code and everything it printed."""
    done = subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        env=dict(env),
        capture_output=True,
        timeout=TIME_LIMIT_S,
        check=False,
    )
    found.exit_codes[name] = done.returncode
    found.console[name] = done.stdout + done.stderr


def serve_api(env: Mapping[str, str], found: Campaign, run_ids: list[str]) -> None:
    """Start qe-server on loopback, fetch every GET route (each run by id), then stop it."""
    with running_server(env) as server:
        _, body = server.request("GET", "/api/openapi.json")
        document = json.loads(body)
        paths = [p for p, ops in document["paths"].items() if "get" in ops and "{" not in p]
        refs = [*run_ids, "latest", "latest:run_kalshi_event_pipeline"]
        paths += [f"/api/runs/{ref}" for ref in refs]
        paths += [f"/api/runs?status={s}" for s in ("failed", "success", "running")]
        paths += [f"/api/backtests/{ref}" for ref in run_ids]
        for path in paths:
            found.api[path] = server.request("GET", path)[1]
    found.console["qe-server"] = b"".join(server.output)


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    """Run every command with the secrets once; collect what they wrote, printed and served."""
    home = tmp_path_factory.mktemp("secret_home")
    out_dir = tmp_path_factory.mktemp("secret_out")
    env = {**os.environ, **ENV_SECRETS, "QE_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "1000"}
    found = Campaign()
    kalshi = HTTPServer(host="127.0.0.1", port=0)
    kalshi.start()
    try:
        base = serve_kalshi(kalshi)
        password = FLAG_SECRETS["--base-url user:password@"]
        with_password = base.replace("http://", f"http://kuser:{password}@")
        tokens = "?token=qtok-8812&sig=qsig-6634&api_key=qkey-1907"
        window = ["--series", SERIES, "--start", WINDOW[0], "--end", WINDOW[1]]
        quick = ["--tickers", "SPX,COMP", "--years", "2"]
        engine = [
            ("qe-train", ["qe-train", *quick, "-v"]),
            ("qe-backtest", ["qe-backtest", *quick, "--output-dir", str(out_dir / "bt"), "-v"]),
        ]
        both = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
        procs = [
            (name, subprocess.Popen([str(BIN / a[0]), *a[1:]], env=env, **both))
            for name, a in engine
        ]
        pipeline = ["qe-kalshi-pipeline", *window, "-v", "--base-url"]
        run("kalshi ok", [*pipeline, with_password], env, found)
        run("kalshi failed", [*pipeline, f"{base}{tokens}"], env, found)
        bad = f"ftp://kuser:{FLAG_SECRETS['bad scheme user:password@']}@127.0.0.1/x?token=qtok-8812"
        run("kalshi rejected", ["qe-kalshi-pipeline", "--base-url", bad, *window], env, found)
        for name, proc in procs:
            out, _ = proc.communicate(timeout=TIME_LIMIT_S)
            found.exit_codes[name], found.console[name] = proc.returncode, out
        run("qe-runs list", ["qe-runs", "list"], env, found)
        manifests = sorted((home / "manifests").glob("run_manifest_2*.json"))
        run_ids = [json.loads(p.read_bytes())["run_id"] for p in manifests]
        for run_id in run_ids:
            run(f"qe-runs show {run_id}", ["qe-runs", "show", run_id], env, found)
        serve_api(env, found, run_ids)
    finally:
        kalshi.clear()
        kalshi.stop()
    for root in (home, out_dir):
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found.files[str(path)] = path.read_bytes()
    return found


def test_the_campaign_ran_every_command(campaign: Campaign) -> None:
    assert campaign.exit_codes["qe-train"] == 0, campaign.console["qe-train"][-2000:]
    assert campaign.exit_codes["qe-backtest"] == 0, campaign.console["qe-backtest"][-2000:]
    assert campaign.exit_codes["kalshi ok"] == 0, campaign.console["kalshi ok"][-2000:]
    assert campaign.exit_codes["kalshi failed"] == 1
    assert campaign.exit_codes["kalshi rejected"] == 2
    manifests = [p for p in campaign.files if "/manifests/run_manifest_2" in p]
    assert len(manifests) >= 5  # train, backtest, three kalshi runs (the rejected one too)
    assert len(campaign.api) >= 15
    assert any(b"***REDACTED***" in body for body in campaign.files.values())


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_no_secret_reaches_any_channel(campaign: Campaign, shape: str, channel: str) -> None:
    secret = SHAPES[shape].encode()
    collected: dict[str, bytes] = getattr(campaign, channel)
    leaks = [where for where, data in collected.items() if secret in data]
    assert leaks == [], f"{shape} leaks through {channel}: {leaks[:5]}"
