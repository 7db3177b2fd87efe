// End-to-end tests: a real qe-server over a data home filled by real runs, driven in Debian's
// Chromium by playwright-core (no browser download). `nox -s dashboard` runs them.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    include: ["*.e2e.ts"],
    globalSetup: ["./server.ts"],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
