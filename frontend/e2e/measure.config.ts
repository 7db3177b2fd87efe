// The dashboard's performance figures for `make bench` (benchmarks/bench_dashboard.py starts
// the server over 10,000 runs and reads the JSON this writes).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: { include: ["measure.bench-e2e.ts"], testTimeout: 300_000 },
});
