// Models: the registry, the current model per feature mode, and out-of-sample IC.
import { apiGet } from "../api/client";
import type { ModelVersion } from "../api/types.generated";
import { type Column, DataTable } from "../components/DataTable";
import { Chart } from "../components/Chart";
import { Card, Empty, ErrorLine } from "../components/States";
import { formatMetric, formatTime } from "../format";
import { useLoad } from "../hooks";
import { alignCurves } from "../shape";

const COLUMNS: Column<ModelVersion>[] = [
  { key: "version", label: "version", value: (m) => m.version_id, width: "minmax(12rem, 2fr)" },
  { key: "mode", label: "feature mode", value: (m) => m.feature_mode },
  { key: "estimator", label: "estimator", value: (m) => m.model_kind },
  { key: "window", label: "train window", value: (m) => `${m.train_start}..${m.train_end}`, width: "minmax(12rem, 2fr)" },
  { key: "ic", label: "IC", numeric: true, value: (m) => m.oos.ic, render: (m) => formatMetric("ic", m.oos.ic) },
  {
    key: "rank_ic",
    label: "rank IC",
    numeric: true,
    value: (m) => m.oos.rank_ic,
    render: (m) => formatMetric("rank_ic", m.oos.rank_ic),
  },
  { key: "created", label: "created", value: (m) => m.created_at, render: (m) => formatTime(m.created_at) },
  { key: "current", label: "current", value: (m) => (m.active ? "current" : "") },
];

/** The model registry page. */
export function ModelsPage() {
  const loaded = useLoad((s) => apiGet("/api/models", { path: {}, query: {} }, s), []);
  if (loaded.error) return <ErrorLine error={loaded.error} />;
  if (!loaded.data) return <p class="muted">loading…</p>;
  const versions = loaded.data.versions;
  if (versions.length === 0) return <Empty what="models" command="qe-train" />;
  const modes = [...new Set(versions.map((v) => v.feature_mode))].sort();
  const ordered = [...versions].sort((a, b) => a.created_at.localeCompare(b.created_at));
  const ic = alignCurves(
    modes.map((mode) => ({
      label: mode,
      points: ordered
        .filter((v) => v.feature_mode === mode && v.oos.ic !== null)
        .map((v) => ({ date: v.train_end, value: v.oos.ic as number })),
    })),
  );
  const colours = ["#2f7ed8", "#e4572e", "#17a398", "#f3a712"];
  return (
    <div class="grid">
      <h1>Models</h1>
      <Card title="Current model per feature mode" wide>
        <ul class="plain" data-testid="current-models">
          {modes.map((mode) => {
            const current = versions.find((v) => v.feature_mode === mode && v.active);
            return (
              <li key={mode}>
                <strong>{mode}</strong>: {current ? `${current.version_id} (${current.model_kind})` : "none — qe-models use VERSION"}
              </li>
            );
          })}
        </ul>
      </Card>
      <Card title="Out-of-sample IC by training window end" wide>
        <Chart
          title="IC of each model version"
          data={ic}
          series={modes.map((m, i) => ({ label: m, colour: colours[i % colours.length] as string }))}
          height={220}
        />
      </Card>
      <Card title="Registry" wide>
        <DataTable label="models" rows={versions} columns={COLUMNS} rowKey={(m) => m.version_id} height={360} />
      </Card>
    </div>
  );
}
