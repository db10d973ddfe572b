/**
 * The JSON Schemas in schemas/ (draft 2020-12): generated from the TypeScript types by
 * scripts/generate-schemas.ts, so a committed schema that differs from what the types generate
 * fails here; every `--json` output of every sample image (check and triage on the image, collect's
 * manifest, check and triage on the bundle, repair's ladder, plan, apply, status and undo) and
 * every golden file validates with ajv, as does `events --json` (and each `--jsonl` line) of every
 * sample image's event logs and of every fixture log; deliberately broken documents fail.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { generateSchemas, schemaText, type Schema } from "../../scripts/generate-schemas.js";
import { loadSchema, validateDocument, SCHEMA_FILES, type SchemaKind } from "../../src/app/json-schemas.js";
import { CATALOGUE } from "../../src/check/catalogue.js";
import { openZipArchive } from "../../src/bundle/zip-reader.js";
import { copyImage } from "../helpers/image-copy.js";
import { EXAMPLES, FIXTURES, REPO_ROOT } from "../helpers/repo.js";
import { LOGS_FOLDER, SAMPLE_SCENARIOS } from "../helpers/sample-event-logs.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-01-01T00:00:00Z";
const scenarios = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !["src", "tools"].includes(d.name))
  .map((d) => d.name)
  .sort();

function assertValid(kind: SchemaKind, doc: unknown, what: string): void {
  const r = validateDocument(kind, doc);
  assert.ok(r.valid, `${what} does not match schemas/${SCHEMA_FILES[kind]}: ${r.problems.join("; ")}`);
}

async function json(args: string[]): Promise<unknown> {
  const r = await runCli(args);
  assert.ok(r.stdout.length > 0, `${args.join(" ")}: no output (${r.stderr})`);
  return JSON.parse(r.stdout) as unknown;
}

let scratch = "";
let checkDoc: Record<string, unknown> = {};
let eventsDoc: Array<Record<string, unknown>> = [];

/** `events --json` of `logs`, validated; each `--jsonl` line validates as a one-record document. */
async function validEvents(logs: string[], what: string): Promise<Array<Record<string, unknown>>> {
  const doc = (await json(["events", "--json", ...logs])) as Array<Record<string, unknown>>;
  assertValid("events", doc, `${what} events --json`);
  const lines = (await runCli(["events", "--jsonl", ...logs])).stdout.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, doc.length, `${what}: --jsonl prints the records --json does`);
  for (const [i, line] of lines.entries())
    assertValid("events", [JSON.parse(line) as unknown], `${what} events --jsonl line ${i + 1}`);
  return doc;
}

describe("JSON Schemas", () => {
  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "koff-schemas-"));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("the committed schemas are what the TypeScript types generate (npm run schemas)", () => {
    const generated = generateSchemas(REPO_ROOT);
    assert.deepEqual(Object.keys(generated).sort(), Object.values(SCHEMA_FILES).sort());
    for (const [file, schema] of Object.entries(generated))
      assert.equal(
        readFileSync(path.join(REPO_ROOT, "schemas", file), "utf8"),
        schemaText(schema),
        `schemas/${file} differs from the types: run npm run schemas`,
      );
    // Every check's finding has its evidence interface in the check schema, chosen by id.
    const finding = (generated["check.schema.json"]!["$defs"] as Record<string, Schema>)["ReportedFinding"]!;
    const ids = (finding["allOf"] as Array<{ if: { properties: { id: { const: string } } } }>).map(
      (c) => c.if.properties.id.const,
    );
    assert.deepEqual(ids.sort(), CATALOGUE.map((c) => c.id).sort());
  });

  it("every schema is draft 2020-12 and compiles in ajv's strict mode", () => {
    for (const kind of Object.keys(SCHEMA_FILES) as SchemaKind[]) {
      assert.equal(loadSchema(kind)["$schema"], "https://json-schema.org/draft/2020-12/schema");
      assert.equal(typeof validateDocument(kind, {}).valid, "boolean");
    }
  });

  it("every golden file (check, triage, bundle check and triage of each sample image) validates", () => {
    const dir = path.join(REPO_ROOT, "test", "golden", "expected");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    assert.ok(files.length >= 28, `golden files: ${files.length}`);
    for (const f of files)
      assertValid(
        f.endsWith("triage.json") ? "triage" : "check",
        JSON.parse(readFileSync(path.join(dir, f), "utf8")),
        f,
      );
  });

  for (const scenario of scenarios) {
    it(`${scenario}: check, triage, collect's manifest, check --bundle, repair ladder and status validate`, async () => {
      const image = path.join(EXAMPLES, scenario);
      const doc = (await json(["check", "--image", image, "--json", "--at", AT])) as Record<string, unknown>;
      assertValid("check", doc, `${scenario} check --json`);
      if (scenario === "impostor-in-roaming") checkDoc = doc;
      assertValid(
        "triage",
        await json(["triage", "-r", image, "--image", image, "--json", "--at", AT]),
        "triage",
      );
      const bundle = path.join(scratch, `${scenario}.zip`);
      assert.equal((await runCli(["collect", "--image", image, "--at", AT, "--out", bundle])).code, 0);
      const zip = await openZipArchive(bundle);
      try {
        const manifest = JSON.parse(new TextDecoder().decode(await zip.read("manifest.json"))) as unknown;
        assertValid("bundle-manifest", manifest, `${scenario} manifest.json`);
        assertValid(
          "check",
          JSON.parse(new TextDecoder().decode(await zip.read("check.json"))),
          "check.json",
        );
      } finally {
        zip.close();
      }
      assertValid("check", await json(["check", "--bundle", bundle, "--json", "--at", AT]), "check --bundle");
      const state = path.join(scratch, `${scenario}-state`);
      assertValid(
        "repair",
        await json(["repair", "--image", image, "--json", "--state", state]),
        "repair ladder",
      );
      assertValid(
        "repair",
        await json(["repair", "--status", "--image", image, "--json", "--state", state]),
        "status",
      );
    });
  }

  it("events --json of every sample image's logs (together and one by one) and of every fixture log validates", async () => {
    const withLogs = scenarios.filter((x) => existsSync(path.join(EXAMPLES, x, LOGS_FOLDER)));
    assert.ok(
      withLogs.length >= SAMPLE_SCENARIOS.length - 1,
      `images with event logs: ${withLogs.join(", ")}`,
    );
    for (const scenario of withLogs) {
      const dir = path.join(EXAMPLES, scenario, LOGS_FOLDER);
      const logs = readdirSync(dir)
        .filter((f) => f.endsWith(".evtx"))
        .map((f) => path.join(dir, f));
      assert.ok(logs.length > 0, scenario);
      const all = await validEvents(logs, scenario);
      if (logs.length > 1)
        assert.ok(
          all.every((r) => typeof r["file"] === "string"),
          "records name their file",
        );
      for (const log of logs) {
        const one = await validEvents([log], `${scenario}/${path.basename(log)}`);
        assert.ok(one.length > 0 && one.every((r) => !("file" in r)), `${log}: records, without file`);
        if (eventsDoc.length === 0) eventsDoc = one;
      }
    }
    // The fixtures, damaged and truncated ones included: what is printed is still a document.
    const fixtures = readdirSync(path.join(FIXTURES, "evtx")).filter((f) => f.endsWith(".evtx"));
    assert.ok(fixtures.length >= 4, fixtures.join(", "));
    for (const f of fixtures) await validEvents([path.join(FIXTURES, "evtx", f)], `fixtures/evtx/${f}`);
  });

  it("a deliberately broken events document fails, at the broken field", () => {
    assert.ok(eventsDoc.length > 1, "a sample's events were read");
    const broken = (edit: (d: Array<Record<string, any>>) => void): unknown => {
      const d = structuredClone(eventsDoc) as Array<Record<string, any>>;
      edit(d);
      return d;
    };
    const cases: Array<[string, unknown, RegExp]> = [
      ["not an array", { records: eventsDoc }, /must be array/],
      ["event id as text", broken((d) => (d[1]!.eventId = "1000")), /\/1\/eventId/],
      ["time missing", broken((d) => delete d[0]!.timeCreated), /must have required property 'timeCreated'/],
      ["data value a number", broken((d) => (d[0]!.data = { Path: 3 })), /\/0\/data\/Path/],
      ["unknown key", broken((d) => (d[0]!.xml = "<Event/>")), /additional properties/],
      ["file a number", broken((d) => (d[0]!.file = 1)), /\/0\/file/],
    ];
    for (const [what, doc, where] of cases) {
      const r = validateDocument("events", doc, 50);
      assert.equal(r.valid, false, `${what} passed validation`);
      assert.ok(
        r.problems.some((p) => where.test(p)),
        `${what}: ${r.problems.join("; ")}`,
      );
    }
  });

  it("repair: plan, apply, status and undo on a copied image, and a refusal, validate", async () => {
    const { root, image, state } = copyImage("corrupt-cache");
    try {
      const base = ["--image", image, "--state", state, "--json"];
      assertValid("repair", await json(["repair", "--step", "clear-cache", ...base]), "plan");
      const applied = (await json(["repair", "--step", "clear-cache", "--apply", ...base])) as {
        run: { header: { runId: string } };
      };
      assertValid("repair", applied, "apply");
      assertValid("repair", await json(["repair", "--status", ...base]), "status");
      assertValid("repair", await json(["undo", applied.run.header.runId, ...base]), "undo");
      assertValid("repair", await json(["undo", "no-such-run", ...base]), "a refusal");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("deliberately broken documents fail, each at the broken field", () => {
    assert.ok(checkDoc["findings"], "the impostor's check document was read");
    const broken = (edit: (d: Record<string, any>) => void): Record<string, unknown> => {
      const d = structuredClone(checkDoc) as Record<string, any>;
      edit(d);
      return d;
    };
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["host missing", broken((d) => delete d.host), /must have required property 'host'/],
      ["schemaVersion 1", broken((d) => (d.schemaVersion = 1)), /\/schemaVersion/],
      ["status not a status", broken((d) => (d.summary.status = "fine")), /\/summary\/status/],
      ["count as text", broken((d) => (d.summary.findings.critical = "2")), /\/summary\/findings\/critical/],
      ["unknown top-level key", broken((d) => (d.extra = 1)), /additional properties/],
      ["host id a number", broken((d) => (d.host.id = 42)), /\/host\/id/],
      ["severity unknown", broken((d) => (d.findings[0].severity = "fatal")), /\/findings\/0\/severity/],
      // stray-provider-dll evidence names its file: an evidence of another shape fails by id.
      [
        "evidence of another shape",
        broken((d) => (d.findings[1].evidence = { nothing: true })),
        /\/findings\/1\/evidence/,
      ],
      ["triage verdict unknown", broken((d) => (d.triage[0].verdict = "fine")), /\/triage\/0\/verdict/],
    ];
    for (const [what, doc, where] of cases) {
      const r = validateDocument("check", doc, 50);
      assert.equal(r.valid, false, `${what} passed validation`);
      assert.ok(
        r.problems.some((p) => where.test(p)),
        `${what}: ${r.problems.join("; ")}`,
      );
    }
    assert.equal(validateDocument("triage", { schemaVersion: 1 }).valid, false);
    assert.equal(validateDocument("repair", { schemaVersion: 1, run: 3 }).valid, false);
    assert.equal(validateDocument("bundle-manifest", { schemaVersion: 1, kind: "zip" }).valid, false);
  });
});
