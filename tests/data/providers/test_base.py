"""Shared provider helpers: credentials from the environment, rate limiting, bar merging."""

from __future__ import annotations

import pandas as pd
import pytest

from quant_engine.data.providers.base import RateLimiter, env_int, merge_bars, require_env
from quant_engine.errors import ConfigError, MissingCredentialError


def test_require_env_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QE_TEST_TOKEN", raising=False)
    with pytest.raises(MissingCredentialError, match="QE_TEST_TOKEN is not set"):
        require_env("QE_TEST_TOKEN", "a test")
    monkeypatch.setenv("QE_TEST_TOKEN", " abc ")
    assert require_env("QE_TEST_TOKEN", "a test") == "abc"


def test_env_int_rejects_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QE_TEST_PORT", "eighty")
    with pytest.raises(ConfigError, match="QE_TEST_PORT"):
        env_int("QE_TEST_PORT", 80)
    monkeypatch.delenv("QE_TEST_PORT")
    assert env_int("QE_TEST_PORT", 80) == 80


def test_rate_limiter_slides_its_window() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(2, 10.0, clock=lambda: now[0], sleep=sleep)
    limiter.wait()
    now[0] = 4.0
    limiter.wait()
    assert limiter.wait() == pytest.approx(6.0)  # until the first request leaves the window
    assert slept == [pytest.approx(6.0)]


def test_merge_bars_prefers_new_rows_and_sorts() -> None:
    old = pd.DataFrame({"close": [1.0, 2.0]}, index=pd.to_datetime(["2024-01-02", "2024-01-04"]))
    new = pd.DataFrame({"close": [9.0, 3.0]}, index=pd.to_datetime(["2024-01-04", "2024-01-03"]))
    merged = merge_bars(old, new)
    assert list(merged["close"]) == [1.0, 3.0, 9.0]
