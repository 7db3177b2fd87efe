// Jobs: submit a backtest or training run with the API key, watch it, open its run.
import { useEffect, useState } from "preact/hooks";
import { ApiError, apiGet, apiPost } from "../api/client";
import type { Job, JobKind, JobRequest } from "../api/types.generated";
import { Choice } from "../components/Choice";
import { Card, ErrorLine } from "../components/States";
import { formatPercent, formatTime } from "../format";
import { storedApiKey, storeApiKey, useLoad } from "../hooks";
import { href } from "../router";

const JOB_KINDS: readonly JobKind[] = ["backtest", "train"];

const FINISHED = new Set(["succeeded", "failed"]);

function JobLine(props: { job: Job }) {
  const { job } = props;
  return (
    <li data-testid="job">
      <strong>{job.kind}</strong> {job.job_id}: <span class={`status ${job.status}`}>{job.status}</span>{" "}
      <progress max={1} value={job.progress} aria-label={`progress ${job.job_id}`} /> {formatPercent(job.progress, 0)}{" "}
      <span class="muted">{formatTime(job.submitted_at)}</span>
      {job.run_id && (
        <>
          {" "}
          · run{" "}
          <a href={job.kind === "backtest" ? href("backtest", job.run_id) : href("runs")}>{job.run_id}</a>
        </>
      )}
      {job.error && <span class="error"> {job.error}</span>}
    </li>
  );
}

/** The jobs page. */
export function JobsPage() {
  const [key, setKey] = useState(storedApiKey() ?? "");
  const [kind, setKind] = useState<JobKind>("backtest");
  const [tickers, setTickers] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const jobs = useLoad((s) => apiGet("/api/compute/jobs", { path: {}, query: {} }, s), [tick]);
  const active = (jobs.data ?? []).some((j) => !FINISHED.has(j.status));
  useEffect(() => {
    if (!active) return undefined;
    const timer = setTimeout(() => setTick((t) => t + 1), 1000);
    return () => clearTimeout(timer);
  }, [active, tick]);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const request: JobRequest = { kind };
    const names = tickers.split(/[\s,]+/).filter(Boolean);
    if (names.length) request.tickers = names;
    try {
      await apiPost("/api/compute/jobs", { path: {}, query: {} }, request, key);
      storeApiKey(key);
      setTick((t) => t + 1);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) storeApiKey(null);
      setError(e);
    }
  };
  return (
    <div class="grid">
      <h1>Jobs</h1>
      <Card title="Submit" wide>
        <form onSubmit={submit} class="toolbar">
          <Choice label="kind" value={kind} choices={JOB_KINDS} onChange={setKind} />
          <label>
            tickers <input value={tickers} placeholder="default universe" onInput={(e) => setTickers((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            API key{" "}
            <input
              type="password"
              autoComplete="off"
              value={key}
              required
              onInput={(e) => setKey((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit">Submit</button>
        </form>
        <p class="muted">The key is kept for this browser session only (the server's QE_API_KEY).</p>
        {error ? <ErrorLine error={error} /> : null}
      </Card>
      <Card title="Jobs" wide>
        {jobs.error ? <ErrorLine error={jobs.error} /> : null}
        {jobs.data && jobs.data.length === 0 ? <p class="muted">No jobs yet: submit one above.</p> : null}
        <ul class="plain">
          {jobs.data?.map((j) => (
            <JobLine key={j.job_id} job={j} />
          ))}
        </ul>
      </Card>
    </div>
  );
}
