// Measures, in Chromium at 1280×800 against QE_BENCH_URL: the overview's time to interactive,
// the runs table's load, sort and scroll. Writes the figures to QE_BENCH_OUT as JSON.
import { writeFileSync } from "node:fs";
import { launchChromium } from "./chromium";
import { expect, it } from "vitest";

it("measures the dashboard", async () => {
  const url = process.env.QE_BENCH_URL ?? "";
  const out = process.env.QE_BENCH_OUT ?? "";
  expect(url).not.toBe("");
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const figures: Record<string, number> = {};

  await page.goto(`${url}/#/overview`);
  await page.waitForFunction(() => {
    const health = document.querySelector("[data-testid=health]")?.textContent ?? "…";
    const backtest = document.querySelector("section[aria-label='Latest backtest']")?.textContent ?? "";
    return health !== "…" && backtest.length > "Latest backtest".length;
  });
  figures.overview_interactive_ms = await page.evaluate(() => performance.now());

  const start = Date.now();
  await page.goto(`${url}/#/runs`);
  await page.waitForFunction(() => /^(\d+) of \1 runs$/.test(document.querySelector("[data-testid=run-count]")?.textContent ?? ""));
  figures.runs_loaded_ms = Date.now() - start;
  figures.runs_rows = Number((await page.textContent("[data-testid=run-count]"))?.split(" ")[0]);

  figures.runs_sort_ms = await page.evaluate(async () => {
    const header = [...document.querySelectorAll("[role=columnheader]")].find((h) => h.textContent?.startsWith("IC"));
    const t0 = performance.now();
    (header as HTMLElement).click();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  });

  const scroll = await page.evaluate(async () => {
    const body = document.querySelector(".table-body") as HTMLElement;
    const frames: number[] = [];
    let last = performance.now();
    let maxRows = 0;
    for (let i = 0; i < 120; i++) {
      body.scrollTop += 400;
      body.dispatchEvent(new Event("scroll"));
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      frames.push(now - last);
      last = now;
      maxRows = Math.max(maxRows, body.querySelectorAll("[role=row]").length);
    }
    frames.sort((a, b) => a - b);
    return { p95: frames[Math.floor(frames.length * 0.95)] ?? 0, maxRows };
  });
  figures.scroll_frame_p95_ms = scroll.p95;
  figures.scroll_dom_rows = scroll.maxRows;

  await browser.close();
  writeFileSync(out, JSON.stringify(figures, null, 2));
});
