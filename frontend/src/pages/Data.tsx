// Data explorer: sources, a ticker's bars (candles or line, drag to zoom), cache status, gaps.
import { useState } from "preact/hooks";
import { apiGet } from "../api/client";
import { Chart } from "../components/Chart";
import { Card, Empty, ErrorLine } from "../components/States";
import { formatCount, formatNumber } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";
import { findGaps, toSeconds } from "../shape";

/** The data explorer; `source`/`ticker` from the address. */
export function DataPage(props: { source: string | null; ticker: string | null }) {
  const [candles, setCandles] = useState(true);
  const sources = useLoad((s) => apiGet("/api/data/sources", { path: {}, query: {} }, s), []);
  const source = props.source ?? sources.data?.find((s) => s.available)?.name ?? null;
  const tickers = useLoad(
    async (s) => (source ? apiGet("/api/data/{source}/tickers", { path: { source }, query: {} }, s) : []),
    [source],
  );
  const ticker = props.ticker ?? tickers.data?.[0]?.ticker ?? null;
  const bars = useLoad(
    async (s) =>
      source && ticker
        ? apiGet("/api/data/{source}/bars/{ticker}", { path: { source, ticker }, query: { limit: 750 } }, s)
        : null,
    [source, ticker],
  );
  if (sources.error) return <ErrorLine error={sources.error} />;
  const series = bars.data?.bars ?? [];
  const xs = series.map((b) => toSeconds(b.date));
  const data = candles
    ? ([xs, series.map((b) => b.open), series.map((b) => b.high), series.map((b) => b.low), series.map((b) => b.close)] as [
        number[],
        ...number[][],
      ])
    : ([xs, series.map((b) => b.close)] as [number[], number[]]);
  const info = tickers.data?.find((t) => t.ticker === ticker);
  const gaps = findGaps(series);
  return (
    <div class="grid">
      <h1>Data</h1>
      <Card title="Sources">
        <ul class="plain">
          {sources.data?.map((s) => (
            <li key={s.name}>
              <a href={href("data", s.name)} aria-current={s.name === source ? "true" : undefined}>
                {s.name}
              </a>{" "}
              <span class="muted">
                {s.available
                  ? s.description
                  : s.missing_env.length
                    ? `unavailable: set ${s.missing_env.join(", ")}`
                    : "unavailable here"}
              </span>
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Cached tickers">
        {tickers.data && tickers.data.length === 0 ? (
          <Empty what="cached tickers" command="make demo" />
        ) : (
          <div class="chips">
            {tickers.data?.map((t) => (
              <a key={t.ticker} href={href("data", source ?? "", t.ticker)} class={t.ticker === ticker ? "chip on" : "chip"}>
                {t.ticker}
              </a>
            ))}
          </div>
        )}
      </Card>
      {info && (
        <Card title={`${info.ticker} (${info.source})`} wide>
          <p class="muted" data-testid="cache-status">
            {formatCount(info.n_bars)} bars · {info.first_date}..{info.last_date} · last close{" "}
            {formatNumber(info.last_close, 4)}
            {info.synthetic ? " · synthetic" : ""} · {gaps.length === 0 ? "no gaps" : `${gaps.length} gap(s)`} in the last{" "}
            {series.length} bars
          </p>
          <label class="inline">
            <input type="checkbox" checked={candles} onChange={() => setCandles(!candles)} /> candles
          </label>
          {bars.error ? (
            <ErrorLine error={bars.error} />
          ) : (
            <Chart
              title={`${info.ticker} daily bars (drag to zoom, double-click to reset)`}
              data={data}
              series={
                candles
                  ? ["open", "high", "low", "close"].map((label) => ({ label, colour: "#2f7ed8" }))
                  : [{ label: "close", colour: "#2f7ed8" }]
              }
              candles={candles}
              height={320}
              testId="bars-chart"
            />
          )}
          {gaps.length > 0 && (
            <ul class="plain">
              {gaps.map((g) => (
                <li key={g.after}>
                  gap of {g.days} days: {g.after} → {g.before}
                </li>
              ))}
            </ul>
          )}
        </Card>
      )}
    </div>
  );
}
