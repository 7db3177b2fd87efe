"""Numbers in tables: percentages, a few significant digits, never a 17-digit float."""

from __future__ import annotations

import math

import pytest

from quant_engine.utils.number_format import byte_size, cell, percent, significant


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.12345678901234567, "0.1235"),
        (-0.7973091999892923, "-0.7973"),
        (0.00816338504878433, "0.008163"),
        (12.3456789, "12.35"),
        (98765.4321, "98,765"),
        (1353, "1,353"),
        (0.0, "0"),
        (math.nan, "n/a"),
    ],
)
def test_significant_keeps_four_digits(value: float, text: str) -> None:
    assert significant(value) == text


def test_significant_three_digits_and_sign() -> None:
    assert significant(-0.7973091999892923, digits=3) == "-0.797"
    assert significant(390, signed=True) == "+390"
    assert significant(0.5, signed=True) == "+0.5"


def test_percent_two_decimals() -> None:
    assert percent(-0.2686436117810421) == "-26.86%"
    assert percent(0.0133, signed=True) == "+1.33%"
    assert percent(math.inf) == "n/a"


def test_cell_of_each_scalar() -> None:
    assert cell(None) == ""
    assert cell(True) == "yes"
    assert cell("top_k") == "top_k"
    assert cell(0.3412904555692291) == "0.3413"


@pytest.mark.parametrize(
    ("count", "text"),
    [(812, "812 B"), (37978, "38.0 kB"), (152_600, "152.6 kB"), (1_200_000, "1.2 MB")],
)
def test_byte_size(count: int, text: str) -> None:
    assert byte_size(count) == text
