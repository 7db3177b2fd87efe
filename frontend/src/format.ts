// Numbers as people read them: percent for returns and ratios of capital, 3–4 significant
// digits otherwise, thousands separators for counts, "—" for a missing value.

const MISSING = "—";

/** A fraction as a percent with two decimals: 0.1234 → "12.34%". */
export function formatPercent(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  return `${(value * 100).toFixed(digits)}%`;
}

/** A number with `digits` significant digits, no exponent for everyday magnitudes. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) return value.toPrecision(digits);
  if (Number.isInteger(value) && magnitude >= 10 ** (digits - 1)) {
    return value.toLocaleString("en-US");
  }
  return Number(value.toPrecision(digits)).toLocaleString("en-US", {
    maximumSignificantDigits: digits,
  });
}

/** A count with thousands separators: 20970 → "20,970". */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  return Math.round(value).toLocaleString("en-US");
}

/** A signed difference in the unit of its metric: "+1.20%" or "−0.05". */
export function formatDelta(delta: number | null, percent: boolean): string {
  if (delta === null || !Number.isFinite(delta)) return MISSING;
  const text = percent ? formatPercent(Math.abs(delta)) : formatNumber(Math.abs(delta));
  if (delta === 0) return percent ? "0.00%" : "0";
  return `${delta > 0 ? "+" : "−"}${text}`;
}

/** An ISO timestamp as "2026-12-05 17:01" (UTC), a date stays a date. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 16).replace("T", " ");
}

/** Seconds as "850 ms", "12.3 s" or "4 min 05 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return MISSING;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${formatNumber(seconds, 3)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.round(seconds % 60)).padStart(2, "0")} s`;
}

/** Metrics read as percent (returns, drawdowns, volatility, rates, turnover). */
const PERCENT_METRICS = new Set([
  "total_return",
  "annual_return",
  "cagr",
  "volatility",
  "max_drawdown",
  "turnover",
  "hit_rate",
  "exposure",
  "excess_return",
  "tracking_error",
  "costs",
  "annual_costs",
]);

/** Whether a metric named `key` (last dotted part) reads as percent. */
export function isPercentMetric(key: string): boolean {
  const name = key.split(".").pop() ?? key;
  return PERCENT_METRICS.has(name) || name.endsWith("_return") || name.endsWith("_drawdown");
}

/** A metric's value as people read it: percent for returns, else significant digits. */
export function formatMetric(key: string, value: unknown): string {
  if (typeof value === "number") {
    if (isPercentMetric(key)) return formatPercent(value);
    if (/^(n_|trades|count)/.test(key.split(".").pop() ?? "")) return formatCount(value);
    return formatNumber(value);
  }
  if (value === null || value === undefined) return MISSING;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map(String).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
