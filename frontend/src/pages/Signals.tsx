// Signals: the latest ranked list (or one prediction run's), and past prediction runs.
import { apiGet } from "../api/client";
import type { SignalRow } from "../api/types.generated";
import { type Column, DataTable } from "../components/DataTable";
import { Card, Empty, ErrorLine } from "../components/States";
import { formatMetric, formatTime } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";

const COLUMNS: Column<SignalRow>[] = [
  { key: "rank", label: "rank", numeric: true, value: (r) => r.rank },
  { key: "ticker", label: "ticker", value: (r) => r.ticker },
  { key: "score", label: "score", numeric: true, value: (r) => r.score, render: (r) => formatMetric("score", r.score) },
  { key: "date", label: "date", value: (r) => r.date },
];

/** The signals page. */
export function SignalsPage(props: { runId: string | null }) {
  const signal = useLoad(
    (s) =>
      props.runId
        ? apiGet("/api/signals/{run_id}", { path: { run_id: props.runId }, query: {} }, s)
        : apiGet("/api/signals/latest", { path: {}, query: {} }, s),
    [props.runId],
  );
  const past = useLoad(
    (s) => apiGet("/api/runs", { path: {}, query: { script: "run_predict", status: "success", limit: 50 } }, s),
    [],
  );
  return (
    <div class="grid">
      <h1>Signals</h1>
      <Card title={props.runId ? `Signal of ${props.runId}` : "Latest signal"} wide>
        {signal.error ? (
          <Empty what="signal" command="qe-predict" />
        ) : signal.data ? (
          <div>
            <p class="muted">
              as of {signal.data.as_of} · model {signal.data.model_version} ({signal.data.feature_mode}) · horizon{" "}
              {signal.data.horizon_days} days
            </p>
            <DataTable label="signal" rows={signal.data.rows} columns={COLUMNS} rowKey={(r) => r.ticker} height={420} />
          </div>
        ) : (
          <p class="muted">loading…</p>
        )}
      </Card>
      <Card title="Past signals" wide>
        {past.error ? <ErrorLine error={past.error} /> : null}
        <ul class="plain">
          {past.data?.runs.map((r) => (
            <li key={r.run_id}>
              <a href={href("signals", r.run_id)}>{r.run_id}</a> <span class="muted">{formatTime(r.started_at)}</span>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
