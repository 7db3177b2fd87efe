"""Redaction: secret-named flags, keys and URL passwords never survive; values become JSON-safe."""

from __future__ import annotations

import json
import logging

import pytest

from quant_engine.runs.redaction import (
    REDACTED,
    RedactingFilter,
    is_secret_name,
    redact,
    redact_argv,
    redact_text,
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


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("postgresql://bob:pw-123456@db/x", "pw-123456"),
        ("see http://user:p4ss@host:8080/a?b=1 now", "p4ss"),
        ("https://ghp_abcdef123456@github.com/x.git", "ghp_abcdef123456"),
        ("http://h/x?token=t0k3n-value&year=3", "t0k3n-value"),
        ("http://h/x?a=1&api_key=k3y-value", "k3y-value"),
        ("https://s3/b?X-Amz-Signature=abcdef0123&X-Amz-Date=1", "abcdef0123"),
        ("http://h/cb#access_token=acc-123456&state=1", "acc-123456"),
        ("'http://h/x?sig=s1g-value'", "s1g-value"),
        ("http://h/x?auth=basic-xyz;pwd=pwd-value", "pwd-value"),
    ],
)
def test_url_credentials_are_hidden_anywhere_in_text(text: str, leaked: str) -> None:
    out = redact_text(text)
    assert leaked not in out
    assert REDACTED in out


def test_url_redaction_keeps_what_is_not_a_credential() -> None:
    text = "GET http://127.0.0.1:8000/trade-api/v2?limit=200&series_ticker=KXFED failed"
    assert redact_text(text) == text
    assert redact_text("postgresql://me:pw@db:5432/x?year=3") == (
        f"postgresql://me:{REDACTED}@db:5432/x?year=3"
    )


def test_scrub_hides_url_credentials_in_every_field_of_a_record() -> None:
    record = {"error": {"traceback": "ConnectError: http://u:pw-secret@h/?token=tk-secret"}}
    out = json.dumps(scrub_secret_values(record, []))
    assert "pw-secret" not in out
    assert "tk-secret" not in out


def test_hidden_variables_are_qe_names_outside_the_settings_and_secret_names() -> None:
    env = {
        "QE_DSN": "postgresql://bob:pw@db/x",
        "QE_BEARER": "bearer-abcdef",
        "QE_SEED": "123456789",
        "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
        "HOME": "/root/home",
    }
    assert sorted(secret_env_values(env)) == sorted(
        ["postgresql://bob:pw@db/x", "bearer-abcdef", "aws-secret-value"]
    )


def test_log_lines_lose_url_credentials(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.redaction")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="tests.redaction"):
        logger.info("HTTP Request: GET %s 200", "http://u:pw-log-1@h/x?token=tk-log-2")
    assert "pw-log-1" not in caplog.text
    assert "tk-log-2" not in caplog.text
    assert "HTTP Request: GET http://u:" in caplog.text


def test_a_url_argument_is_redacted_even_when_its_query_names_a_secret() -> None:
    out = redact_argv(["--base-url", "ftp://u:pw-argv-9@h/x?token=tk-argv-8"])
    assert out[0] == "--base-url"
    assert "pw-argv-9" not in out[1]
    assert "tk-argv-8" not in out[1]
