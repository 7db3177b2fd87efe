// Compare runs: settings and metrics with deltas, overlaid equity curves, data and code
// differences, and whether each run was reproduced by `qe-runs verify`.
import { apiGet } from "../api/client";
import type { RunManifest } from "../api/types.generated";
import { Chart } from "../components/Chart";
import { Card, Empty, ErrorLine } from "../components/States";
import { formatDelta, formatMetric, isPercentMetric } from "../format";
import { useLoad } from "../hooks";
import { alignCurves, compareRows, type DeltaRow, digestSummary, rebased, spansMoreThan, verifiedRunIds } from "../shape";
import { loadAllRuns } from "./Runs";

const COLOURS = ["#2f7ed8", "#e4572e", "#17a398", "#f3a712", "#8f5cc2", "#5b6770"];

interface Compared {
  manifests: RunManifest[];
  curves: { label: string; points: { date: string; value: number }[] }[];
  verified: Set<string>;
}

async function loadCompared(ids: string[], signal: AbortSignal): Promise<Compared> {
  const manifests = await Promise.all(
    ids.map((ref) => apiGet("/api/runs/{ref}", { path: { ref }, query: {} }, signal)),
  );
  const curves = await Promise.all(
    manifests
      .filter((m) => m.script === "run_backtest" && m.status === "success")
      .map(async (m) => {
        const detail = await apiGet("/api/backtests/{run_id}", { path: { run_id: m.run_id }, query: {} }, signal);
        return { label: m.run_id, points: rebased(detail.equity_curve) };
      }),
  );
  const { runs } = await loadAllRuns("", "", signal);
  return { manifests, curves, verified: verifiedRunIds(runs) };
}

function DeltaTable(props: { rows: DeltaRow[]; ids: string[]; label: string }) {
  if (props.rows.length === 0) return <p class="muted">nothing recorded</p>;
  return (
    <table class="compare" aria-label={props.label}>
      <thead>
        <tr>
          <th scope="col">{props.label}</th>
          {props.ids.map((id) => (
            <th scope="col" key={id} class="num">
              {id}
            </th>
          ))}
          <th scope="col" class="num">
            Δ last − first
          </th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={row.key} class={row.same ? "same" : "differs"}>
            <th scope="row">{row.key}</th>
            {row.values.map((v, i) => (
              <td key={props.ids[i]} class="num">
                {formatMetric(row.key, v)}
              </td>
            ))}
            <td class="num delta">{formatDelta(row.delta, isPercentMetric(row.key))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The compare page for two or more run ids. */
export function ComparePage(props: { ids: string[] }) {
  const loaded = useLoad((s) => loadCompared(props.ids, s), [props.ids.join(",")]);
  if (props.ids.length < 2) return <Empty what="runs selected to compare" command="qe-runs list (then tick two runs on the Runs page)" />;
  if (loaded.error) return <ErrorLine error={loaded.error} />;
  if (!loaded.data) return <p class="muted">loading…</p>;
  const { manifests, curves, verified } = loaded.data;
  const ids = manifests.map((m) => m.run_id);
  const settings = compareRows(manifests.map((m) => m.resolved as Record<string, unknown>));
  const metrics = compareRows(manifests.map((m) => m.result as Record<string, unknown>));
  const aligned = curves.length ? alignCurves(curves) : null;
  return (
    <div class="grid">
      <h1>Compare {ids.length} runs</h1>
      <Card title="Reproducibility" wide>
        <ul class="plain" data-testid="reproducibility">
          {manifests.map((m) => (
            <li key={m.run_id}>
              <strong>{m.run_id}</strong>: {m.script} · code {m.code.commit?.slice(0, 10) ?? "not in git"}
              {m.code.dirty ? " (local changes)" : ""} · {verified.has(m.run_id) ? "verified ✓" : "not verified"}
            </li>
          ))}
          <li>data: {digestSummary(manifests.map((m) => m.data_digests))}</li>
          <li>
            code:{" "}
            {new Set(manifests.map((m) => `${m.code.commit}${m.code.diff_sha256 ?? ""}`)).size === 1
              ? "same commit"
              : "differs"}
          </li>
        </ul>
      </Card>
      <Card title="Metrics" wide>
        <DeltaTable rows={metrics} ids={ids} label="metric" />
      </Card>
      <Card title="Settings" wide>
        <DeltaTable rows={settings} ids={ids} label="setting" />
      </Card>
      {aligned && (
        <Card title="Equity curves" wide>
          <Chart
            title="Equity (start = 1)"
            data={aligned}
            series={curves.map((c, i) => ({ label: c.label, colour: COLOURS[i % COLOURS.length] as string }))}
            logScale={aligned.slice(1).some((s) => spansMoreThan(s))}
            testId="compare-chart"
          />
        </Card>
      )}
    </div>
  );
}
