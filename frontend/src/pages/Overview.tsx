// Overview: health, latest signal, latest backtest with its equity curve, autopilot status.
import { apiGet } from "../api/client";
import { Chart } from "../components/Chart";
import { Card, Empty, ErrorLine } from "../components/States";
import { formatMetric, formatPercent, formatTime } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";
import { alignCurves, rebased, spansMoreThan } from "../shape";

const EQUITY_SERIES = [{ label: "strategy (×)", colour: "#2f7ed8" }];

/** The landing page. */
export function OverviewPage() {
  const summary = useLoad((s) => apiGet("/api/dashboard", { path: {}, query: {} }, s), []);
  const health = useLoad((s) => apiGet("/api/system-health", { path: {}, query: {} }, s), []);
  const latest = summary.data?.latest_backtest ?? null;
  const equity = useLoad(
    async (s) =>
      latest ? apiGet("/api/backtests/{run_id}", { path: { run_id: latest.run_id }, query: {} }, s) : null,
    [latest?.run_id],
  );
  if (summary.error) return <ErrorLine error={summary.error} />;
  const data = summary.data;
  const curve = equity.data ? alignCurves([{ label: "strategy", points: rebased(equity.data.equity_curve) }]) : null;
  return (
    <div class="grid">
      <h1>Overview</h1>
      <Card title="Health">
        {health.error ? (
          <ErrorLine error={health.error} />
        ) : (
          <div>
            <p class={`badge ${health.data?.status ?? ""}`} data-testid="health">
              {health.data?.status ?? "…"}
            </p>
            <ul class="plain">
              {health.data?.components.map((c) => (
                <li key={c.name}>
                  <span class={`dot ${c.status}`} aria-hidden="true" /> {c.name}
                  {c.detail ? ` — ${c.detail}` : ""}
                </li>
              ))}
            </ul>
          </div>
        )}
      </Card>
      <Card title="Latest signal">
        {data && data.top_signals.length > 0 ? (
          <ol class="signals">
            {data.top_signals.map((row) => (
              <li key={row.ticker}>
                <strong>{row.ticker}</strong> <span class="muted">{formatMetric("score", row.score)}</span>
              </li>
            ))}
          </ol>
        ) : (
          data && <Empty what="signal" command="qe-predict" />
        )}
        {data?.active_model && (
          <p class="muted">
            model {data.active_model.version_id} ({data.active_model.model_kind}/{data.active_model.feature_mode})
          </p>
        )}
      </Card>
      <Card title="Autopilot">
        {data?.last_promotion ? (
          <p>
            {data.last_promotion.promoted ? "promoted " : "kept: "}
            {data.last_promotion.candidate_id ?? "—"}{" "}
            <span class="muted">{formatTime(data.last_promotion.decided_at)}</span>
            <br />
            <a href={href("autopilot")}>decisions →</a>
          </p>
        ) : (
          data && <Empty what="autopilot decision" command="qe-autopilot" />
        )}
        {data && <p class="muted">{data.running_jobs} job(s) running · {data.cached_tickers} tickers cached</p>}
      </Card>
      <Card title="Latest backtest" wide>
        {latest ? (
          <div>
            <p>
              <a href={href("backtest", latest.run_id)}>{latest.run_id}</a> · {latest.model_kind}/
              {latest.feature_mode} {latest.portfolio_rule} · Sharpe {formatMetric("sharpe", latest.metrics.sharpe)} ·
              annual {formatPercent(latest.metrics.annual_return)} · max drawdown{" "}
              {formatPercent(latest.metrics.max_drawdown)}
            </p>
            {curve && (
              <Chart
                title="Equity (start = 1)"
                data={curve}
                series={EQUITY_SERIES}
                logScale={spansMoreThan(curve[1] ?? [])}
                testId="equity-chart"
              />
            )}
          </div>
        ) : (
          data && <Empty what="backtest" command="qe-backtest" />
        )}
      </Card>
    </div>
  );
}
