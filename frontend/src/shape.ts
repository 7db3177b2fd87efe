// Data shaping for charts and tables: pure functions over wire types, tested with Vitest.
import type { EquityPoint, OhlcvBar, RunSummary } from "./api/types.generated";

/** Days since the epoch → seconds, the x unit of every chart. */
export function toSeconds(date: string): number {
  return Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date) / 1000;
}

/** One named series of (date, value) points. */
export interface Curve {
  label: string;
  points: { date: string; value: number }[];
}

/** Curves on one x axis: the union of their dates, `null` where a curve has no point. */
export function alignCurves(curves: Curve[]): [number[], ...(number | null)[][]] {
  const dates = [...new Set(curves.flatMap((c) => c.points.map((p) => p.date)))].sort();
  const index = new Map(dates.map((d, i) => [d, i]));
  const columns = curves.map((curve) => {
    const column: (number | null)[] = new Array<number | null>(dates.length).fill(null);
    for (const point of curve.points) column[index.get(point.date) ?? 0] = point.value;
    return column;
  });
  return [dates.map(toSeconds), ...columns];
}

/** The equity curve rebased to 1 at its first point (so runs of any size overlay). */
export function rebased(points: EquityPoint[]): { date: string; value: number }[] {
  const first = points[0]?.equity;
  if (first === undefined || first === 0) return [];
  return points.map((p) => ({ date: p.date, value: p.equity / first }));
}

/** Drawdown from the running peak of a curve, as a fraction (≤ 0). */
export function drawdowns(values: number[]): number[] {
  let peak = Number.NEGATIVE_INFINITY;
  return values.map((v) => {
    peak = Math.max(peak, v);
    return peak > 0 ? v / peak - 1 : 0;
  });
}

/** Whether a curve spans more than `ratio`× between its low and high (then use a log scale). */
export function spansMoreThan(values: (number | null)[], ratio = 2): boolean {
  const finite = values.filter((v): v is number => v !== null && v > 0);
  if (finite.length === 0) return false;
  return Math.max(...finite) / Math.min(...finite) > ratio;
}

/** A settings or metrics table row across runs: each run's value and the last minus the first. */
export interface DeltaRow {
  key: string;
  values: unknown[];
  delta: number | null;
  same: boolean;
}

/** Scalar leaves of nested objects as dotted keys (lists joined), as `qe-runs diff` shows them. */
export function flatten(value: unknown, prefix = ""): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return prefix ? { [prefix]: Array.isArray(value) ? value.join(", ") : value } : {};
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    Object.assign(out, flatten(item, prefix ? `${prefix}.${key}` : key));
  }
  return out;
}

/** Rows comparing flattened objects of several runs; keys that differ first, then the rest. */
export function compareRows(objects: Record<string, unknown>[]): DeltaRow[] {
  const flat = objects.map((o) => flatten(o));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const rows = keys.map((key) => {
    const values = flat.map((f) => f[key]);
    const first = values[0];
    const last = values[values.length - 1];
    const delta = typeof first === "number" && typeof last === "number" ? last - first : null;
    const same = values.every((v) => JSON.stringify(v) === JSON.stringify(first));
    return { key, values, delta, same };
  });
  return [...rows.filter((r) => !r.same), ...rows.filter((r) => r.same)];
}

/** Data digests of several runs: "same", or how many differ and their names. */
export function digestSummary(digests: Record<string, string>[]): string {
  const names = [...new Set(digests.flatMap((d) => Object.keys(d)))].sort();
  const differ = names.filter((n) => new Set(digests.map((d) => d[n] ?? "")).size > 1);
  if (names.length === 0) return "no data digests";
  if (differ.length === 0) return `same (${names.length} inputs)`;
  return `${differ.length} differ: ${differ.join(", ")}`;
}

/** Run ids that a successful `qe-runs verify` reproduced. */
export function verifiedRunIds(runs: RunSummary[]): Set<string> {
  return new Set(
    runs
      .filter((r) => r.verify_of !== null && r.status === "success")
      .map((r) => r.verify_of as string),
  );
}

/** A gap: consecutive bars more than `maxDays` calendar days apart (a weekend is 3). */
export interface Gap {
  after: string;
  before: string;
  days: number;
}

/** Gaps in a ticker's bars longer than a weekend plus a holiday. */
export function findGaps(bars: OhlcvBar[], maxDays = 4): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < bars.length; i++) {
    const prev = bars[i - 1] as OhlcvBar;
    const next = bars[i] as OhlcvBar;
    const days = Math.round((toSeconds(next.date) - toSeconds(prev.date)) / 86400);
    if (days > maxDays) gaps.push({ after: prev.date, before: next.date, days });
  }
  return gaps;
}

/** A column's sort key: numbers numerically (missing last), everything else as text. */
export function compareValues(a: unknown, b: unknown): number {
  const missingA = a === null || a === undefined;
  const missingB = b === null || b === undefined;
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

/** Rows sorted by `key(row)`, descending when `descending`; stable, missing values last. */
export function sortRows<T>(rows: T[], key: (row: T) => unknown, descending: boolean): T[] {
  const keyed = rows.map((row, i) => ({ row, i, k: key(row) }));
  keyed.sort((x, y) => {
    const missing = x.k === null || x.k === undefined || y.k === null || y.k === undefined;
    const order = compareValues(x.k, y.k);
    return (missing || !descending ? order : -order) || x.i - y.i;
  });
  return keyed.map((k) => k.row);
}

/** The shortest prefix of each id that no other id shares (at least `min` characters), as
 * `qe-runs` accepts and shows them. */
export function shortestPrefixes(ids: string[], min = 15): Map<string, string> {
  const sorted = [...new Set(ids)].sort();
  const out = new Map<string, string>();
  sorted.forEach((id, i) => {
    const common = (other: string | undefined) => {
      let n = 0;
      while (other !== undefined && n < id.length && id[n] === other[n]) n++;
      return n;
    };
    const length = Math.max(common(sorted[i - 1]), common(sorted[i + 1])) + 1;
    out.set(id, id.slice(0, Math.max(min, length)));
  });
  return out;
}

/** One calendar year of daily returns: compounded return, annualised volatility and Sharpe,
 * max drawdown (positive), as the backtest reports them. */
export interface YearFigures {
  year: string;
  total_return: number;
  volatility: number;
  sharpe: number;
  max_drawdown: number;
}

/** Figures per calendar year from dated daily returns (252 trading days a year). */
export function yearlyFigures(points: { date: string; daily_return: number }[]): YearFigures[] {
  const byYear = new Map<string, number[]>();
  for (const p of points) {
    const year = p.date.slice(0, 4);
    const list = byYear.get(year) ?? [];
    list.push(p.daily_return);
    byYear.set(year, list);
  }
  return [...byYear.entries()].map(([year, returns]) => {
    const n = returns.length;
    const mean = returns.reduce((a, b) => a + b, 0) / n;
    const variance = n > 1 ? returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1) : 0;
    const std = Math.sqrt(variance);
    let equity = 1;
    let peak = 1;
    let worst = 0;
    for (const r of returns) {
      equity *= 1 + r;
      peak = Math.max(peak, equity);
      worst = Math.max(worst, 1 - equity / peak);
    }
    return {
      year,
      total_return: equity - 1,
      volatility: std * Math.sqrt(252),
      sharpe: std > 0 ? (mean / std) * Math.sqrt(252) : 0,
      max_drawdown: worst,
    };
  });
}
