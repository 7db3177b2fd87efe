// The autopilot leaderboard as `qe-autopilot` prints it: a column per guard headed with its bar,
// each cell the candidate's figure and the guard's verdict. Pure functions over wire types.
import type { AutopilotCycle, CandidateResult, GuardThresholds, PromotionDecision } from "./api/types.generated";
import { formatCount, formatNumber, formatPercent, formatTime } from "./format";

/** One guard's column: its name, its header naming the bar (e.g. "entries+exits ≥ 10"), and
 * the header's tooltip in words. */
export interface GuardColumn {
  name: string;
  label: string;
  title: string;
}

/** One guard's cell: the figure it judged, pass/FAIL, and the verdict in words. */
export interface GuardCell {
  figure: string;
  verdict: "pass" | "FAIL" | "—";
  passed: boolean | null;
  detail: string;
}

/** The header of a guard's column: what it measures and the bar from the decision's thresholds. */
export function guardLabel(name: string, guards: GuardThresholds): string {
  switch (name) {
    case "min_trades":
      return `entries+exits ≥ ${formatCount(guards.min_trades)}`;
    case "max_drawdown":
      return `drawdown ≤ ${formatPercent(guards.max_drawdown, 0)}`;
    case "min_deflated_sharpe":
      return `DSR ≥ ${formatNumber(guards.min_deflated_sharpe, 3)}`;
    default:
      return name.replaceAll("_", " ");
  }
}

/** What a guard asks, in words, for its column header's tooltip. */
export function guardTitle(name: string): string {
  switch (name) {
    case "min_trades":
      return "fewest entries and exits over the walk-forward";
    case "max_drawdown":
      return "largest peak-to-trough loss allowed";
    case "min_deflated_sharpe":
      return "lowest deflated Sharpe ratio: the probability the Sharpe is real after every trial";
    default:
      return name.replaceAll("_", " ");
  }
}

/** Every guard any row was judged by, in the order the engine reports them. */
export function guardColumns(cycle: AutopilotCycle): GuardColumn[] {
  const names: string[] = [];
  for (const row of cycle.results) {
    for (const guard of row.guards) if (!names.includes(guard.name)) names.push(guard.name);
  }
  return names.map((name) => ({ name, label: guardLabel(name, cycle.guards), title: guardTitle(name) }));
}

/** The figure a guard judged on a row: entries and exits, the drawdown, the deflated Sharpe. */
export function guardFigure(name: string, row: CandidateResult): string {
  switch (name) {
    case "min_trades":
      return formatCount(row.entries_exits);
    case "max_drawdown":
      return formatPercent(row.max_drawdown === null ? null : Math.abs(row.max_drawdown));
    case "min_deflated_sharpe":
      return formatNumber(row.deflated_sharpe, 3);
    default:
      return "";
  }
}

/** A row's cell in a guard's column; "—" when the row was not judged by that guard. */
export function guardCell(name: string, row: CandidateResult): GuardCell {
  const guard = row.guards.find((g) => g.name === name);
  const figure = guardFigure(name, row);
  if (!guard) return { figure, verdict: "—", passed: null, detail: "not judged by this guard" };
  const detail = guard.detail ?? `${guard.passed ? "passed" : "failed"} (no details in this decision file)`;
  return { figure, verdict: guard.passed ? "pass" : "FAIL", passed: guard.passed, detail };
}

/** The margin verdict: pass/FAIL against the incumbent, "—" on the incumbent's own row, "n/a"
 * with no incumbent (or a decision file too old to say). */
export function marginCell(row: CandidateResult, incumbentId: string | null): { text: string; detail: string } {
  if (row.beats_incumbent === true) return { text: "pass", detail: `beats incumbent ${incumbentId ?? ""}` };
  if (row.beats_incumbent === false) return { text: "FAIL", detail: `does not beat incumbent ${incumbentId ?? ""}` };
  if (incumbentId !== null && row.candidate.candidate_id === incumbentId) {
    return { text: "—", detail: "the incumbent itself" };
  }
  return { text: "n/a", detail: incumbentId === null ? "no incumbent yet, nothing to beat" : "not recorded" };
}

/** The caption: when, on which window, how many trials, PBO and the holdout. */
export function cycleCaption(cycle: AutopilotCycle): string[] {
  const { decision } = cycle;
  const effective = cycle.effective_trials === null ? "n/a" : formatNumber(cycle.effective_trials, 3);
  const pbo =
    cycle.pbo === null
      ? "PBO not judged (needs two candidates)"
      : `PBO ${formatNumber(cycle.pbo, 3)}${cycle.guards.max_pbo === null ? "" : ` (at most ${formatNumber(cycle.guards.max_pbo, 3)})`}`;
  const margin = cycle.guards.margin_sharpe === null ? "" : ` + ${formatNumber(cycle.guards.margin_sharpe, 3)}`;
  return [
    `decided ${formatTime(decision.decided_at)} UTC on ${decision.window[0]} – ${decision.window[1]}`,
    `trials ${formatCount(cycle.n_trials)} (${formatCount(cycle.prior_trials)} from earlier runs, effective ${effective})`,
    pbo,
    cycle.holdout_days > 0 ? `holdout ${formatCount(cycle.holdout_days)} days` : "no holdout",
    `margin: beats the incumbent's Sharpe${margin}`,
  ];
}

/** A decision's outcome in a few words: what was promoted, demoted or kept, or that nothing is
 * in force. */
export function decisionOutcome(decision: PromotionDecision): string {
  const demoted = decision.demoted && decision.incumbent_id !== null ? `${decision.incumbent_id} demoted` : "";
  if (decision.promoted) return demoted ? `promoted; ${demoted}` : "promoted";
  if (demoted) return `${demoted}; nothing promoted`;
  return decision.incumbent_id === null ? "nothing promoted" : `kept ${decision.incumbent_id}`;
}
