"""Helpers for tests that need the local cache to misbehave."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quant_engine.data.local_cache import LocalCache


def fail_cache_writes(monkeypatch: pytest.MonkeyPatch, ticker: str) -> None:
    """Make ``LocalCache.write`` raise ``OSError("disk full")`` for ``ticker`` only."""
    real_write = LocalCache.write

    def failing(self: LocalCache, source: str, name: str, *args: Any, **kw: Any) -> Path:
        if name == ticker:
            raise OSError("disk full")
        return real_write(self, source, name, *args, **kw)

    monkeypatch.setattr(LocalCache, "write", failing)
