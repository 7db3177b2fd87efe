// How the dashboard uses the generated API types. Compiled (never run) by `nox -s types` and by
// tests/scripts/test_generate_types.py: when the generator changes a shape the front end relies
// on, this file stops compiling. Lines marked @ts-expect-error must stay errors.
import type {
  ApiMethod,
  ApiPath,
  ApiPaths,
  ApiResponse,
  BacktestSummary,
  DashboardSummary,
  Job,
  JobRequest,
  SignalSet,
} from "./types.generated";
import { HealthStatus, JobKind, JobStatus, PortfolioRule } from "./types.generated";

/** Badge colour of a job; the `never` default turns a new status into a compile error. */
export function jobStatusColour(status: JobStatus): string {
  switch (status) {
    case JobStatus.QUEUED:
      return "grey";
    case "running":
      return "blue";
    case JobStatus.SUCCEEDED:
      return "green";
    case JobStatus.FAILED:
      return "red";
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}

/** Every health status needs a label: a Record over the union is exhaustive too. */
export const HEALTH_LABELS: Record<HealthStatus, string> = {
  [HealthStatus.OK]: "All systems normal",
  [HealthStatus.DEGRADED]: "Degraded",
  [HealthStatus.DOWN]: "Down",
};

/** The payload of a successful envelope, or the server's one-line error. */
export function unwrap<T>(response: ApiResponse<T>): T {
  if (response.ok && response.data !== null) {
    return response.data;
  }
  throw new Error(response.error?.message ?? `empty response ${response.meta.request_id}`);
}

/** One line about a backtest: the window is a [start, end] tuple; sortino may be null. */
export function describeBacktest(response: ApiResponse<BacktestSummary>): string {
  const summary = unwrap(response);
  const [start, end] = summary.window;
  const { sharpe, sortino } = summary.metrics;
  const sortinoText = sortino === null ? "n/a" : sortino.toFixed(2);
  const rule = summary.portfolio_rule === PortfolioRule.TOP_K ? `top ${summary.top_k ?? "?"}` : "L/S";
  return `${summary.run_id} ${start}..${end} ${rule}: sharpe ${sharpe.toFixed(2)}, sortino ${sortinoText}`;
}

/** Request fields with a server default are optional (`?`); they may also be null. */
export const minimalRequest: JobRequest = { kind: JobKind.BACKTEST };
export const explicitRequest: JobRequest = {
  kind: "train",
  tickers: ["SPX", "COMP"],
  years: null,
  tags: ["nightly"],
};

// @ts-expect-error -- optional is not "may be undefined" (exactOptionalPropertyTypes).
export const undefinedYears: JobRequest = { kind: "train", years: undefined };

/** Response fields with a default are always sent, so they are required, not optional. */
export function progressPercent(job: Job): number {
  return Math.round(job.progress * 100);
}

// @ts-expect-error -- `progress` has a default in Python but a response always carries it.
export const jobWithoutProgress: Job = {
  job_id: "j-1",
  kind: JobKind.TRAIN,
  status: JobStatus.QUEUED,
  request: minimalRequest,
  submitted_at: "2024-01-02T09:30:00Z",
  started_at: null,
  finished_at: null,
  run_id: null,
  error: null,
};

/** The best `n` tickers of a signal set. */
export function topTickers(signals: SignalSet, n: number): string[] {
  return signals.rows.slice(0, n).map((row) => row.ticker);
}

/** The landing page's headline, using nullable nested models. */
export function headline(summary: DashboardSummary): string {
  const model = summary.active_model?.version_id ?? "no model yet";
  return `${HEALTH_LABELS[summary.health]} · ${model} · ${summary.running_jobs} running`;
}

export const emptyDashboard: ApiResponse<DashboardSummary> = {
  ok: true,
  data: {
    as_of: null,
    health: "ok",
    active_model: null,
    latest_backtest: null,
    top_signals: [],
    last_promotion: null,
    running_jobs: 0,
    cached_tickers: 0,
  },
  error: null,
  meta: {
    request_id: "req-1",
    generated_at: "2024-01-02T09:30:00Z",
    version: "0.1.0",
    elapsed_ms: null,
    warnings: [],
  },
};

/** The operation of `path` answered by `method`, from the generated path map. */
export type Operation<P extends ApiPath, M extends ApiMethod<P>> = ApiPaths[P][M] extends {
  path: unknown;
  query: unknown;
  body: unknown;
  response: unknown;
}
  ? ApiPaths[P][M]
  : never;

/** A URL for `path` with its path parameters filled in and its query appended. */
export function apiUrl<P extends ApiPath, M extends ApiMethod<P>>(
  path: P,
  _method: M,
  params: { path: Operation<P, M>["path"]; query: Operation<P, M>["query"] },
): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(String((params.path as Record<string, unknown>)[name])),
  );
  const query = Object.entries(params.query as Record<string, unknown>)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`);
  return query.length ? `${filled}?${query.join("&")}` : filled;
}

/** What a typed client's GET of `path` resolves to. */
export type Response<P extends ApiPath> = Operation<P, "get" & ApiMethod<P>>["response"];

export const runsUrl = apiUrl("/api/runs", "get", { path: {}, query: { status: "success" } });
export const barsUrl = apiUrl("/api/data/{source}/bars/{ticker}", "get", {
  path: { source: "embedded", ticker: "SPX" },
  query: { limit: 100 },
});

// @ts-expect-error -- a query parameter the endpoint does not have.
export const typoUrl = apiUrl("/api/runs", "get", { path: {}, query: { limimt: 5 } });
export const missingTicker = apiUrl("/api/data/{source}/bars/{ticker}", "get", {
  // @ts-expect-error -- a path parameter is required.
  path: { source: "embedded" },
  query: {},
});
// @ts-expect-error -- /api/runs answers GET only.
export const postRuns = apiUrl("/api/runs", "post", { path: {}, query: {} });

/** The response type follows the path: a run list's `runs`, a job's `status`. */
export function firstRunId(response: Response<"/api/runs">): string | undefined {
  return response.data?.runs[0]?.run_id;
}
// @ts-expect-error -- a job has no `runs`.
export const wrongField = (response: Response<"/api/compute/jobs/{job_id}">) => response.data?.runs;
