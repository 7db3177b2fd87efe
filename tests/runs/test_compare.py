"""qe-runs diff's comparison: settings and metrics with B - A, data digests collapsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from quant_engine.runs.compare import Comparison, changes, compare, delta_text, value_text
from quant_engine.runs.manifest import DataInput, RunStatus
from quant_engine.runs.record import new_manifest


def test_changes_have_a_delta_for_numbers_only() -> None:
    found = changes(
        {"sharpe": 0.5, "rule": "top_k"}, {"sharpe": 0.75, "rule": "long_short"}, all_keys=True
    )
    by_key = {c.key: c for c in found}
    assert by_key["sharpe"].delta == pytest.approx(0.25)
    assert by_key["rule"].delta is None
    assert delta_text(by_key["sharpe"]) == "+0.25"
    same = changes({"years": 4}, {"years": 4}, all_keys=False)
    assert same == []


def test_fractions_read_as_percent_and_their_delta_in_points() -> None:
    [change] = changes({"annual_return": -0.0537}, {"annual_return": -0.2686}, all_keys=True)
    assert value_text("annual_return", -0.0537) == "-5.37%"
    assert delta_text(change) == "-21.49 pp"
    [equal] = changes({"n_days": 751}, {"n_days": 751}, all_keys=True)
    assert delta_text(equal) == "="


def inputs(**digests: str) -> list[DataInput]:
    return [DataInput(name=n, source="sample", sha256=d) for n, d in digests.items()]


def test_data_digests_collapse_to_same_or_the_names_that_differ(
    tmp_path: Path, qe_home: Path
) -> None:
    base = new_manifest(
        {"years": 2}, "run_backtest", status=RunStatus.SUCCESS, resolved={"years": 2}
    )
    a = base.model_copy(update={"data": inputs(**{"market_data:S1": "x", "market_data:S2": "y"})})
    same = compare(tmp_path / "a.json", a, tmp_path / "b.json", a)
    assert same.data_text() == "same (2 inputs)"
    assert not same.differ
    b = a.model_copy(
        update={
            "data": inputs(**{"market_data:S1": "x", "market_data:S2": "z", "market_data:S3": "w"})
        }
    )
    found = compare(tmp_path / "a.json", a, tmp_path / "b.json", b)
    assert found.data_text() == "2 differ: market_data:S2, market_data:S3"
    assert found.differ
    assert all(d.section != "data" for d in found.other)


def test_a_long_list_of_differing_inputs_is_cut() -> None:
    found = Comparison(
        a="a", b="b", data_inputs=9, data_differ=[f"market_data:S{i}" for i in range(8)]
    )
    assert found.data_text().endswith("market_data:S4 +3 more")
