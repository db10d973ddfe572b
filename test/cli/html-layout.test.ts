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
import { escapeHtml, renderCheckHtml, renderTriageHtml } from "../../src/cli/render/html-report.js";
import type { TriageRecord } from "../../src/triage/index.js";
import { dumpDom, findChromium, screenshot } from "../helpers/chromium.js";
import { EXAMPLES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const CHROMIUM = findChromium();
const SKIP = CHROMIUM === undefined ? "chromium not installed (apt-get install chromium)" : false;
const WIDTHS = [1280, 390] as const;
const AT = "2026-01-01T00:00:00Z";
const SCREENSHOTS = path.join(tmpdir(), "koff-doctor-screenshots");

/** What the probe reports for one page. */
interface PageLayout {
  name: string;
  width: number;
  elements: number;
  problems: Array<{ kind: string; what: string; detail: string }>;
}

/**
 * The probe, run in the parent page after every frame loaded. For each frame: opens every
 * <details> (the folded JSON is measured too), then checks every laid-out element against the
 * viewport and against its card, every element whose content is wider than its box and that does
 * not scroll, and every word of badges and headings (outside <code>) for
 * being split over two lines (a Range over the word with rectangles on more than one line).
 */
const PROBE = String.raw`
function describe(el) {
  const cls = el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "";
  return el.tagName.toLowerCase() + cls + " " + JSON.stringify((el.textContent || "").trim().slice(0, 60));
}
function lines(rects) {
  const tops = new Set();
  for (const r of rects) if (r.width > 0) tops.add(Math.round(r.top));
  return tops.size;
}
function probe(frame) {
  const doc = frame.contentDocument;
  for (const d of doc.querySelectorAll("details")) d.open = true;
  const vw = doc.documentElement.clientWidth;
  const problems = [];
  const root = doc.documentElement;
  if (root.scrollWidth > vw + 1) problems.push({ kind: "page-scrolls-sideways", what: "html", detail: root.scrollWidth + " > " + vw });
  const all = doc.body.querySelectorAll("*");
  for (const el of all) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > vw + 1 || r.left < -1) problems.push({ kind: "outside-viewport", what: describe(el), detail: r.left + ".." + r.right + " of " + vw });
    const style = frame.contentWindow.getComputedStyle(el);
    if (style.overflowX === "visible" && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
      problems.push({ kind: "content-overflows", what: describe(el), detail: el.scrollWidth + " > " + el.clientWidth });
    const card = el.parentElement && el.parentElement.closest(".card, .status");
    if (card) {
      const c = card.getBoundingClientRect();
      if (r.right > c.right + 1 || r.left < c.left - 1) problems.push({ kind: "outside-card", what: describe(el), detail: r.left + ".." + r.right + " of card " + c.left + ".." + c.right });
    }
  }
  for (const el of doc.querySelectorAll("h1, h2, h3, th, dt, strong, .badge")) {
    const walker = doc.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest("code")) continue;
      for (const m of n.data.matchAll(/[^\s\-]+/g)) {
        const range = doc.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        if (lines(range.getClientRects()) > 1) problems.push({ kind: "word-broken", what: describe(el), detail: m[0] });
      }
    }
  }
  return { name: frame.dataset.name, width: vw, elements: all.length, problems };
}
window.addEventListener("load", () => {
  const results = [...document.querySelectorAll("iframe")].map(probe);
  const out = document.createElement("pre");
  out.id = "layout-results";
  out.textContent = encodeURIComponent(JSON.stringify(results));
  document.body.append(out);
});
`;

/** A page with the faults the probe must catch: a mid-word badge, a spilling token, a wide table. */
const CONTROL = `<!doctype html><html><head><style>
body{margin:0;font:14px sans-serif} .card{border:1px solid #000;width:160px;margin:8px}
.badge{display:inline-block;width:40px;overflow-wrap:anywhere}
code{white-space:nowrap}
</style></head><body>
<div class="card"><h3><span class="badge">suspicious</span> machine</h3><code>${"A".repeat(120)}</code></div>
<table style="width:900px"><tr><td>wide</td></tr></table>
</body></html>`;

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

/** The parent page: one srcdoc frame per page and width, and the probe. */
function harness(pages: Map<string, string>): string {
  const frames = [...pages].flatMap(([name, html]) =>
    WIDTHS.map(
      (w) =>
        `<iframe data-name="${escapeHtml(`${name}@${w}`)}" style="display:block;border:0;width:${w}px;height:400px" srcdoc="${escapeHtml(html)}"></iframe>`,
    ),
  );
  return `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">${frames.join("\n")}<script>${PROBE}</script></body></html>`;
}

async function measure(pages: Map<string, string>): Promise<PageLayout[]> {
  const dom = await dumpDom(CHROMIUM!, harness(pages), { width: 1400, height: 900 });
  const m = /<pre id="layout-results">([^<]*)<\/pre>/.exec(dom);
  assert.ok(m, "the probe wrote its results into the page");
  return JSON.parse(decodeURIComponent(m[1]!)) as PageLayout[];
}

describe("HTML reports in headless Chromium", { skip: SKIP }, () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "koff-layout-"));
  let pages: Map<string, string>;
  let layouts: PageLayout[];
  before(async () => {
    pages = await reports(scratch);
    layouts = await measure(new Map([...pages, ["control", CONTROL]]));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("the probe catches a broken badge word, a spilling token and a page that scrolls sideways", () => {
    for (const w of WIDTHS) {
      const control = layouts.find((l) => l.name === `control@${w}`);
      assert.ok(control, `control@${w} measured`);
      const kinds = new Set(control.problems.map((p) => p.kind));
      assert.ok(kinds.has("word-broken"), JSON.stringify(control.problems));
      assert.ok(kinds.has("outside-card"), JSON.stringify(control.problems));
      if (w === 390) assert.ok(kinds.has("page-scrolls-sideways"), JSON.stringify(control.problems));
    }
  });

  it("every report was measured at 1280 and 390 px", () => {
    for (const name of pages.keys())
      for (const w of WIDTHS) {
        const l = layouts.find((x) => x.name === `${name}@${w}`);
        assert.ok(l, `${name}@${w} measured`);
        assert.equal(l.width, w, `${name}: the frame's viewport is ${w} px wide`);
        assert.ok(l.elements >= 8, `${name}@${w}: the report was laid out (${l.elements} elements)`);
      }
  });

  it("nothing overflows its card or the viewport, and no badge or heading word is broken", () => {
    const faults = layouts
      .filter((l) => !l.name.startsWith("control@"))
      .flatMap((l) => l.problems.map((p) => `${l.name}: ${p.kind}: ${p.what} (${p.detail})`));
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
