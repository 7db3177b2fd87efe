"""Numbers as people read them in tables: percentages, 3-4 significant digits, never raw floats."""

from __future__ import annotations

import math

SIGNIFICANT_DIGITS = 4
"""Digits a plain figure keeps (``0.008163``, ``1.234``, ``12.35``)."""


def percent(value: float, *, signed: bool = False) -> str:
    """A fraction as a percentage, two decimals: ``0.1234`` -> ``12.34%``; ``n/a`` if not finite."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:+.2%}" if signed else f"{value:.2%}"


def significant(
    value: float | int, *, signed: bool = False, digits: int = SIGNIFICANT_DIGITS
) -> str:
    """A figure to ``digits`` significant digits; integers and large values with thousands
    separators and no decimals, ``n/a`` when not finite."""
    sign = "+" if signed else ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:{sign},}"
    if not math.isfinite(value):
        return "n/a"
    if value == 0:
        return f"{0:{sign}}" if signed else "0"
    if abs(value) >= 10 ** (digits - 1):
        return f"{value:{sign},.0f}"
    text = f"{value:{sign}.{digits}g}"
    if "e" in text:  # tiny values: keep them short but readable
        return f"{value:{sign}.{digits - 1}e}"
    return text


def cell(value: object) -> str:
    """A table cell for any recorded scalar: empty for None, ``yes``/``no``, figures rounded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return significant(value)
    return str(value)


BYTE_UNITS = ("B", "kB", "MB", "GB", "TB")


def byte_size(count: int) -> str:
    """A byte count as people read it: ``812 B``, ``37.1 kB``, ``1.2 MB`` (powers of 1000)."""
    if abs(count) < 1000:
        return f"{count} B"
    value = float(count)
    for unit in BYTE_UNITS[1:]:
        value /= 1000
        if abs(round(value, 1)) < 1000 or unit == BYTE_UNITS[-1]:
            return f"{value:.1f} {unit}"
    return f"{count} B"
