// Runs: the indexed run list with filters, sortable metric columns and a compare selection.
import { useMemo, useState } from "preact/hooks";
import { apiGet } from "../api/client";
import type { RunStatus, RunSummary } from "../api/types.generated";
import { Choice } from "../components/Choice";
import { type Column, DataTable } from "../components/DataTable";
import { Empty, ErrorLine } from "../components/States";
import { formatDuration, formatMetric, formatTime } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";
import { shortestPrefixes, verifiedRunIds } from "../shape";

const PAGE = 1000;
const MAX_RUNS = 20000;

/** Every run matching the filters, fetched a page at a time. */
export async function loadAllRuns(
  script: string,
  status: RunStatus | "",
  signal: AbortSignal,
): Promise<{ runs: RunSummary[]; total: number }> {
  const runs: RunSummary[] = [];
  let total = 0;
  for (let offset = 0; offset < MAX_RUNS; offset += PAGE) {
    const query = {
      limit: PAGE,
      offset,
      ...(script ? { script } : {}),
      ...(status ? { status } : {}),
    };
    const page = await apiGet("/api/runs", { path: {}, query }, signal);
    runs.push(...page.runs);
    total = page.total;
    if (runs.length >= total || page.runs.length === 0) break;
  }
  return { runs, total };
}

/** A metric of a run's result, looked up by any of `names` (scripts name them differently). */
export function resultValue(run: RunSummary, ...names: string[]): unknown {
  const result = run.result as Record<string, unknown>;
  for (const name of names) {
    const metrics = result.metrics as Record<string, unknown> | undefined;
    if (metrics && name in metrics) return metrics[name];
    if (name in result) return result[name];
  }
  return null;
}

const metric = (key: string, label: string, ...names: string[]): Column<RunSummary> => ({
  key,
  label,
  numeric: true,
  value: (r) => {
    const v = resultValue(r, ...names);
    return typeof v === "number" ? v : null;
  },
  render: (r) => formatMetric(key, resultValue(r, ...names)),
});

const SCRIPTS = ["", "run_backtest", "run_train", "run_predict", "run_retrain", "run_autopilot"];
const STATUSES: (RunStatus | "")[] = ["", "success", "failed", "running", "interrupted", "rejected", "dead"];

/** The runs page. */
export function RunsPage() {
  const [script, setScript] = useState("");
  const [status, setStatus] = useState<RunStatus | "">("");
  const [text, setText] = useState("");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const loaded = useLoad((s) => loadAllRuns(script, status, s), [script, status]);
  const verified = useMemo(() => verifiedRunIds(loaded.data?.runs ?? []), [loaded.data]);
  const short = useMemo(
    () => shortestPrefixes((loaded.data?.runs ?? []).map((r) => r.run_id)),
    [loaded.data],
  );
  const rows = useMemo(() => {
    const all = loaded.data?.runs ?? [];
    const needle = text.trim().toLowerCase();
    return needle
      ? all.filter((r) => `${r.run_id} ${r.script} ${r.model_version ?? ""}`.toLowerCase().includes(needle))
      : all;
  }, [loaded.data, text]);
  const columns: Column<RunSummary>[] = useMemo(
    () => [
      {
        key: "run_id",
        label: "run",
        value: (r) => r.run_id,
        render: (r) => {
          const id = short.get(r.run_id) ?? r.run_id;
          return r.script === "run_backtest" ? (
            <a href={href("backtest", r.run_id)} title={r.run_id}>
              {id}
            </a>
          ) : (
            <span title={r.run_id}>{id}</span>
          );
        },
        width: "minmax(11.5rem, 1.5fr)",
      },
      { key: "script", label: "script", value: (r) => r.script.replace(/^run_/, "") },
      { key: "status", label: "status", value: (r) => r.status },
      {
        key: "started",
        label: "started (UTC)",
        value: (r) => r.started_at,
        render: (r) => formatTime(r.started_at),
        width: "9.5rem",
      },
      {
        key: "duration",
        label: "took",
        numeric: true,
        value: (r) => r.duration_s,
        render: (r) => formatDuration(r.duration_s),
      },
      metric("sharpe", "Sharpe", "sharpe"),
      metric("annual_return", "annual", "annual_return", "cagr"),
      metric("max_drawdown", "max DD", "max_drawdown"),
      metric("ic", "IC", "ic", "oos_ic"),
      { key: "verified", label: "verified", value: (r) => (verified.has(r.run_id) ? "yes" : "") },
    ],
    [verified, short],
  );
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <div>
      <h1>Runs</h1>
      <div class="toolbar" role="search">
        <Choice label="script" value={script} choices={SCRIPTS} onChange={setScript} />
        <Choice label="status" value={status} choices={STATUSES} onChange={setStatus} />
        <label>
          find <input type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        <a
          class={selected.size >= 2 ? "button" : "button disabled"}
          aria-disabled={selected.size < 2}
          href={selected.size >= 2 ? `#/compare?ids=${[...selected].join(",")}` : undefined}
        >
          Compare {selected.size || ""}
        </a>
        <span class="muted" data-testid="run-count">
          {loaded.data ? `${rows.length} of ${loaded.data.total} runs` : "loading…"}
        </span>
      </div>
      {loaded.error ? <ErrorLine error={loaded.error} /> : null}
      {loaded.data && loaded.data.total === 0 ? (
        <Empty what="runs" command="make demo" />
      ) : (
        <DataTable
          label="runs"
          rows={rows}
          columns={columns}
          rowKey={(r) => r.run_id}
          initialSort={{ key: "started", descending: true }}
          selected={selected}
          onToggle={toggle}
          height={560}
        />
      )}
    </div>
  );
}
