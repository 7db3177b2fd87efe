// Debian's Chromium (never a downloaded browser build) with the flags every browser run uses.
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = process.env.QE_CHROMIUM ?? "/usr/bin/chromium";
export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** Start headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}
