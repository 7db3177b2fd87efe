// Global set-up of the end-to-end tests: fill a fresh data home with real runs (train,
// predict, two backtests, a three-candidate autopilot), then start qe-server on a free loopback
// port with an API key.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

export const API_KEY = "e2e-key-0123456789";
/** The autopilot grid of the set-up: every feature mode, ridge, top-k (three candidates). */
export const AUTOPILOT_GRID = ["--models", "ridge", "--rules", "top_k"];
export const AUTOPILOT_CANDIDATES = ["minimal-ridge-top_k", "core-ridge-top_k", "full-ridge-top_k"];

/** Where the project's console scripts are (the nox session's bin, else the PATH). */
function command(name: string): string {
  const bin = process.env.QE_E2E_BIN;
  return bin ? join(bin, name) : name;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForHealth(url: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (server.exitCode !== null) throw new Error(`qe-server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${url}/api/system-health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`qe-server did not answer at ${url}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const home = mkdtempSync(join(tmpdir(), "qe-e2e-"));
  const env = { ...process.env, QE_HOME: home, QE_API_API_KEY: API_KEY };
  const run = (name: string, ...args: string[]) =>
    execFileSync(command(name), ["-q", ...args], { env, stdio: ["ignore", "inherit", "inherit"] });
  run("qe-train");
  run("qe-predict");
  run("qe-backtest");
  run("qe-backtest", "--feature-mode", "minimal");
  run("qe-autopilot", ...AUTOPILOT_GRID, "--years", "4", "--workers", "1");
  const port = await freePort();
  const server = spawn(command("qe-server"), ["--port", String(port), "-q"], { env, stdio: "inherit" });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, server);
  project.provide("baseUrl", url);
  return async () => {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
    rmSync(home, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
