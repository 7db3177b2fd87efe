// Backtest: equity (log scale option), drawdown, yearly returns, turnover and costs.
import { useState } from "preact/hooks";
import { apiGet } from "../api/client";
import type { BacktestDetail } from "../api/types.generated";
import { Chart } from "../components/Chart";
import { Card, Empty, ErrorLine } from "../components/States";
import { formatCount, formatMetric, formatPercent } from "../format";
import { useLoad } from "../hooks";
import { alignCurves, rebased, spansMoreThan } from "../shape";

async function loadDetail(runId: string | null, signal: AbortSignal): Promise<BacktestDetail | null> {
  if (runId) return apiGet("/api/backtests/{run_id}", { path: { run_id: runId }, query: {} }, signal);
  const list = await apiGet("/api/backtests", { path: {}, query: { limit: 1 } }, signal);
  const first = list[0];
  return first ? apiGet("/api/backtests/{run_id}", { path: { run_id: first.run_id }, query: {} }, signal) : null;
}

/** One backtest (the latest when no run id is given). */
export function BacktestPage(props: { runId: string | null }) {
  const [log, setLog] = useState<boolean | null>(null);
  const loaded = useLoad((s) => loadDetail(props.runId, s), [props.runId]);
  if (loaded.error) return <ErrorLine error={loaded.error} />;
  if (loaded.loading && !loaded.data) return <p class="muted">loading…</p>;
  const detail = loaded.data;
  if (!detail) return <Empty what="backtest" command="qe-backtest" />;
  const { summary, equity_curve: curve } = detail;
  const equity = alignCurves([{ label: "strategy", points: rebased(curve) }]);
  const drawdown = alignCurves([{ label: "drawdown", points: curve.map((p) => ({ date: p.date, value: -p.drawdown })) }]);
  const logScale = log ?? spansMoreThan(equity[1] ?? []);
  const m = summary.metrics;
  const years = Object.entries(detail.yearly).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div class="grid">
      <h1>
        Backtest {summary.model_kind}/{summary.feature_mode} {summary.portfolio_rule}
        {summary.top_k ? ` (top ${summary.top_k})` : ""}
      </h1>
      <p class="muted">
        {summary.run_id} · {summary.tickers.length} tickers · {summary.window[0]}..{summary.window[1]} · costs{" "}
        {summary.cost_bps}+{summary.slippage_bps} bps
      </p>
      <Card title="Headline" wide>
        <dl class="figures">
          <dt>Sharpe</dt>
          <dd>{formatMetric("sharpe", m.sharpe)}</dd>
          <dt>annual return</dt>
          <dd>{formatPercent(m.annual_return)}</dd>
          <dt>volatility</dt>
          <dd>{formatPercent(m.volatility)}</dd>
          <dt>max drawdown</dt>
          <dd>{formatPercent(-m.max_drawdown)}</dd>
          <dt>turnover / day</dt>
          <dd>{formatPercent(m.turnover)}</dd>
          <dt>trades</dt>
          <dd>{formatCount(m.n_trades)}</dd>
          <dt>hit rate</dt>
          <dd>{formatPercent(m.hit_rate)}</dd>
          <dt>exposure</dt>
          <dd>{formatPercent(m.exposure)}</dd>
          <dt>costs / year (approx.)</dt>
          <dd>{formatPercent(m.turnover * 252 * ((summary.cost_bps + summary.slippage_bps) / 10000))}</dd>
        </dl>
      </Card>
      <Card title="Equity" wide>
        <label class="inline">
          <input type="checkbox" checked={logScale} onChange={() => setLog(!logScale)} /> log scale
        </label>
        <Chart
          title="Equity, net of costs (start = 1)"
          data={equity}
          series={[{ label: "strategy", colour: "#2f7ed8" }]}
          logScale={logScale}
          testId="equity-chart"
        />
        <Chart
          title="Drawdown"
          data={drawdown}
          series={[{ label: "drawdown", colour: "#e4572e", percent: true, fill: true }]}
          height={160}
          testId="drawdown-chart"
        />
      </Card>
      <Card title="By year" wide>
        <table class="compare" aria-label="yearly returns">
          <thead>
            <tr>
              <th scope="col">year</th>
              <th scope="col" class="num">return</th>
              <th scope="col" class="num">Sharpe</th>
              <th scope="col" class="num">max drawdown</th>
              <th scope="col" class="num">turnover / day</th>
            </tr>
          </thead>
          <tbody>
            {years.map(([year, y]) => (
              <tr key={year}>
                <th scope="row">{year}</th>
                <td class="num">{formatPercent(y.total_return)}</td>
                <td class="num">{formatMetric("sharpe", y.sharpe)}</td>
                <td class="num">{formatPercent(-y.max_drawdown)}</td>
                <td class="num">{formatPercent(y.turnover)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
