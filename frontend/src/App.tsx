// The shell: navigation on the left, the routed page on the right.
import { AutopilotPage } from "./pages/Autopilot";
import { BacktestPage } from "./pages/Backtest";
import { CodeHealthPage } from "./pages/CodeHealth";
import { ComparePage } from "./pages/Compare";
import { DataPage } from "./pages/Data";
import { JobsPage } from "./pages/Jobs";
import { ModelsPage } from "./pages/Models";
import { OverviewPage } from "./pages/Overview";
import { RunsPage } from "./pages/Runs";
import { SignalsPage } from "./pages/Signals";
import { href, type Route, useRoute } from "./router";

const PAGES: { page: string; label: string }[] = [
  { page: "overview", label: "Overview" },
  { page: "runs", label: "Runs" },
  { page: "backtest", label: "Backtest" },
  { page: "models", label: "Models" },
  { page: "signals", label: "Signals" },
  { page: "autopilot", label: "Autopilot" },
  { page: "data", label: "Data" },
  { page: "code-health", label: "Code health" },
  { page: "jobs", label: "Jobs" },
];

function Page(props: { route: Route }) {
  const { page, args, query } = props.route;
  switch (page) {
    case "runs":
      return <RunsPage />;
    case "compare":
      return <ComparePage ids={(query.get("ids") ?? "").split(",").filter(Boolean)} />;
    case "backtest":
      return <BacktestPage runId={args[0] ?? null} />;
    case "models":
      return <ModelsPage />;
    case "signals":
      return <SignalsPage runId={args[0] ?? null} />;
    case "autopilot":
      return <AutopilotPage />;
    case "data":
      return <DataPage source={args[0] ?? null} ticker={args[1] ?? null} />;
    case "code-health":
      return <CodeHealthPage />;
    case "jobs":
      return <JobsPage />;
    default:
      return <OverviewPage />;
  }
}

/** The dashboard. */
export function App() {
  const route = useRoute();
  const current = route.page === "compare" ? "runs" : route.page;
  return (
    <div class="shell">
      <nav aria-label="pages">
        <a class="brand" href={href("overview")}>
          quant_engine
        </a>
        {PAGES.map((p) => (
          <a
            key={p.page}
            href={href(p.page)}
            aria-current={current === p.page ? "page" : undefined}
          >
            {p.label}
          </a>
        ))}
      </nav>
      <main>
        <Page route={route} />
      </main>
    </div>
  );
}
