// Autopilot: the incumbent and each decision with its reasons.
import { apiGet } from "../api/client";
import { Card, Empty, ErrorLine } from "../components/States";
import { formatMetric, formatTime } from "../format";
import { useLoad } from "../hooks";

/** The autopilot page. */
export function AutopilotPage() {
  const loaded = useLoad((s) => apiGet("/api/autopilot", { path: {}, query: { limit: 50 } }, s), []);
  if (loaded.error) return <ErrorLine error={loaded.error} />;
  if (!loaded.data) return <p class="muted">loading…</p>;
  const { incumbent, decisions } = loaded.data;
  return (
    <div class="grid">
      <h1>Autopilot</h1>
      <Card title="Incumbent" wide>
        {incumbent ? (
          <p>
            <strong>{incumbent.candidate.candidate_id}</strong> since {formatTime(incumbent.decided_at)} ·{" "}
            {Object.entries(incumbent.metrics)
              .map(([k, v]) => `${k} ${formatMetric(k, v)}`)
              .join(" · ")}
          </p>
        ) : (
          <p>no incumbent yet: nothing promoted</p>
        )}
      </Card>
      <Card title="Decisions" wide>
        {decisions.length === 0 ? (
          <Empty what="autopilot decisions" command="qe-autopilot" />
        ) : (
          <table class="compare" aria-label="decisions">
            <thead>
              <tr>
                <th scope="col">decided (UTC)</th>
                <th scope="col">outcome</th>
                <th scope="col">candidate</th>
                <th scope="col" class="num">Sharpe margin</th>
                <th scope="col">reasons</th>
              </tr>
            </thead>
            <tbody>
              {decisions.map((d) => (
                <tr key={d.decided_at}>
                  <td>{formatTime(d.decided_at)}</td>
                  <td>{d.promoted ? "promoted" : "kept"}</td>
                  <td>{d.candidate_id ?? "—"}</td>
                  <td class="num">{formatMetric("sharpe_margin", d.sharpe_margin)}</td>
                  <td>
                    <ul class="plain">
                      {d.reasons.map((r) => (
                        <li key={r}>{r}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
