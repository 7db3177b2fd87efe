// Backtest: equity against the benchmark and before costs (log scale option), drawdown,
// gross vs net with what costs took, the benchmark comparison, yearly returns and IC by year.
import { useState } from "preact/hooks";
import { apiGet } from "../api/client";
import type { BacktestDetail } from "../api/types.generated";
import { Chart, type SeriesSpec } from "../components/Chart";
import { Card, Empty, ErrorLine } from "../components/States";
import { formatCount, formatMetric, formatPercent } from "../format";
import { useLoad } from "../hooks";
import { alignCurves, type Curve, spansMoreThan, yearlyFigures } from "../shape";

async function loadDetail(runId: string | null, signal: AbortSignal): Promise<BacktestDetail | null> {
  if (runId) return apiGet("/api/backtests/{run_id}", { path: { run_id: runId }, query: {} }, signal);
  const list = await apiGet("/api/backtests", { path: {}, query: { limit: 1 } }, signal);
  const first = list[0];
  return first ? apiGet("/api/backtests/{run_id}", { path: { run_id: first.run_id }, query: {} }, signal) : null;
}

function equityCurves(detail: BacktestDetail): { curves: Curve[]; series: SeriesSpec[] } {
  const points = detail.equity_curve;
  const curves: Curve[] = [{ label: "strategy (net)", points: points.map((p) => ({ date: p.date, value: p.equity })) }];
  const series: SeriesSpec[] = [{ label: "strategy (net)", colour: "#2f7ed8" }];
  if (points.some((p) => p.gross_equity !== null)) {
    curves.push({
      label: "before costs",
      points: points.flatMap((p) => (p.gross_equity === null ? [] : [{ date: p.date, value: p.gross_equity }])),
    });
    series.push({ label: "before costs", colour: "#9bbbe8" });
  }
  if (points.some((p) => p.benchmark !== null)) {
    const name = detail.benchmark?.name ?? "benchmark";
    curves.push({
      label: name,
      points: points.flatMap((p) => (p.benchmark === null ? [] : [{ date: p.date, value: p.benchmark }])),
    });
    series.push({ label: `benchmark (${name})`, colour: "#e4572e" });
  }
  return { curves, series };
}

/** One backtest (the latest when no run id is given). */
export function BacktestPage(props: { runId: string | null }) {
  const [log, setLog] = useState<boolean | null>(null);
  const loaded = useLoad((s) => loadDetail(props.runId, s), [props.runId]);
  if (loaded.error) return <ErrorLine error={loaded.error} />;
  if (loaded.loading && !loaded.data) return <p class="muted">loading…</p>;
  const detail = loaded.data;
  if (!detail) return <Empty what="backtest" command="qe-backtest" />;
  const { summary, equity_curve: curve, gross_and_net: both, benchmark } = detail;
  const { curves, series } = equityCurves(detail);
  const equity = alignCurves(curves);
  const drawdown = alignCurves([{ label: "drawdown", points: curve.map((p) => ({ date: p.date, value: -p.drawdown })) }]);
  const logScale = log ?? equity.slice(1).some((s) => spansMoreThan(s));
  const m = summary.metrics;
  const years = yearlyFigures(curve);
  const ic = Object.entries(detail.ic_by_year).sort(([a], [b]) => a.localeCompare(b));
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
          <dt>Sharpe (net)</dt>
          <dd>{formatMetric("sharpe", m.sharpe)}</dd>
          <dt>annual return (net)</dt>
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
        </dl>
      </Card>
      <Card title="Equity" wide>
        <label class="inline">
          <input type="checkbox" checked={logScale} onChange={() => setLog(!logScale)} /> log scale
        </label>
        <Chart title="Equity (start = 1)" data={equity} series={series} logScale={logScale} testId="equity-chart" />
        <Chart
          title="Drawdown"
          data={drawdown}
          series={[{ label: "drawdown", colour: "#e4572e", percent: true, fill: true }]}
          height={160}
          testId="drawdown-chart"
        />
      </Card>
      <Card title="Gross vs net">
        {both ? (
          <table class="compare" aria-label="gross and net">
            <thead>
              <tr>
                <th scope="col" />
                <th scope="col" class="num">gross</th>
                <th scope="col" class="num">net</th>
              </tr>
            </thead>
            <tbody>
              {(["sharpe", "annual_return", "volatility", "max_drawdown"] as const).map((k) => (
                <tr key={k}>
                  <th scope="row">{k.replace("_", " ")}</th>
                  <td class="num">{formatMetric(k, both.gross[k])}</td>
                  <td class="num">{formatMetric(k, both.net[k])}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">costs / year</th>
                <td class="num" colSpan={2}>
                  {formatPercent(both.costs_per_year)}
                </td>
              </tr>
              <tr>
                <th scope="row">turnover / year</th>
                <td class="num" colSpan={2}>
                  {formatPercent(both.turnover_per_year, 0)}
                </td>
              </tr>
            </tbody>
          </table>
        ) : (
          <p class="muted">not recorded by this run (run qe-backtest again)</p>
        )}
      </Card>
      <Card title="Against the benchmark">
        {benchmark ? (
          <dl class="figures" data-testid="benchmark">
            <dt>benchmark</dt>
            <dd>{benchmark.name}</dd>
            <dt>its annual return</dt>
            <dd>{formatPercent(benchmark.annual_return)}</dd>
            <dt>excess return / year</dt>
            <dd>{formatPercent(benchmark.excess_return)}</dd>
            <dt>tracking error</dt>
            <dd>{formatPercent(benchmark.tracking_error)}</dd>
            <dt>information ratio</dt>
            <dd>{formatMetric("information_ratio", benchmark.information_ratio)}</dd>
            <dt>beta</dt>
            <dd>{formatMetric("beta", benchmark.beta)}</dd>
          </dl>
        ) : (
          <p class="muted">no benchmark recorded</p>
        )}
      </Card>
      <Card title="IC by year">
        {ic.length ? (
          <table class="compare" aria-label="IC by year">
            <thead>
              <tr>
                <th scope="col">year</th>
                <th scope="col" class="num">IC</th>
                <th scope="col" class="num">rank IC</th>
                <th scope="col" class="num">days</th>
              </tr>
            </thead>
            <tbody>
              {ic.map(([year, row]) => (
                <tr key={year}>
                  <th scope="row">{year}</th>
                  <td class="num">{formatMetric("ic", row.ic)}</td>
                  <td class="num">{formatMetric("rank_ic", row.rank_ic)}</td>
                  <td class="num">{formatCount(row.days)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">no model scores in this run</p>
        )}
      </Card>
      <Card title="By year" wide>
        <table class="compare" aria-label="yearly returns">
          <thead>
            <tr>
              <th scope="col">year</th>
              <th scope="col" class="num">return</th>
              <th scope="col" class="num">volatility</th>
              <th scope="col" class="num">Sharpe</th>
              <th scope="col" class="num">max drawdown</th>
            </tr>
          </thead>
          <tbody>
            {years.map((y) => (
              <tr key={y.year}>
                <th scope="row">{y.year}</th>
                <td class="num">{formatPercent(y.total_return)}</td>
                <td class="num">{formatPercent(y.volatility)}</td>
                <td class="num">{formatMetric("sharpe", y.sharpe)}</td>
                <td class="num">{formatPercent(-y.max_drawdown)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
