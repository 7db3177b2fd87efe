// The dashboard's build: frontend/ → quant_engine/dashboard/ (served by qe-server at `/`).
// Deterministic output (hashed names, no timestamps) so CI can rebuild and compare.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "/",
  build: {
    outDir: fileURLToPath(new URL("../quant_engine/dashboard", import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 250,
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
