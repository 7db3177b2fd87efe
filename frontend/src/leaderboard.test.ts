import { describe, expect, it } from "vitest";
import type { AutopilotCycle, CandidateResult } from "./api/types.generated";
import { cycleCaption, decisionOutcome, guardCell, guardColumns, marginCell } from "./leaderboard";

const row = (id: string, changes: Partial<CandidateResult> = {}): CandidateResult => ({
  candidate: { candidate_id: id, feature_mode: "core", model_kind: "ridge", portfolio_rule: "top_k", top_k: null, params: {} },
  rank: 1,
  sharpe: 1.2345,
  deflated_sharpe: 0.91234,
  max_drawdown: -0.1834,
  total_return: 0.5,
  entries_exits: 1234,
  holdout_sharpe: 0.8,
  passed_guards: false,
  guards: [
    { name: "min_trades", passed: true, detail: "trades: 1234 entries and exits vs at least 10 required" },
    { name: "max_drawdown", passed: true, detail: "max drawdown: 18.3% vs a limit of 25.0%" },
    { name: "min_deflated_sharpe", passed: false, detail: null },
  ],
  beats_incumbent: null,
  ...changes,
});

const cycle = (changes: Partial<AutopilotCycle> = {}): AutopilotCycle => ({
  decision_id: "0123456789abcdef",
  decision: {
    promoted: false,
    demoted: false,
    reasons: [],
    candidate_id: null,
    incumbent_id: null,
    window: ["2017-01-03", "2018-12-31"],
    sharpe_margin: null,
    decided_at: "2026-12-05T17:01:30+00:00",
  },
  guards: {
    min_trades: 10,
    max_drawdown: 0.25,
    min_deflated_sharpe: 0.95,
    margin_sharpe: 0.1,
    max_pbo: 0.5,
    holdout_fraction: 0.2,
  },
  n_trials: 12,
  prior_trials: 9,
  effective_trials: 2.41234,
  pbo: null,
  holdout_days: 120,
  results: [row("core-ridge-top_k")],
  ...changes,
});

describe("autopilot leaderboard", () => {
  it("heads a column per guard with its bar, in the engine's order", () => {
    const columns = guardColumns(cycle());
    expect(columns.map((c) => [c.name, c.label])).toEqual([
      ["min_trades", "entries+exits ≥ 10"],
      ["max_drawdown", "drawdown ≤ 25%"],
      ["min_deflated_sharpe", "DSR ≥ 0.95"],
    ]);
    expect(columns[2]?.title).toContain("deflated Sharpe ratio");
  });

  it("shows each guard's figure with pass or FAIL and the verdict in words", () => {
    const r = row("core-ridge-top_k");
    expect(guardCell("min_trades", r)).toEqual({
      figure: "1,234",
      verdict: "pass",
      passed: true,
      detail: "trades: 1234 entries and exits vs at least 10 required",
    });
    expect(guardCell("max_drawdown", r).figure).toBe("18.34%");
    const dsr = guardCell("min_deflated_sharpe", r);
    expect([dsr.figure, dsr.verdict]).toEqual(["0.912", "FAIL"]);
    expect(dsr.detail).toContain("no details");
    expect(guardCell("max_pbo", r).verdict).toBe("—");
  });

  it("judges the margin against the incumbent, not the incumbent itself", () => {
    expect(marginCell(row("a", { beats_incumbent: true }), "b").text).toBe("pass");
    expect(marginCell(row("a", { beats_incumbent: false }), "b").text).toBe("FAIL");
    expect(marginCell(row("b"), "b").text).toBe("—");
    expect(marginCell(row("a"), null).text).toBe("n/a");
  });

  it("captions the decision with its window, trials, PBO and holdout", () => {
    expect(cycleCaption(cycle())).toEqual([
      "decided 2026-12-05 17:01 UTC on 2017-01-03 – 2018-12-31",
      "trials 12 (9 from earlier runs, effective 2.41)",
      "PBO not judged (needs two candidates)",
      "holdout 120 days",
      "margin: beats the incumbent's Sharpe + 0.1",
    ]);
    const judged = cycleCaption(cycle({ pbo: 0.2567, holdout_days: 0, effective_trials: null }));
    expect(judged[1]).toBe("trials 12 (9 from earlier runs, effective n/a)");
    expect(judged[2]).toBe("PBO 0.257 (at most 0.5)");
    expect(judged[3]).toBe("no holdout");
  });
});

describe("decision outcome", () => {
  const base = {
    reasons: [],
    candidate_id: null,
    window: ["2020-01-01", "2020-12-31"] as [string, string],
    sharpe_margin: null,
    decided_at: "2026-01-01T00:00:00Z",
    demoted: false,
  };
  it("says nothing was promoted when there is no incumbent to keep", () => {
    expect(decisionOutcome({ ...base, promoted: false, incumbent_id: null })).toBe("nothing promoted");
  });
  it("names the incumbent it kept, and says promoted when it was", () => {
    expect(decisionOutcome({ ...base, promoted: false, incumbent_id: "core-ridge-top_k" })).toBe("kept core-ridge-top_k");
    expect(decisionOutcome({ ...base, promoted: true, incumbent_id: null })).toBe("promoted");
  });
  it("says the incumbent was demoted when it failed a guard", () => {
    const demoted = { ...base, demoted: true, incumbent_id: "full-gbm-top_k" };
    expect(decisionOutcome({ ...demoted, promoted: false })).toBe("full-gbm-top_k demoted; nothing promoted");
    expect(decisionOutcome({ ...demoted, promoted: true })).toBe("promoted; full-gbm-top_k demoted");
  });
});
