/**
 * `fleet summary --html` laid out by headless Chromium at 1280 and 390 CSS pixels, with the
 * probe of test/helpers/layout-probe.ts: the page of a PGlite store holding the bundles of every
 * sample image, and a page of hostile values (host names, users, paths and hashes far longer
 * than a line, HTML metacharacters and script in every string field). Nothing may stick out of
 * the viewport or scroll sideways, no heading word may be split, no script of the page may run
 * and the page may load nothing from elsewhere (it is self-contained). The control page proves
 * the probe can fail. Screenshots go to os.tmpdir()/koff-doctor-screenshots.
 *
 * Skips with a message when Chromium is not installed (Debian package `chromium`).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { renderFleetHtml } from "../../src/fleet/render.js";
import type { FleetSummary } from "../../src/fleet/summary.js";
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

/** Sets a flag the probe reads: if it is ever true for a page, the page ran a script. */
const RUN = "window.__koffExecuted=true";
/** Markup that runs {@link RUN} if it reaches the page unescaped, in each way HTML runs script. */
const HOSTILE = [
  `<script>${RUN}</script>`,
  `<img src=x onerror="${RUN}">`,
  `"><svg onload=${RUN}>`,
  `' onmouseover='${RUN}`,
  `</td></tr></table><iframe src="javascript:parent.${RUN}"></iframe>`,
];

/** A summary whose every string is hostile or far longer than a line. */
function hostileSummary(): FleetSummary {
  const longHost = `PC-${"VERYLONGCOMPUTERNAMEWITHOUTBREAKS".repeat(6)}`;
  const longPath = `C:\\${"VeryLongFolderNameWithoutAnyBreak".repeat(8)}\\kofmsp.dll`;
  return {
    schemaVersion: 1,
    tool: { name: "koff-doctor", version: "0.0.0" },
    totals: { hosts: 123456789, runs: 987654321, findings: 1e9, files: 42 },
    statuses: [
      { status: HOSTILE[0]!, hosts: 1 },
      { status: "critical", hosts: 2 },
    ],
    findings: [
      { checkId: `stray-provider-dll${HOSTILE[1]}`, severity: "critical", hosts: 3 },
      { checkId: "x".repeat(300), severity: HOSTILE[2]!, hosts: 1 },
    ],
    connectorVersions: [
      { version: HOSTILE[3]!, hosts: 1 },
      { version: null, hosts: 2 },
    ],
    outlookVersions: [{ version: "9".repeat(200), bitness: HOSTILE[4]!, hosts: 1 }],
    providerHashes: [
      {
        sha256: "f".repeat(64),
        verdict: HOSTILE[0]!,
        signatureState: null,
        signer: HOSTILE[1]!,
        fileVersion: null,
        hosts: 1,
        outsideInstall: true,
        singleHostOutsideInstall: true,
        paths: [longPath, `C:\\Users\\${HOSTILE[2]}\\AppData\\Roaming\\kofmsp.dll`, HOSTILE[4]!],
      },
    ],
    notSeenSince: {
      since: "2026-01-01T00:00:00.000Z",
      hosts: [
        { hostId: `sha256:${"a".repeat(64)}`, computerName: longHost, user: HOSTILE[0]!, lastSeen: AT },
        { hostId: "h".repeat(250), computerName: null, user: "u".repeat(180), lastSeen: AT },
        { hostId: "x", computerName: HOSTILE[1]!, user: HOSTILE[3]!, lastSeen: AT },
      ],
    },
  };
}

/** The page of a PGlite store holding a bundle of every sample image (hosts not seen since 2999 listed). */
async function samplePage(dir: string): Promise<string> {
  const bundles = path.join(dir, "bundles");
  mkdirSync(bundles);
  const images = readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !["src", "tools"].includes(d.name))
    .map((d) => d.name)
    .sort();
  for (const name of images) {
    const out = path.join(bundles, `${name}.zip`);
    const r = await runCli(["collect", "--image", path.join(EXAMPLES, name), "--at", AT, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
  }
  const db = `pglite:${path.join(dir, "db")}`;
  const ingest = await runCli(["fleet", "ingest", bundles, "--db", db, "--at", AT]);
  assert.equal(ingest.code, 0, ingest.stderr);
  assert.match(ingest.stdout, new RegExp(`^ingested ${images.length} run`));
  const summary = ["fleet", "summary", "--db", db, "--not-seen-since", "2999-01-01T00:00:00Z"];
  const html = await runCli([...summary, "--html"]);
  assert.equal(html.code, 0, html.stderr);
  const json = JSON.parse((await runCli([...summary, "--json"])).stdout) as FleetSummary;
  assert.equal(json.totals.hosts, images.length, "one host per sample image");
  return html.stdout;
}

describe("fleet summary --html in headless Chromium", { skip: SKIP }, () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "koff-fleet-html-"));
  const pages = new Map<string, string>();
  let layouts: PageLayout[];
  before(async () => {
    pages.set("fleet-samples", await samplePage(scratch));
    pages.set("fleet-hostile", renderFleetHtml(hostileSummary()));
    layouts = await measureLayouts(CHROMIUM!, new Map([...pages, ["control", CONTROL_PAGE]]));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("the probe catches every fault of the control page, a script that ran and remote resources", () => {
    assertControlCaught(layouts);
  });

  it("both pages were measured at 1280 and 390 px", () => {
    assertMeasured(layouts, pages.keys(), 30);
  });

  it("nothing overflows the viewport, the page never scrolls sideways, no heading word is broken", () => {
    assert.deepEqual(layoutFaults(layouts), []);
  });

  it("self-contained: no script, no link, no element with src/href, no url() or @import in its CSS", () => {
    for (const l of layouts.filter((x) => !x.name.startsWith("control")))
      assert.deepEqual(l.resources, [], `${l.name} loads from elsewhere`);
    for (const [name, html] of pages) {
      // The markup itself, outside the text (hostile text is escaped, so `<` only opens tags).
      const tags = html.match(/<[a-z!/][^>]*>/gi) ?? [];
      assert.ok(tags.length > 20, name);
      for (const quoted of tags) {
        // Attribute values are escaped text too: judge the tag's own syntax.
        const tag = quoted.replace(/"[^"]*"/g, '""');
        assert.doesNotMatch(tag, /^<(script|link|img|iframe|object|embed|svg)\b/i, `${name}: ${tag}`);
        assert.doesNotMatch(tag, /\s(src|href|srcset|on[a-z]+)\s*=/i, `${name}: ${tag}`);
      }
      assert.doesNotMatch(html, /url\(|@import|@font-face/i, name);
    }
  });

  it("hostile values are escaped text: nothing executes, every value reads back as written", () => {
    for (const l of layouts.filter((x) => !x.name.startsWith("control")))
      assert.equal(l.executed, false, `${l.name}: a script of the page ran`);
    const html = pages.get("fleet-hostile")!;
    for (const h of HOSTILE) assert.ok(!html.includes(h), `unescaped: ${h}`);
    assert.ok(html.includes("&#60;script&#62;window.__koffExecuted=true&#60;/script&#62;"));
    assert.ok(html.includes("&#60;img src=x onerror=&#34;window.__koffExecuted=true&#34;&#62;"));
    // The long values are all there, whole.
    assert.ok(html.includes(`PC-${"VERYLONGCOMPUTERNAMEWITHOUTBREAKS".repeat(6)}`));
    assert.ok(html.includes("h".repeat(250)));
  });

  it("screenshots of both pages at both widths are kept as test artifacts", async (t) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shots = [...pages].flatMap(([name, html]) => {
      const file = path.join(scratch, `${name}.html`);
      writeFileSync(file, html);
      return WIDTHS.map((w) => ({ file, w, png: path.join(SCREENSHOTS, `${name}.${w}.png`) }));
    });
    await Promise.all(
      shots.map((s) =>
        screenshot(CHROMIUM!, s.file, s.png, { width: s.w, height: s.w === 390 ? 2400 : 1400 }),
      ),
    );
    for (const { png } of shots)
      assert.equal(readFileSync(png).subarray(1, 4).toString("latin1"), "PNG", png);
    t.diagnostic(`screenshots: ${shots.map((s) => s.png).join(", ")}`);
  });
});
