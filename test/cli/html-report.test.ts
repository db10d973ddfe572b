/** The HTML reports: self-contained, every value escaped, the findings and verdicts present. */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { checkMachine } from "../../src/app/check-machine.js";
import {
  escapeHtml,
  nextStepCommand,
  renderCheckHtml,
  renderTriageHtml,
  worstFirst,
} from "../../src/cli/render/html-report.js";
import { keyValueHtml } from "../../src/cli/render/html-parts.js";
import type { CheckReport } from "../../src/app/check-machine.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import type { TriageRecord } from "../../src/triage/index.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { EXAMPLES, FIXTURES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

describe("HTML reports", () => {
  it("escapes markup in every value", () => {
    assert.equal(
      escapeHtml(`<img src=x onerror="a">&'`),
      "&#60;img src=x onerror=&#34;a&#34;&#62;&#38;&#39;",
    );
    const hostile: TriageRecord = {
      path: `C:\\Temp\\<script>alert(1)</script>.dll`,
      sha256: "0".repeat(64),
      size: 1,
      verdict: "error",
      error: { code: "not-pe", message: "<b>bad</b>" },
      indicators: [],
    };
    const html = renderTriageHtml([hostile], { at: "2026-11-21T00:00:00.000Z", trust: [] });
    assert.ok(!html.includes("<script>"), "no live markup from the input");
    assert.ok(html.includes("&#60;script&#62;"));
    assert.ok(!/<script|src=["']?http|<link /i.test(html), "no scripts and no external resources");
  });

  it("check --html shows the findings, the facts and the triage", async () => {
    const report = await checkMachine(createImageSnapshot(path.join(EXAMPLES, "impostor-in-roaming")), {
      at: new Date("2026-11-21T00:00:00Z"),
    });
    const html = renderCheckHtml(report);
    assert.match(html, /^<!doctype html>/);
    for (const f of report.findings) assert.ok(html.includes(`<code>${f.id}</code>`), f.id);
    assert.ok(html.includes("repair --step rule-out-infection"));
    assert.ok(html.includes("O365ProPlusRetail"));
    assert.match(html, /class="badge malicious">malicious</);
  });

  it("--html writes the report next to the normal output", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "koff-html-"));
    try {
      const checkHtml = path.join(dir, "check.html");
      const r = await runCli(["check", "--image", path.join(EXAMPLES, "corrupt-cache"), "--html", checkHtml]);
      assert.equal(r.code, 2);
      assert.match(r.stdout, /cache-db-invalid/);
      assert.match(readFileSync(checkHtml, "utf8"), /<code>cache-db-invalid<\/code>/);
      const triageHtml = path.join(dir, "triage.html");
      await runCli([
        "triage",
        "--json",
        "--html",
        triageHtml,
        path.join(FIXTURES, "pe", "impostor-no-version-x64.dll"),
      ]);
      assert.match(readFileSync(triageHtml, "utf8"), /executable-behavior/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists triaged files worst first: malicious, suspicious, unreadable, clean", () => {
    const rec = (name: string, verdict: TriageRecord["verdict"]): TriageRecord => ({
      path: name,
      sha256: "0".repeat(64),
      size: 1,
      verdict,
      indicators: [],
    });
    const records = [
      rec("c1", "clean"),
      rec("e", "error"),
      rec("s", "suspicious"),
      rec("c2", "clean"),
      rec("m", "malicious"),
    ];
    assert.deepEqual(
      worstFirst(records).map((r) => r.path),
      ["m", "s", "e", "c1", "c2"],
    );
    const html = renderTriageHtml(records, { at: "2026-01-01T00:00:00.000Z", trust: [] });
    const order = ["m", "s", "e", "c1", "c2"].map((n) => html.indexOf(`<code class="path">${n}</code>`));
    assert.ok(
      order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!)),
      `${order}`,
    );
    assert.match(
      html,
      /class="status"[^>]*><span class="badge malicious">malicious<\/span> <strong>Malicious file found<\/strong>/,
    );
    assert.match(html, /5 file\(s\): 1 malicious, 1 suspicious, 1 unreadable, 2 clean/);
  });

  it("check --html starts with a status line: the overall status and the count per severity", async () => {
    const report = await checkMachine(createImageSnapshot(path.join(EXAMPLES, "impostor-in-roaming")), {
      at: new Date("2026-11-21T00:00:00Z"),
    });
    const html = renderCheckHtml(report);
    const status = /<p class="status"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? "";
    assert.ok(
      html.indexOf('class="status"') < html.indexOf("<h2>Findings</h2>"),
      "the status line comes first",
    );
    const critical = report.findings.filter((f) => f.severity === "critical").length;
    assert.ok(critical > 0);
    assert.match(status, /badge critical/);
    assert.ok(
      status.includes(
        `${report.findings.length} finding(s): ${critical} critical, 0 error, 0 warning, 0 info`,
      ),
      status,
    );
    const healthy = renderCheckHtml(
      await checkMachine(createImageSnapshot(path.join(EXAMPLES, "healthy")), {
        at: new Date("2026-11-21T00:00:00Z"),
      }),
    );
    assert.match(
      healthy,
      /class="status"[^>]*><span class="badge ok">ok<\/span> <strong>No problems found<\/strong>/,
    );
  });

  it("shows evidence as labelled rows, nested objects too; the raw JSON only folded away", () => {
    const html = keyValueHtml({
      loadPath: "C:\\Users\\a\\kofmsp.dll",
      sha256: "ab".repeat(32),
      resolved: false,
      databases: [{ name: "cache.fdb", problems: ["unknown-ods"] }],
      missing: undefined,
    });
    assert.match(
      html,
      /<dt>load path<\/dt><dd><code class="path">C:\\<wbr>Users\\<wbr>a\\<wbr>kofmsp.dll<\/code><\/dd>/,
    );
    assert.match(html, /<dt>sha256<\/dt><dd><code class="hash">(ab){32}<\/code><\/dd>/);
    assert.match(html, /<dt>resolved<\/dt><dd>no<\/dd>/);
    assert.match(
      html,
      /<dt>databases<\/dt><dd><ul class="list"><li><dl class="kv"><dt>name<\/dt><dd>cache.fdb<\/dd><dt>problems<\/dt>/,
    );
    assert.ok(!html.includes("missing"));
  });

  it("check --html: evidence is fields, JSON only inside a closed <details>", async () => {
    const report = await checkMachine(createImageSnapshot(path.join(EXAMPLES, "impostor-in-roaming")), {
      at: new Date("2026-11-21T00:00:00Z"),
    });
    const html = renderCheckHtml(report);
    const findings = html.slice(html.indexOf("<h2>Findings</h2>"), html.indexOf("<h2>Connector</h2>"));
    assert.match(findings, /<dt>verdict<\/dt><dd>malicious<\/dd>/);
    const outsideDetails = findings.replace(/<details>[\s\S]*?<\/details>/g, "");
    assert.ok(!outsideDetails.includes("<pre>"), "no raw JSON outside <details>");
    assert.ok(!/<details open/.test(html));
  });

  it("the next step runs as printed: it carries --image", async () => {
    const image = path.join(EXAMPLES, "corrupt-cache");
    const report = await checkMachine(createImageSnapshot(image), { at: new Date("2026-11-21T00:00:00Z") });
    const finding = report.findings.find((f) => f.remedy !== null)!;
    const next = nextStepCommand(finding, report);
    assert.equal(next, `koff-doctor repair --step ${finding.remedy} --image ${image}`);
    assert.ok(renderCheckHtml(report).includes(escapeHtml(next)));
    assert.equal(
      nextStepCommand({ ...finding, next: "koff-doctor repair --step x --profile P" }, report),
      "koff-doctor repair --step x --profile P",
    );
    const spaced: CheckReport = { ...report, facts: { ...report.facts, source: "image /mnt/win 10" } };
    assert.match(nextStepCommand(finding, spaced)!, /--image "\/mnt\/win 10"$/);
  });
});

/** The style sheet of a rendered page. */
function styleOf(html: string): string {
  return /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
}

/** The declarations of every rule whose selector list names `selector` (outside @media blocks too). */
function declarationsFor(css: string, selector: RegExp): string[] {
  return [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)]
    .filter((m) => m[1]!.split(",").some((s) => selector.test(s.trim())))
    .map((m) => m[2]!);
}

/** WCAG 2.x relative luminance of an sRGB hex colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe("HTML style sheet", () => {
  const html = renderTriageHtml([], { at: "2026-01-01T00:00:00.000Z", trust: [] });
  const css = styleOf(html);

  it("the contrast computation is right (WCAG examples)", () => {
    assert.equal(contrast("#ffffff", "#000000"), 21);
    assert.ok(Math.abs(contrast("#ffffff", "#bf8700") - 3.14) < 0.01, "white on the old amber is 3.1:1");
  });

  it("every badge's text reaches WCAG AA contrast (4.5:1) on its background", () => {
    const badges = [...css.matchAll(/\.badge\.([a-z-]+)\{color:(#[0-9a-f]{6});background:(#[0-9a-f]{6})\}/g)];
    assert.ok(badges.length >= 10, `badge rules found: ${badges.length}`);
    for (const [, kind, fg, bg] of badges) {
      const ratio = contrast(fg!, bg!);
      assert.ok(ratio >= 4.5, `.badge.${kind}: ${fg} on ${bg} is ${ratio.toFixed(2)}:1`);
    }
    for (const kind of [
      "critical",
      "error",
      "warning",
      "info",
      "malicious",
      "suspicious",
      "clean",
      "unknown",
      "ok",
    ])
      assert.ok(
        badges.some((b) => b[1] === kind),
        `a colour for .badge.${kind}`,
      );
  });

  it("badges never wrap, and neither badges nor headings may break anywhere", () => {
    assert.ok(declarationsFor(css, /^\.badge$/).some((d) => /white-space:nowrap/.test(d)));
    for (const sel of [/^\.badge/, /^h[1-3]$/, /^th$/, /^dt$/]) {
      const decls = declarationsFor(css, sel).join(";");
      assert.ok(!/overflow-wrap:anywhere|word-break:break-all/.test(decls), `${sel}: ${decls}`);
    }
    const anywhere = [...css.matchAll(/([^{}]+)\{[^{}]*overflow-wrap:anywhere/g)].flatMap((m) =>
      m[1]!.split(",").map((s) => s.trim()),
    );
    for (const sel of anywhere)
      assert.match(
        sel,
        /code|\.v|pre|dd|td/,
        `overflow-wrap:anywhere only on code and value cells, not ${sel}`,
      );
  });

  it("has dark-mode and print styles", () => {
    assert.match(css, /@media \(prefers-color-scheme:dark\)/);
    assert.match(css, /@media print/);
  });
});
