// Code health: the audit's hotspots (change frequency × complexity) and import cycles.
import { apiGet } from "../api/client";
import type { HotspotFile } from "../api/types.generated";
import { type Column, DataTable } from "../components/DataTable";
import { Card, Empty, ErrorLine } from "../components/States";
import { formatCount, formatNumber } from "../format";
import { useLoad } from "../hooks";

const COLUMNS: Column<HotspotFile>[] = [
  { key: "rank", label: "rank", numeric: true, value: (f) => f.rank, width: "4rem" },
  { key: "file", label: "file", value: (f) => f.file, width: "minmax(16rem, 3fr)" },
  { key: "score", label: "score", numeric: true, value: (f) => f.score, render: (f) => formatNumber(f.score, 4) },
  { key: "revisions", label: "revisions", numeric: true, value: (f) => f.revisions },
  { key: "complexity", label: "complexity", numeric: true, value: (f) => f.complexity, render: (f) => formatCount(f.complexity) },
  { key: "fan_in", label: "fan-in", numeric: true, value: (f) => f.fan_in },
  { key: "fan_out", label: "fan-out", numeric: true, value: (f) => f.fan_out },
];

/** The code-health page. */
export function CodeHealthPage() {
  const loaded = useLoad((s) => apiGet("/api/code-health", { path: {}, query: {} }, s), []);
  if (loaded.error) return <ErrorLine error={loaded.error} />;
  if (!loaded.data) return <p class="muted">loading…</p>;
  const health = loaded.data;
  if (!health.available) return <Empty what="audit data" command="make audit" />;
  return (
    <div class="grid">
      <h1>Code health</h1>
      <Card title="Import cycles" wide>
        {health.cycles.length === 0 ? (
          <p data-testid="cycles">No import cycles.</p>
        ) : (
          <ul class="plain" data-testid="cycles">
            {health.cycles.map((c) => (
              <li key={c.modules.join()}>
                {c.modules.join(" → ")}
                {c.suggested_break ? <span class="muted"> · break: {c.suggested_break}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Hotspots" wide>
        <p class="muted">
          {health.formula} · {health.window}
        </p>
        <DataTable label="hotspots" rows={health.files} columns={COLUMNS} rowKey={(f) => f.file} height={480} />
      </Card>
    </div>
  );
}
