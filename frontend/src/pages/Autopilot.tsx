// Autopilot: the incumbent, the newest decision's leaderboard with each guard's verdict, and
// each decision with its reasons.
import { apiGet } from "../api/client";
import type { AutopilotCycle } from "../api/types.generated";
import { Card, Empty, ErrorLine } from "../components/States";
import { formatMetric, formatNumber, formatTime } from "../format";
import { useLoad } from "../hooks";
import { cycleCaption, decisionOutcome, guardCell, guardColumns, marginCell } from "../leaderboard";

/** A verdict that shows its words on hover and, focused from the keyboard, below itself. */
function Verdict(props: { text: string; detail: string; passed: boolean | null }) {
  const tone = props.passed === null ? "verdict" : props.passed ? "verdict pass" : "verdict fail";
  return (
    <span class={tone} tabIndex={0} title={props.detail} data-detail={props.detail} aria-label={`${props.text}: ${props.detail}`}>
      {props.text}
    </span>
  );
}

/** Every candidate of the newest decision, by Sharpe, with each guard's figure and verdict. */
function Leaderboard(props: { cycle: AutopilotCycle }) {
  const { cycle } = props;
  const columns = guardColumns(cycle);
  const holdout = cycle.holdout_days > 0;
  const incumbentId = cycle.decision.incumbent_id;
  const parts = cycleCaption(cycle);
  return (
    <>
      <p class="muted caption">
        {parts.map((part, i) => (
          <span key={part}>
            {part}
            {i < parts.length - 1 && " · "}
          </span>
        ))}
      </p>
      <div class="scroll">
        <table class="compare leaderboard" aria-label="leaderboard">
          <thead>
            <tr>
              <th scope="col" class="num">rank</th>
              <th scope="col">candidate</th>
              <th scope="col" class="num">Sharpe</th>
              {holdout && (
                <th scope="col" class="num">
                  holdout Sharpe
                </th>
              )}
              {columns.map((c) => (
                <th scope="col" class="num" key={c.name} data-guard={c.name} title={c.title}>
                  {c.label}
                </th>
              ))}
              <th scope="col" title="beats the incumbent's Sharpe plus the margin">
                margin
              </th>
              <th scope="col" title="passes every guard">overall</th>
            </tr>
          </thead>
          <tbody>
            {cycle.results.map((row) => {
              const id = row.candidate.candidate_id;
              const margin = marginCell(row, incumbentId);
              return (
                <tr key={id} class={id === cycle.decision.candidate_id ? "chosen" : ""}>
                  <td class="num">{row.rank}</td>
                  <th scope="row">{id}</th>
                  <td class="num">{formatNumber(row.sharpe, 3)}</td>
                  {holdout && <td class="num">{formatNumber(row.holdout_sharpe, 3)}</td>}
                  {columns.map((c) => {
                    const cell = guardCell(c.name, row);
                    return (
                      <td class="num" key={c.name} data-guard={c.name}>
                        {cell.figure} <Verdict text={cell.verdict} detail={cell.detail} passed={cell.passed} />
                      </td>
                    );
                  })}
                  <td>
                    <Verdict
                      text={margin.text}
                      detail={margin.detail}
                      passed={margin.text === "pass" ? true : margin.text === "FAIL" ? false : null}
                    />
                  </td>
                  <td>
                    <Verdict
                      text={row.passed_guards ? "pass" : "FAIL"}
                      detail={row.passed_guards ? "passes every guard" : "fails at least one guard"}
                      passed={row.passed_guards}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The autopilot page. */
export function AutopilotPage() {
  const loaded = useLoad((s) => apiGet("/api/autopilot", { path: {}, query: { limit: 50 } }, s), []);
  if (loaded.error) return <ErrorLine error={loaded.error} />;
  if (!loaded.data) return <p class="muted">loading…</p>;
  const { incumbent, decisions, latest_cycle } = loaded.data;
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
      <Card title="Leaderboard" wide>
        {latest_cycle ? (
          <Leaderboard cycle={latest_cycle} />
        ) : (
          <Empty what="autopilot leaderboard" command="qe-autopilot" />
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
                  <td>{decisionOutcome(d)}</td>
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
