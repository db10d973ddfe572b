/**
 * The layout probe of the HTML report tests: headless Chromium lays out every page under test,
 * each in a `srcdoc` iframe of the width under test, in one run, and a script measures each
 * frame after the load event. Per page it reports layout faults (an element outside the viewport
 * or its card, content wider than its box that does not scroll, a page that scrolls sideways, a
 * badge or heading word split over two lines), whether a script of the page ran (it set
 * `window.__koffExecuted`), and what the page would fetch (elements with `src`/`href`/`srcset`,
 * `<script>`, `<link>`, `<iframe>`, `<object>`, `<embed>`, and `url(`/`@import` in its style
 * sheets). {@link CONTROL_PAGE} holds a fault of each kind, so a test can prove the probe fails.
 *
 * The DOM APIs used: https://developer.mozilla.org/en-US/docs/Web/API/Element/getBoundingClientRect,
 * https://developer.mozilla.org/en-US/docs/Web/API/Range/getClientRects.
 */
import assert from "node:assert/strict";
import { escapeHtml } from "../../src/cli/render/html-report.js";
import { dumpDom } from "./chromium.js";

/** The widths every report is laid out at, in CSS pixels. */
export const WIDTHS = [1280, 390] as const;

/** What the probe reports for one page at one width. */
export interface PageLayout {
  name: string;
  width: number;
  elements: number;
  problems: Array<{ kind: string; what: string; detail: string }>;
  /** True when a script of the page ran (it set `window.__koffExecuted`). */
  executed: boolean;
  /** What the page would load from elsewhere: `<tag> attr=value`, or `css: …`. */
  resources: string[];
}

/**
 * The probe, run in the parent page after every frame loaded. For each frame: opens every
 * <details> (the folded JSON is measured too), then checks every laid-out element against the
 * viewport and against its card, every element whose content is wider than its box and that does
 * not scroll, and every word of badges and headings (outside <code>) for being split over two
 * lines (a Range over the word with rectangles on more than one line).
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
function resources(doc) {
  const out = [];
  for (const el of doc.querySelectorAll("script, link, iframe, object, embed, [src], [href], [srcset], [background], [poster]")) {
    const attrs = ["src", "href", "srcset", "background", "poster", "data"].filter((a) => el.hasAttribute(a));
    out.push("<" + el.tagName.toLowerCase() + "> " + attrs.map((a) => a + "=" + el.getAttribute(a)).join(" "));
  }
  for (const sheet of doc.styleSheets) {
    let text = "";
    try { text = [...sheet.cssRules].map((r) => r.cssText).join("\n"); } catch (e) { text = "unreadable sheet " + sheet.href; }
    for (const m of text.matchAll(/url\([^)]*\)|@import[^;]*|@font-face/g)) out.push("css: " + m[0]);
  }
  for (const el of doc.querySelectorAll("[style]"))
    if (/url\(/.test(el.getAttribute("style"))) out.push("style attribute: " + el.getAttribute("style"));
  return out;
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
  return {
    name: frame.dataset.name,
    width: vw,
    elements: all.length,
    problems,
    executed: frame.contentWindow.__koffExecuted === true,
    resources: resources(doc),
  };
}
window.addEventListener("load", () => {
  const results = [...document.querySelectorAll("iframe")].map(probe);
  const out = document.createElement("pre");
  out.id = "layout-results";
  out.textContent = encodeURIComponent(JSON.stringify(results));
  document.body.append(out);
});
`;

/**
 * A page with every fault the probe must catch: a mid-word badge, a token spilling out of its
 * card, a table wider than the narrow viewport, a script that runs, and resources from elsewhere
 * (an image, a style sheet, a font).
 */
export const CONTROL_PAGE = `<!doctype html><html><head><style>
body{margin:0;font:14px sans-serif} .card{border:1px solid #000;width:160px;margin:8px}
.badge{display:inline-block;width:40px;overflow-wrap:anywhere}
code{white-space:nowrap}
@font-face{font-family:x;src:url(https://fonts.example.invalid/x.woff2)}
</style><link rel="stylesheet" href="https://cdn.example.invalid/x.css"></head><body>
<div class="card"><h3><span class="badge">suspicious</span> machine</h3><code>${"A".repeat(120)}</code></div>
<table style="width:900px"><tr><td>wide</td></tr></table>
<img alt="" width="1" height="1" src="https://img.example.invalid/x.png">
<script>window.__koffExecuted = true</script>
</body></html>`;

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

/** Lays out every page (name → HTML) at every width of {@link WIDTHS} in one Chromium run. */
export async function measureLayouts(chromium: string, pages: Map<string, string>): Promise<PageLayout[]> {
  const dom = await dumpDom(chromium, harness(pages), { width: 1400, height: 900 });
  const m = /<pre id="layout-results">([^<]*)<\/pre>/.exec(dom);
  assert.ok(m, "the probe wrote its results into the page");
  return JSON.parse(decodeURIComponent(m[1]!)) as PageLayout[];
}

/** Every layout fault of the pages not named `control…`, one line each (`[]` when none). */
export function layoutFaults(layouts: readonly PageLayout[]): string[] {
  return layouts
    .filter((l) => !l.name.startsWith("control"))
    .flatMap((l) => l.problems.map((p) => `${l.name}: ${p.kind}: ${p.what} (${p.detail})`));
}

/** Asserts the probe caught every fault of the control page (named `name`) at every width. */
export function assertControlCaught(layouts: readonly PageLayout[], name = "control"): void {
  for (const w of WIDTHS) {
    const control = layouts.find((l) => l.name === `${name}@${w}`);
    assert.ok(control, `${name}@${w} measured`);
    const kinds = new Set(control.problems.map((p) => p.kind));
    const seen = JSON.stringify(control.problems);
    assert.ok(kinds.has("word-broken"), seen);
    assert.ok(kinds.has("outside-card"), seen);
    if (w === 390) {
      assert.ok(kinds.has("page-scrolls-sideways"), seen);
      assert.ok(kinds.has("outside-viewport"), seen);
    }
    assert.equal(control.executed, true, `${name}@${w}: the probe sees a script that ran`);
    for (const r of [/^<img> src=https:/, /^<link> href=https:/, /^css: url\(/, /^<script>/])
      assert.ok(
        control.resources.some((x) => r.test(x)),
        `${name}@${w}: ${r} among ${JSON.stringify(control.resources)}`,
      );
  }
}

/**
 * Asserts each page of `names` was measured at every width of {@link WIDTHS}, in a viewport of
 * that width, with at least `minElements` elements laid out (the page rendered, not a blank frame).
 */
export function assertMeasured(
  layouts: readonly PageLayout[],
  names: Iterable<string>,
  minElements: number,
): void {
  for (const name of names)
    for (const w of WIDTHS) {
      const l = layouts.find((x) => x.name === `${name}@${w}`);
      assert.ok(l, `${name}@${w} measured`);
      assert.equal(l.width, w, `${name}: the frame's viewport is ${w} px wide`);
      assert.ok(l.elements >= minElements, `${name}@${w}: the page was laid out (${l.elements} elements)`);
    }
}
