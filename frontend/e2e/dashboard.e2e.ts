// The dashboard in headless Chromium against a real qe-server: every page renders without a
// console error, the equity chart draws, two runs compare with deltas, a job submitted with the
// key completes and appears in the runs list, a wrong key shows the server's message, the
// autopilot page shows the leaderboard with each guard's verdict.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { API_KEY, AUTOPILOT_CANDIDATES } from "./server";

const SHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
const PAGES = ["overview", "runs", "backtest", "models", "signals", "autopilot", "data", "code-health", "jobs"];

let browser: Browser;
const baseUrl = inject("baseUrl");

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** A fresh page at 1280×800 that records console errors and uncaught exceptions. */
async function open(hash: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  await page.goto(`${baseUrl}/#/${hash}`);
  await page.waitForSelector("main h1");
  return { page, errors };
}

/** Whether the canvas inside `selector` has drawn pixels. */
async function drawn(page: Page, selector: string): Promise<boolean> {
  await page.waitForSelector(`${selector} canvas`);
  return page.$eval(`${selector} canvas`, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? [];
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) return true;
    return false;
  });
}

describe("every page", () => {
  for (const name of PAGES) {
    it(`${name} renders with no console error`, async () => {
      const { page, errors } = await open(name);
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: `${SHOTS}${name}.png` });
      expect(errors).toEqual([]);
      expect(await page.textContent("main h1")).not.toBe("");
      await page.close();
    });
  }
});

describe("charts and comparisons", () => {
  it("draws the equity curve of the latest backtest", async () => {
    const { page, errors } = await open("backtest");
    expect(await drawn(page, "[data-testid=equity-chart]")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("compares two runs with their deltas", async () => {
    const { page, errors } = await open("runs");
    await page.selectOption("select >> nth=0", "run_backtest");
    // the filtered list replaces the full one (newest first, an autopilot run on top)
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll(".table-body [role=row]")];
      return rows.length >= 2 && rows.every((r) => r.textContent?.includes("backtest"));
    });
    const boxes = page.locator("[role=row] input[type=checkbox]");
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.click("text=Compare 2");
    await page.waitForSelector("table[aria-label=metric]");
    const deltas = await page.locator("table[aria-label=metric] tr.differs td.delta").allTextContents();
    expect(deltas.some((d) => /^[+−]/.test(d))).toBe(true);
    expect(await page.textContent("[data-testid=reproducibility]")).toContain("data:");
    expect(await drawn(page, "[data-testid=compare-chart]")).toBe(true);
    await page.screenshot({ path: `${SHOTS}compare.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("compute jobs", () => {
  it("shows the server's message for a wrong key", async () => {
    const { page } = await open("jobs");
    await page.fill("input[type=password]", "not-the-key");
    await page.click("button[type=submit]");
    await page.waitForSelector("[role=alert]");
    expect(await page.textContent("[role=alert]")).toContain("does not hold a valid key");
    await page.close();
  });

  it("runs a submitted backtest and lists its run", async () => {
    const { page, errors } = await open("jobs");
    await page.fill("input[type=password]", API_KEY);
    await page.click("button[type=submit]");
    const link = page.locator("[data-testid=job] a");
    await link.first().waitFor({ timeout: 150_000 });
    await page.waitForSelector("[data-testid=job] .status.succeeded", { timeout: 150_000 });
    const runId = (await link.first().textContent()) ?? "";
    expect(runId).not.toBe("");
    await page.goto(`${baseUrl}/#/runs`);
    await page.fill("input[type=search]", runId);
    await page.waitForSelector(`[role=row] [title="${runId}"]`);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("autopilot", () => {
  it("shows the leaderboard: a row per candidate and a verdict per guard", async () => {
    const { page, errors } = await open("autopilot");
    const table = "table[aria-label=leaderboard]";
    await page.waitForSelector(table);
    const ids = await page.locator(`${table} tbody th[scope=row]`).allTextContents();
    expect([...ids].sort()).toEqual([...AUTOPILOT_CANDIDATES].sort());
    const headers = await page.locator(`${table} thead th[data-guard]`).allTextContents();
    expect(headers).toEqual([
      expect.stringMatching(/^entries\+exits ≥ \d/),
      expect.stringMatching(/^drawdown ≤ \d+%$/),
      expect.stringMatching(/^DSR ≥ 0\.\d+$/),
    ]);
    for (const id of AUTOPILOT_CANDIDATES) {
      const cells = await page.locator(`${table} tr:has(th:text-is("${id}")) td[data-guard]`).allTextContents();
      expect(cells).toHaveLength(3);
      for (const cell of cells) expect(cell).toMatch(/^\S+ (pass|FAIL)$/);
    }
    const verdict = page.locator(`${table} td[data-guard] .verdict`).first();
    expect(await verdict.getAttribute("title")).toMatch(/ vs /);
    await verdict.focus();
    expect(await page.evaluate(() => document.activeElement?.classList.contains("verdict"))).toBe(true);
    const caption = await page.textContent("section[aria-label=Leaderboard] .caption");
    expect(caption).toMatch(/trials 3 \(0 from earlier runs, effective [\d.]+\)/);
    await page.screenshot({ path: `${SHOTS}autopilot-leaderboard.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
