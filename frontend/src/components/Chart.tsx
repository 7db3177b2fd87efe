// A uPlot time-series chart: one x axis of dates, one or more series; resizes with its box.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface SeriesSpec {
  label: string;
  colour: string;
  percent?: boolean;
  /** Filled area (drawdowns), else a line. */
  fill?: boolean;
}

interface ChartProps {
  title: string;
  data: uPlot.AlignedData;
  series: SeriesSpec[];
  height?: number;
  logScale?: boolean;
  /** Draw candles from [open, high, low, close] series (the first four) instead of lines. */
  candles?: boolean;
  testId?: string;
}

const PALETTE_VAR = (name: string): string =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";

function candlePlugin(): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const [xs, open, high, low, close] = u.data as unknown as number[][];
        if (!xs || !open || !high || !low || !close) return;
        const ctx = u.ctx;
        const width = Math.max(1, (u.bbox.width / Math.max(1, xs.length)) * 0.6);
        ctx.save();
        for (let i = 0; i < xs.length; i++) {
          const x = u.valToPos(xs[i] as number, "x", true);
          const up = (close[i] as number) >= (open[i] as number);
          ctx.strokeStyle = ctx.fillStyle = up ? PALETTE_VAR("--up") : PALETTE_VAR("--down");
          ctx.beginPath();
          ctx.moveTo(x, u.valToPos(high[i] as number, "y", true));
          ctx.lineTo(x, u.valToPos(low[i] as number, "y", true));
          ctx.stroke();
          const top = u.valToPos(Math.max(open[i] as number, close[i] as number), "y", true);
          const bottom = u.valToPos(Math.min(open[i] as number, close[i] as number), "y", true);
          ctx.fillRect(x - width / 2, top, width, Math.max(1, bottom - top));
        }
        ctx.restore();
      },
    },
  };
}

/** A chart over `data` (x in seconds); drag to zoom, double-click to reset. */
export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const axisColour = PALETTE_VAR("--muted");
    const percent = props.series.some((s) => s.percent);
    const options: uPlot.Options = {
      title: props.title,
      width: Math.max(300, element.clientWidth),
      height: props.height ?? 280,
      scales: { x: { time: true }, y: props.logScale ? { distr: 3 } : {} },
      axes: [
        { stroke: axisColour, grid: { stroke: "rgba(128,128,128,0.15)" } },
        {
          stroke: axisColour,
          grid: { stroke: "rgba(128,128,128,0.15)" },
          size: 64,
          values: (_u, ticks) =>
            // a log scale leaves some ticks unlabelled (null)
            (ticks as (number | null)[]).map((t) =>
              t === null ? "" : percent ? `${(t * 100).toFixed(0)}%` : String(Number(t.toPrecision(3))),
            ),
        },
      ],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: props.candles ? "transparent" : s.colour,
          width: 1.5,
          ...(s.fill ? { fill: `${s.colour}33` } : {}),
          value: (_u: uPlot, v: number | null) =>
            v === null ? "—" : s.percent ? `${(v * 100).toFixed(2)}%` : v.toPrecision(4),
        })),
      ],
      plugins: props.candles ? [candlePlugin()] : [],
    };
    const plot = new uPlot(options, props.data, element);
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(300, element.clientWidth), height: props.height ?? 280 });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [props.data, props.series, props.logScale, props.candles, props.title, props.height]);
  return <div class="chart" ref={box} data-testid={props.testId ?? "chart"} />;
}
