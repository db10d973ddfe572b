/**
 * The HTML reports laid out by a real browser: headless Chromium renders the check and triage
 * report of every sample image at 1280 and 390 CSS pixels wide, and a probe script measures the
 * layout in the page. Nothing may stick out of its card or of the viewport horizontally, the
 * page must not scroll sideways, and no word of a badge or heading may be split across lines.
 * One Chromium run measures every page (each in a `srcdoc` iframe of the width under test); a
 * control page with the faults the probe must catch proves the probe can fail. Screenshots of
 * the impostor image's reports go to os.tmpdir()/koff-doctor-screenshots.
 *
 * Skips with a message when Chromium is not installed (Debian package `chromium`).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { checkMachine } from "../../src/app/check-machine.js";
import { renderCheckHtml, renderTriageHtml } from "../../src/cli/render/html-report.js";
import type { TriageRecord } from "../../src/triage/index.js";
import { findChromium, screenshot } from "../helpers/chromium.js";
import {
  assertControlCaught,
  assertMeasured,
  CONTROL_PAGE,
  layoutFaults,
  measureLayouts,
  WIDTHS,
  type PageLayout,
} from "../helpers/layout-probe.js";
import { EXAMPLES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const CHROMIUM = findChromium();
const SKIP = CHROMIUM === undefined ? "chromium not installed (apt-get install chromium)" : false;
const AT = "2026-01-01T00:00:00Z";
const SCREENSHOTS = path.join(tmpdir(), "koff-doctor-screenshots");

/** Every page under test: name → HTML. */
async function reports(dir: string): Promise<Map<string, string>> {
  const pages = new Map<string, string>();
  const images = readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !["src", "tools"].includes(d.name))
    .map((d) => d.name)
    .sort();
  for (const name of images) {
    const image = path.join(EXAMPLES, name);
    const report = await checkMachine(createImageSnapshot(image), { at: new Date(AT) });
    pages.set(`${name}.check`, renderCheckHtml(report));
    const file = path.join(dir, `${name}.triage.html`);
    await runCli(["triage", "-r", image, "--image", image, "--json", "--at", AT, "--html", file]);
    pages.set(`${name}.triage`, readFileSync(file, "utf8"));
  }
  // The longest tokens a report can meet: a path with no separator and a long signer name.
  const long: TriageRecord = {
    path: `C:\\${"VeryLongFolderNameWithoutAnyBreak".repeat(8)}\\kofmsp.dll`,
    windowsPath: `C:\\${"VeryLongFolderNameWithoutAnyBreak".repeat(8)}\\kofmsp.dll`,
    sha256: "f".repeat(64),
    size: 1,
    verdict: "error",
    error: { code: "not-pe", message: `no MZ header ${"x".repeat(200)}` },
    indicators: [],
  };
  pages.set("long-tokens.triage", renderTriageHtml([long], { at: AT, trust: ["node-bundled-roots"] }));
  return pages;
}

describe("HTML reports in headless Chromium", { skip: SKIP }, () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "koff-layout-"));
  let pages: Map<string, string>;
  let layouts: PageLayout[];
  before(async () => {
    pages = await reports(scratch);
    layouts = await measureLayouts(CHROMIUM!, new Map([...pages, ["control", CONTROL_PAGE]]));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("the probe catches a broken badge word, a spilling token, a page that scrolls sideways, a script and remote resources", () => {
    assertControlCaught(layouts);
  });

  it("every report was measured at 1280 and 390 px", () => {
    assertMeasured(layouts, pages.keys(), 8);
  });

  it("nothing overflows its card or the viewport, and no badge or heading word is broken", () => {
    const faults = layoutFaults(layouts);
    assert.deepEqual(faults, []);
  });

  it("screenshots of the impostor image's reports are kept as test artifacts", async (t) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shots = ["check", "triage"].flatMap((kind) => {
      const html = path.join(scratch, `shot-${kind}.html`);
      writeFileSync(html, pages.get(`impostor-in-roaming.${kind}`)!);
      return WIDTHS.map((w) => ({
        html,
        w,
        png: path.join(SCREENSHOTS, `impostor-in-roaming.${kind}.${w}.png`),
      }));
    });
    await Promise.all(
      shots.map((s) =>
        screenshot(CHROMIUM!, s.html, s.png, { width: s.w, height: s.w === 390 ? 1600 : 1000 }),
      ),
    );
    for (const { png } of shots)
      assert.equal(readFileSync(png).subarray(1, 4).toString("latin1"), "PNG", png);
    t.diagnostic(`screenshots: ${shots.map((s) => s.png).join(", ")}`);
  });
});
