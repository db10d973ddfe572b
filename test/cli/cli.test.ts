/**
 * The command line as users and scripts meet it: one JSON document on stdout, SARIF 2.1.0,
 * documented exit codes, usage errors, colour only when wanted, and the real launcher.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { wantsColor } from "../../src/cli/io.js";
import { EXAMPLES, FIXTURES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const pe = (name: string) => path.join(FIXTURES, "pe", name);
const TRUST = ["--trust", path.join(FIXTURES, "pki", "trust-anchors.pem")];
const AT = ["--at", "2026-11-21T00:00:00Z"];

describe("triage CLI", () => {
  it("--json prints exactly one document with the documented contract", async () => {
    const r = await runCli([
      "triage",
      "--json",
      ...TRUST,
      ...AT,
      pe("signed-valid-sha256-x64.dll"),
      pe("impostor-no-version-x64.dll"),
    ]);
    const doc = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(doc.schemaVersion, 1);
    assert.equal(doc.tool.name, "koff-doctor");
    assert.equal(doc.policy.at, "2026-11-21T00:00:00.000Z");
    assert.equal(doc.files.length, 2);
    const [valid, impostor] = doc.files;
    assert.equal(valid.signature.state, "valid");
    assert.match(valid.sha256, /^[0-9a-f]{64}$/);
    assert.equal(valid.pe.machine, "x64");
    assert.equal(valid.pe.isDll, true);
    assert.ok(valid.pe.exports.some((e: { name?: string }) => e.name === "MSProviderInit"));
    assert.equal(valid.pe.versionInfo.strings.CompanyName, "Kerio Technologies Inc.");
    for (const i of valid.indicators)
      assert.ok(["ok", "suspicious", "malicious", "unknown"].includes(i.level));
    assert.equal(impostor.verdict, "malicious");
    assert.equal(r.code, 2, "malicious exit code");
    assert.equal(r.stderr, "");
  });

  it("exit codes: suspicious 1, unreadable 3, usage 64", async () => {
    assert.equal((await runCli(["triage", ...AT, pe("genuine-unsigned-x64.dll")])).code, 1);
    const tmp = mkdtempSync(path.join(tmpdir(), "koff-cli-"));
    try {
      const text = path.join(tmp, "kofmsp.dll");
      writeFileSync(text, "this is not a PE file\n");
      const r = await runCli(["triage", "--json", text]);
      assert.equal(r.code, 3);
      assert.equal(JSON.parse(r.stdout).files[0].error.code, "bad-dos-signature");
      assert.equal((await runCli(["triage", path.join(tmp, "missing.dll")])).code, 3);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    const fifo = await runCli(["triage", "--json", "/dev/zero"]);
    assert.equal(
      JSON.parse(fifo.stdout).files[0].error.code,
      "not-a-file",
      "devices are not read (they never end)",
    );
    assert.equal(
      (await runCli(["triage", "--as", "kofmsp.dll", pe("tiny-x64.dll")])).code,
      64,
      "--as wants a full Windows path",
    );
    assert.equal((await runCli(["triage", "--at", "yesterday", pe("tiny-x64.dll")])).code, 64);
    assert.equal((await runCli(["triage", "--no-such-flag", pe("tiny-x64.dll")])).code, 64);
    assert.equal((await runCli(["triage", "--json", "--sarif", pe("tiny-x64.dll")])).code, 64);
    assert.equal((await runCli(["frobnicate"])).code, 64);
  });

  it("--sarif is SARIF 2.1.0 with one result per fired indicator", async () => {
    const r = await runCli(["triage", "--sarif", ...AT, pe("impostor-no-version-x64.dll")]);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, "2.1.0");
    const results = sarif.runs[0].results as Array<{ ruleId: string; level: string }>;
    assert.ok(results.some((x) => x.ruleId === "executable-behavior" && x.level === "error"));
    assert.ok(
      results.every((x) =>
        sarif.runs[0].tool.driver.rules.some((rule: { id: string }) => rule.id === x.ruleId),
      ),
    );
  });

  it("--as judges a copied file at its original Windows location", async () => {
    const r = await runCli([
      "triage",
      "--json",
      ...AT,
      "--as",
      "C:\\Users\\bob\\AppData\\Roaming\\kofmsp.dll",
      pe("genuine-unsigned-x64.dll"),
    ]);
    const loc = JSON.parse(r.stdout).files[0].indicators.find((i: { id: string }) => i.id === "location");
    assert.equal(loc.level, "suspicious");
    assert.equal(loc.cell, "Location × Suspicious: %TEMP%, Downloads, or Roaming");
  });

  it("--explain lists the verification steps in order", async () => {
    const r = await runCli(["triage", "--explain", ...TRUST, ...AT, pe("tampered-text-x64.dll")]);
    assert.match(r.stdout, /image-digest/);
    assert.match(r.stdout, /FAIL/);
    assert.ok(r.stdout.indexOf("parse-cms") < r.stdout.indexOf("image-digest"));
  });
});

describe("check CLI", () => {
  it("healthy image: exit 0; broken image: exit 2 with findings in JSON", async () => {
    const ok = await runCli(["check", "--image", path.join(EXAMPLES, "healthy"), ...AT]);
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /No problems found/);
    const bad = await runCli([
      "check",
      "--json",
      "--image",
      path.join(EXAMPLES, "impostor-in-roaming"),
      ...AT,
    ]);
    const doc = JSON.parse(bad.stdout);
    assert.equal(bad.code, 2);
    assert.equal(doc.mode, "image");
    assert.ok(
      doc.findings.every((f: Record<string, unknown>) =>
        ["id", "severity", "title", "evidence", "remedy"].every((k) => k in f),
      ),
    );
    assert.ok(Array.isArray(doc.facts.profiles) && Array.isArray(doc.triage));
  });

  it("refuses live mode off Windows and a missing image", async () => {
    if (process.platform !== "win32") assert.equal((await runCli(["check"])).code, 64);
    assert.equal((await runCli(["check", "--image", "/no/such/dir"])).code, 64);
    assert.equal(
      (await runCli(["check", "--image", REPO_ROOT])).code,
      64,
      "a folder that is not a Windows volume root",
    );
  });
});

describe("registry CLI", () => {
  it("exports a sample hive as .reg v5", async () => {
    const r = await runCli([
      "registry",
      "export",
      path.join(EXAMPLES, "healthy", "Users", "alice", "NTUSER.DAT"),
      "Software\\Microsoft\\Office\\16.0\\Outlook",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Windows Registry Editor Version 5\.00/);
    assert.match(r.stdout, /"DefaultProfile"="Kerio"/);
  });
});

describe("colour", () => {
  it("only on a TTY, never with NO_COLOR, forced by FORCE_COLOR", () => {
    assert.equal(wantsColor({ isTTY: true }, {}), true);
    assert.equal(wantsColor({ isTTY: false }, {}), false);
    assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: "1" }), false);
    assert.equal(wantsColor({ isTTY: false }, { FORCE_COLOR: "1" }), true);
    assert.equal(wantsColor({ isTTY: true }, { TERM: "dumb" }), false);
  });
});

describe("launcher", () => {
  it("bin/koff-doctor.cjs runs and prints the version", () => {
    const out = execFileSync(
      process.execPath,
      [path.join(REPO_ROOT, "bin", "koff-doctor.cjs"), "--version"],
      {
        encoding: "utf8",
      },
    );
    assert.match(out.trim(), /^\d+\.\d+\.\d+$/);
    const r = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, "bin", "koff-doctor.cjs"), "triage", "--json", pe("impostor-no-version-x64.dll")],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 2);
    assert.equal(JSON.parse(r.stdout).files[0].verdict, "malicious");
  });
});
