"""Fault injection for the local cache: make its writes fail for one ticker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quant_engine.data import LocalCache

DISK_FULL = "disk full"
"""The OSError message a failing write raises."""


def fail_cache_writes(monkeypatch: pytest.MonkeyPatch, ticker: str) -> None:
    """Make ``LocalCache.write`` raise ``OSError(DISK_FULL)`` for ``ticker``; others still write."""
    real_write = LocalCache.write

    def failing(self: LocalCache, source: str, name: str, *args: Any, **kw: Any) -> Path:
        if name == ticker:
            raise OSError(DISK_FULL)
        return real_write(self, source, name, *args, **kw)

    monkeypatch.setattr(LocalCache, "write", failing)
