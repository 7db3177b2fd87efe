"""Redaction: secret-named flags, keys and URL passwords never survive; values become JSON-safe."""

from __future__ import annotations

import json

import pytest

from quant_engine.runs.redaction import (
    REDACTED,
    is_secret_name,
    redact,
    redact_argv,
    scrub_secret_values,
    secret_env_values,
)


@pytest.mark.parametrize(
    "name", ["api_key", "API-KEY", "wrds_password", "QE_TOKEN", "client_secret", "Passwd"]
)
def test_secret_names_are_recognised(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["years", "feature_mode", "QE_HOME", "seed", "output_dir"])
def test_ordinary_names_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_argv_hides_secret_flag_values_in_both_spellings() -> None:
    argv = ["--years", "3", "--api-key", "k-123", "--db-password=pw-456", "--seed", "7"]
    assert redact_argv(argv) == [
        "--years",
        "3",
        "--api-key",
        REDACTED,
        f"--db-password={REDACTED}",
        "--seed",
        "7",
    ]


def test_argv_hides_assignments_and_url_passwords() -> None:
    out = redact_argv(["WRDS_TOKEN=abc", "--dsn", "postgresql://me:hunter22@db:5432/x"])
    assert out[0] == f"WRDS_TOKEN={REDACTED}"
    assert "hunter22" not in out[2]
    assert out[2].startswith("postgresql://me:")


def test_redact_nested_values_by_key() -> None:
    value = {"tickers": ("SPX",), "auth": {"token": "t0k3n", "user": "me"}, "Secret_Key": 1}
    assert redact(value) == {
        "tickers": ["SPX"],
        "auth": {"token": REDACTED, "user": "me"},
        "Secret_Key": REDACTED,
    }


def test_scrub_removes_secret_env_values_from_every_string() -> None:
    env = {"MY_API_TOKEN": 'abc"defgh', "HOME": "/root", "SHORT_KEY": "abc"}
    secrets = secret_env_values(env)
    assert secrets == ['abc"defgh']
    record = {"message": 'failed with abc"defgh', "argv": ['x=abc"defgh'], "n": 1}
    scrubbed = scrub_secret_values(record, secrets)
    assert scrubbed == {"message": f"failed with {REDACTED}", "argv": [f"x={REDACTED}"], "n": 1}
    assert "defgh" not in json.dumps(scrubbed)
