import { describe, expect, it } from "vitest";
import {
  formatCount,
  formatDelta,
  formatDuration,
  formatMetric,
  formatNumber,
  formatPercent,
  formatTime,
} from "./format";

describe("numbers as people read them", () => {
  it("shows fractions as percent with two decimals", () => {
    expect(formatPercent(0.123456)).toBe("12.35%");
    expect(formatPercent(-0.3143)).toBe("-31.43%");
    expect(formatPercent(null)).toBe("—");
    expect(formatPercent(Number.NaN)).toBe("—");
  });

  it("keeps three significant digits and never a 17-digit float", () => {
    expect(formatNumber(1.0123456789012345)).toBe("1.01");
    expect(formatNumber(0.56312)).toBe("0.563");
    expect(formatNumber(-0.041)).toBe("-0.041");
    expect(formatNumber(12345.678)).toBe("12,300");
    expect(formatNumber(2.5e-7)).toBe("2.50e-7");
    expect(formatNumber(0)).toBe("0");
  });

  it("counts with separators and signed deltas in the metric's unit", () => {
    expect(formatCount(20970)).toBe("20,970");
    expect(formatDelta(0.012, true)).toBe("+1.20%");
    expect(formatDelta(-0.05, false)).toBe("−0.05");
    expect(formatDelta(null, false)).toBe("—");
  });

  it("formats metrics by name: returns as percent, counts as counts", () => {
    expect(formatMetric("max_drawdown", -0.5996)).toBe("-59.96%");
    expect(formatMetric("metrics.annual_return", 0.0412)).toBe("4.12%");
    expect(formatMetric("sharpe", 1.23456)).toBe("1.23");
    expect(formatMetric("n_trades", 20970)).toBe("20,970");
    expect(formatMetric("tickers", ["SPX", "COMP"])).toBe("SPX, COMP");
  });

  it("shows times in UTC to the minute and durations in readable units", () => {
    expect(formatTime("2026-12-05T17:01:30.123456Z")).toBe("2026-12-05 17:01");
    expect(formatTime("2026-12-05")).toBe("2026-12-05");
    expect(formatDuration(0.85)).toBe("850 ms");
    expect(formatDuration(12.34)).toBe("12.3 s");
    expect(formatDuration(245)).toBe("4 min 05 s");
  });
});
