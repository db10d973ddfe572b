/**
 * Headless Chromium for the layout tests: `--dump-dom` of a page (its scripts run first) and
 * `--screenshot` of a file at a given window size. Each run gets its own profile directory, so
 * runs in parallel do not share state. Chromium's command-line switches:
 * https://developer.chrome.com/docs/chromium/headless.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** The Chromium binary (`$CHROMIUM`, else Debian's /usr/bin/chromium), or undefined when absent. */
export function findChromium(): string | undefined {
  for (const candidate of [process.env["CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Guards against a hung browser only; no test asserts a time. */
const HANG_GUARD_MS = 300_000;

function run(chromium: string, args: string[]): Promise<string> {
  const profile = mkdtempSync(path.join(tmpdir(), "koff-chromium-"));
  const all = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--disable-extensions",
    `--user-data-dir=${profile}`,
    ...args,
  ];
  return new Promise<string>((resolve, reject) => {
    execFile(
      chromium,
      all,
      { timeout: HANG_GUARD_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        rmSync(profile, { recursive: true, force: true });
        if (error)
          reject(new Error(`${path.basename(chromium)} ${args.join(" ")}: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** The DOM of `html` after its load event, serialized; the page is loaded from a temporary file. */
export async function dumpDom(
  chromium: string,
  html: string,
  window: { width: number; height: number },
): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "koff-dom-"));
  try {
    const file = path.join(dir, "page.html");
    writeFileSync(file, html);
    return await run(chromium, [
      `--window-size=${window.width},${window.height}`,
      "--virtual-time-budget=5000",
      "--dump-dom",
      `file://${file}`,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes a PNG of the HTML file `file` at `width` × `height` CSS pixels to `out`. */
export async function screenshot(
  chromium: string,
  file: string,
  out: string,
  window: { width: number; height: number },
): Promise<void> {
  await run(chromium, [
    `--window-size=${window.width},${window.height}`,
    `--screenshot=${out}`,
    `file://${file}`,
  ]);
}
