import { describe, expect, it } from "vitest";
import type { OhlcvBar, RunSummary } from "./api/types.generated";
import {
  alignCurves,
  compareRows,
  digestSummary,
  drawdowns,
  findGaps,
  rebased,
  shortestPrefixes,
  sortRows,
  spansMoreThan,
  verifiedRunIds,
  yearlyFigures,
} from "./shape";

const bar = (date: string): OhlcvBar => ({
  date,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
});

describe("chart data", () => {
  it("aligns curves on the union of their dates with gaps as null", () => {
    const [xs, a, b] = alignCurves([
      { label: "a", points: [{ date: "2024-01-02", value: 1 }, { date: "2024-01-03", value: 2 }] },
      { label: "b", points: [{ date: "2024-01-03", value: 5 }, { date: "2024-01-04", value: 6 }] },
    ]);
    expect(xs).toEqual([1704153600, 1704240000, 1704326400]);
    expect(a).toEqual([1, 2, null]);
    expect(b).toEqual([null, 5, 6]);
  });

  it("rebases equity to 1 and measures drawdown from the running peak", () => {
    const points = [100, 120, 90, 130].map((equity, i) => ({
      date: `2024-01-0${i + 1}`,
      equity,
      daily_return: 0,
      drawdown: 0,
      gross_equity: null,
      benchmark: null,
    }));
    expect(rebased(points).map((p) => p.value)).toEqual([1, 1.2, 0.9, 1.3]);
    expect(drawdowns([1, 1.2, 0.9, 1.3])).toEqual([0, 0, 0.9 / 1.2 - 1, 0]);
  });

  it("asks for a log scale only past a 2x span", () => {
    expect(spansMoreThan([1, 1.5, 1.9])).toBe(false);
    expect(spansMoreThan([1, null, 4])).toBe(true);
  });
});

describe("comparing runs", () => {
  it("puts what differs first with a delta of numbers", () => {
    const rows = compareRows([
      { model: "ridge", metrics: { sharpe: 0.5, n: 3 } },
      { model: "gbm", metrics: { sharpe: 0.75, n: 3 } },
    ]);
    expect(rows.map((r) => r.key)).toEqual(["metrics.sharpe", "model", "metrics.n"]);
    expect(rows[0]?.delta).toBeCloseTo(0.25);
    expect(rows[1]?.delta).toBeNull();
    expect(rows[2]?.same).toBe(true);
  });

  it("collapses data digests to same or the names that differ", () => {
    expect(digestSummary([{ SPX: "a", COMP: "b" }, { SPX: "a", COMP: "b" }])).toBe("same (2 inputs)");
    expect(digestSummary([{ SPX: "a", COMP: "b" }, { SPX: "x", COMP: "b" }])).toBe("1 differ: SPX");
  });

  it("knows which runs a successful verify reproduced", () => {
    const run = (id: string, of: string | null, status: RunSummary["status"]): RunSummary => ({
      run_id: id,
      script: "run_backtest",
      status,
      started_at: "",
      finished_at: null,
      duration_s: null,
      model_version: null,
      verify_of: of,
      result: {},
      error: null,
    });
    const ids = verifiedRunIds([run("a", null, "success"), run("v1", "a", "success"), run("v2", "b", "failed")]);
    expect([...ids]).toEqual(["a"]);
  });
});

describe("tables and bars", () => {
  it("sorts numbers numerically either way with missing values last, stably", () => {
    const rows = [{ s: 2 }, { s: null }, { s: 10 }, { s: 2 }];
    expect(sortRows(rows, (r) => r.s, false).map((r) => r.s)).toEqual([2, 2, 10, null]);
    expect(sortRows(rows, (r) => r.s, true).map((r) => r.s)).toEqual([10, 2, 2, null]);
  });

  it("finds gaps longer than a long weekend", () => {
    const bars = ["2024-01-05", "2024-01-08", "2024-01-09", "2024-01-25"].map(bar);
    expect(findGaps(bars)).toEqual([{ after: "2024-01-09", before: "2024-01-25", days: 16 }]);
  });
});

describe("run ids", () => {
  it("shortens each id to the shortest prefix no other id shares", () => {
    const ids = ["20261205T235743.1-1-aa", "20261205T235743.2-1-bb", "20261205T120000.0-9-cc"];
    const short = shortestPrefixes(ids);
    expect(short.get(ids[0] as string)).toBe("20261205T235743.1");
    expect(short.get(ids[1] as string)).toBe("20261205T235743.2");
    expect(short.get(ids[2] as string)).toBe("20261205T120000");
  });
});

describe("figures by year", () => {
  it("compounds each year's returns and measures its drawdown", () => {
    const rows = yearlyFigures([
      { date: "2020-12-30", daily_return: 0.1 },
      { date: "2020-12-31", daily_return: -0.5 },
      { date: "2021-01-04", daily_return: 0.02 },
      { date: "2021-01-05", daily_return: 0.02 },
    ]);
    expect(rows.map((r) => r.year)).toEqual(["2020", "2021"]);
    expect(rows[0]?.total_return).toBeCloseTo(1.1 * 0.5 - 1);
    expect(rows[0]?.max_drawdown).toBeCloseTo(0.5);
    expect(rows[1]?.total_return).toBeCloseTo(1.02 * 1.02 - 1);
    expect(rows[1]?.sharpe).toBe(0);
  });
});
