/** The HTML reports: self-contained, every value escaped, the findings and verdicts present. */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { checkMachine } from "../../src/app/check-machine.js";
import { escapeHtml, renderCheckHtml, renderTriageHtml } from "../../src/cli/render/html-report.js";
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
});
