/**
 * The report layer through the library's face: the exit-code mapping (docs/exit-codes.md), the
 * `triage --json` and `check --json` documents (docs/json-contract.md), and the `repair` /
 * `undo` JSON documents, byte for byte as the CLI printed them before they moved here.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import {
  checkExitCode,
  checkJsonDocument,
  checkMachine,
  ExitCode,
  renderCheckJson,
  renderPlanJson,
  renderRefusalJson,
  renderTriageJson,
  renderTriageJsonLine,
  runbookExitCode,
  RunbookError,
  stringifyJson,
  summarizeVerdicts,
  toJsonText,
  triageExitCode,
  type ReportedPolicy,
  type RunbookErrorCode,
  type Severity,
  type TriageRecord,
  type Verdict,
} from "../../src/index.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { EXAMPLES } from "../helpers/repo.js";

const AT = new Date("2026-11-21T00:00:00Z");
const POLICY: ReportedPolicy = { at: AT.toISOString(), trust: ["node-bundled-roots"], signatures: "primary" };

const record = (verdict: Verdict, extra: Partial<TriageRecord> = {}): TriageRecord => ({
  path: `${verdict}.dll`,
  sha256: "",
  size: 0,
  verdict,
  indicators: [],
  ...extra,
});
const severities = (...s: Severity[]) => ({ findings: s.map((severity) => ({ severity })) });

describe("exit codes", () => {
  it("triage: malicious (2) > unreadable (3) > suspicious (1) > clean (0); no file is OK", () => {
    const v = (...verdicts: Verdict[]) => triageExitCode(verdicts.map((x) => record(x)));
    assert.equal(v(), ExitCode.OK);
    assert.equal(v("clean", "clean"), 0);
    assert.equal(v("clean", "suspicious"), 1);
    assert.equal(v("suspicious", "error"), 3);
    assert.equal(v("error", "malicious", "suspicious"), 2);
  });

  it("check: the worst finding decides; info alone is OK", () => {
    assert.equal(checkExitCode(severities()), ExitCode.OK);
    assert.equal(checkExitCode(severities("info")), 0);
    assert.equal(checkExitCode(severities("info", "warning")), 1);
    assert.equal(checkExitCode(severities("warning", "error")), 2);
    assert.equal(checkExitCode(severities("critical")), 2);
  });

  it("repair / undo: bad requests 64, unreadable journals and failed operations 3, refusals 4", () => {
    const code = (c: RunbookErrorCode) => runbookExitCode(new RunbookError(c, "x"));
    assert.equal(code("usage"), ExitCode.USAGE);
    assert.equal(code("not-found"), 64);
    assert.equal(code("journal-corrupt"), ExitCode.UNREADABLE);
    assert.equal(code("io"), 3);
    for (const c of ["refused-malicious", "refused-locked", "refused-concurrent", "tool-missing"] as const)
      assert.equal(code(c), ExitCode.REFUSED, c);
  });
});

describe("JSON documents", () => {
  it("triage --json: schema 1, the tool, the policy, verdict counts, the records; bigints as strings", () => {
    const records = [
      record("clean"),
      record("malicious"),
      record("malicious"),
      record("error", { error: { code: "not-pe", message: "no MZ" } }),
    ];
    // A PE32+ image base can exceed 2^53: JSON carries it as a decimal string.
    (records[0] as unknown as { pe: unknown }).pe = { imageBase: 2n ** 60n + 1n };
    const text = renderTriageJson(records, POLICY);
    assert.ok(text.endsWith("}\n") && !text.endsWith("\n\n"));
    const doc = JSON.parse(text) as Record<string, unknown> & { files: TriageRecord[] };
    assert.deepEqual(Object.keys(doc), ["schemaVersion", "tool", "policy", "files", "summary"]);
    assert.equal(doc["schemaVersion"], 1);
    assert.equal((doc["tool"] as { name: string }).name, "koff-doctor");
    assert.deepEqual(doc["policy"], POLICY);
    assert.deepEqual(doc["summary"], { clean: 1, suspicious: 0, malicious: 2, error: 1 });
    assert.deepEqual(summarizeVerdicts(records), doc["summary"]);
    assert.equal(
      (doc.files[0] as unknown as { pe: { imageBase: string } }).pe.imageBase,
      "1152921504606846977",
    );
    assert.deepEqual(doc.files[3]!.error, { code: "not-pe", message: "no MZ" });
  });

  it("stringifyJson: the plain serializer's text, bigints as decimal strings at any depth, a cycle still a TypeError", () => {
    const plain = { a: [1, "x", { b: null, c: true }], d: { e: 1.5 } };
    assert.equal(stringifyJson(plain), JSON.stringify(plain));
    assert.equal(stringifyJson(plain, 2), JSON.stringify(plain, null, 2));
    const deep = { list: [{ base: 2n ** 64n - 1n }], n: 3n };
    assert.deepEqual(JSON.parse(stringifyJson(deep)), { list: [{ base: "18446744073709551615" }], n: "3" });
    assert.equal(
      renderTriageJsonLine({ ...record("clean"), pe: { imageBase: 5n } } as unknown as TriageRecord),
      `${JSON.stringify({ ...record("clean"), pe: { imageBase: "5" } })}\n`,
    );
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    assert.throws(() => stringifyJson(cycle), TypeError);
  });

  it("check --json: mode, source and host lifted to the top, triage its own array, facts without them", async () => {
    const report = await checkMachine(createImageSnapshot(path.join(EXAMPLES, "impostor-in-roaming")), {
      at: AT,
    });
    const doc = JSON.parse(renderCheckJson(report)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), [
      "schemaVersion",
      "tool",
      "runId",
      "collectedAt",
      "host",
      "summary",
      "mode",
      "source",
      "policy",
      "findings",
      "notRun",
      "timeline",
      "facts",
      "triage",
    ]);
    assert.equal(doc["mode"], "image");
    assert.match(doc["source"] as string, /^image .*impostor-in-roaming$/);
    const facts = doc["facts"] as Record<string, unknown>;
    for (const lifted of ["mode", "source", "host", "triage"]) assert.equal(lifted in facts, false, lifted);
    assert.equal(doc["schemaVersion"], 2);
    assert.match(
      doc["runId"] as string,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.ok(Number.isFinite(Date.parse(doc["collectedAt"] as string)));
    assert.notEqual(doc["collectedAt"], AT.toISOString(), "collection time is not the policy time");
    assert.deepEqual(doc["summary"], {
      status: "critical",
      exitCode: 2,
      findings: { critical: 2, error: 0, warning: 0, info: 0 },
      notRun: report.notRun.length,
      complete: report.notRun.length === 0,
    });
    assert.equal((doc["triage"] as unknown[]).length, report.facts.triage.length);
    assert.ok(report.facts.triage.some((r) => r.verdict === "malicious"));
    assert.deepEqual((doc["findings"] as Array<{ id: string }>).map((f) => f.id).sort(), [
      "mapisvc-path-outside-install",
      "stray-provider-dll",
    ]);
    assert.equal(checkExitCode(report), ExitCode.MALICIOUS);
    assert.equal(renderCheckJson(report), toJsonText(checkJsonDocument(report)));
  });

  it("repair --json: a refusal and a plan, byte for byte the documents the CLI printed", () => {
    const refusal = new RunbookError("refused-locked", "Outlook holds the cache", {
      path: "C:\\Users\\alice\\koff.fdb",
      evidence: { process: "OUTLOOK.EXE" },
    });
    assert.equal(
      renderRefusalJson(refusal),
      `${JSON.stringify({ schemaVersion: 1, refused: refusal.toJSON() }, null, 2)}\n`,
    );
    assert.deepEqual(JSON.parse(renderRefusalJson(refusal)), {
      schemaVersion: 1,
      refused: {
        name: "RunbookError",
        code: "refused-locked",
        message: "Outlook holds the cache",
        path: "C:\\Users\\alice\\koff.fdb",
        evidence: { process: "OUTLOOK.EXE" },
      },
    });
    const plan = { operations: [], warnings: ["w"], guidance: [], exports: [] };
    const planned = { step: "clear-cache" as const, kind: "acting" as const, title: "t", plan, notes: ["n"] };
    // No refusal: the key is absent, as JSON.stringify drops undefined.
    assert.equal(
      renderPlanJson(planned),
      `{\n  "schemaVersion": 1,\n  "step": "clear-cache",\n  "plan": {\n    "operations": [],\n    "warnings": [\n      "w"\n    ],\n    "guidance": [],\n    "exports": []\n  },\n  "notes": [\n    "n"\n  ]\n}\n`,
    );
    const refused = JSON.parse(renderPlanJson({ ...planned, refusal })) as { refusal: { code: string } };
    assert.equal(refused.refusal.code, "refused-locked");
  });
});
