/**
 * Bundle manifests are validated whole (issue 10): a real bundle (collected from the `healthy`
 * sample image) is rewritten with each field of `manifest.json` replaced by a value of the wrong
 * type (null, number for string, string for number, object for array, array for object, missing,
 * NaN-like strings, Infinity, negative and fractional sizes, huge arrays, `__proto__` keys). Every
 * field path of the real manifest is enumerated, so a field added to the manifest is covered too.
 * Each case must give `BundleError` `manifest-invalid` naming the field's JSON path, and exit 3
 * from the CLI with no `internal error`. The other JSON members the reader parses
 * (`snapshot/fs.json`, `registry/index.json`, `system.json`) get the same treatment: wrong types
 * are typed errors (`member-invalid`) or ignored, never a crash.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  BundleError,
  openBundle,
  sha256Hex,
  validateManifest,
  writeZipFile,
  type ZipInput,
} from "../../src/bundle/index.js";
import { EXAMPLES } from "../helpers/repo.js";
import { zipMembers } from "../helpers/zip-members.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-11-21T00:00:00Z";
let dir: string;
let members: ZipInput[];
let manifest: Record<string, unknown>;
let serial = 0;

/** A JSON value, or raw JSON text spliced in as is (for Infinity, `__proto__`), or removal. */
type Replacement = { value: unknown } | { raw: string } | { missing: true };

const text = (s: string) => new TextEncoder().encode(s);
const parse = (data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as unknown;

/** Writes a bundle with `manifestText` as its manifest and `changed` members replaced. */
async function writeVariant(manifestText: string, changed = new Map<string, Uint8Array>()): Promise<string> {
  const file = path.join(dir, `v${serial++}.zip`);
  const out = members.map((m) =>
    m.name === "manifest.json"
      ? { name: m.name, data: text(manifestText) }
      : { name: m.name, data: changed.get(m.name) ?? m.data },
  );
  await writeZipFile(file, out, new Date(AT));
  return file;
}

/** `json` (a deep copy) with the value at `at` (keys and indexes) replaced as asked, as JSON text. */
function replaced(json: unknown, at: ReadonlyArray<string | number>, r: Replacement): string {
  const copy = structuredClone(json) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of at.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  const RAW = "\u0000raw\u0000";
  if ("missing" in r) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = "raw" in r ? RAW : r.value;
  const s = JSON.stringify(copy);
  return "raw" in r ? s.replace(JSON.stringify(RAW), r.raw) : s;
}

/** The JSON path `$.members[0].size` of key path `at`. */
const jsonPath = (at: ReadonlyArray<string | number>) =>
  "$" + at.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join("");

/** Every leaf and container path of `v` (arrays: their first and last item only; they share a shape). */
function fieldPaths(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = at.length > 0 ? [at] : [];
  if (Array.isArray(v)) {
    for (const i of new Set([0, v.length - 1])) if (i >= 0) out.push(...fieldPaths(v[i], [...at, i]));
  } else if (typeof v === "object" && v !== null)
    for (const k of Object.keys(v)) out.push(...fieldPaths((v as Record<string, unknown>)[k], [...at, k]));
  return out;
}

/** Wrong values for a field holding `v`: every other JSON type, missing, and type-specific traps. */
function wrongValues(v: unknown, at: ReadonlyArray<string | number>): Array<[string, Replacement]> {
  // Array items and `caps` entries (a name → count map) may be absent; other fields may not.
  const inArray = typeof at[at.length - 1] === "number" || (at.length === 2 && at[0] === "caps");
  // `runId` and `host` are absent in older bundles; the host's names are absent when unknown.
  const optional =
    (at.length === 1 && (at[0] === "runId" || at[0] === "host")) ||
    (at.length === 2 && at[0] === "host" && at[1] !== "id" && at[1] !== "idSource");
  const common: Array<[string, Replacement]> = [
    ["null", { value: null }],
    ["boolean", { value: true }],
    ...(inArray || optional ? [] : ([["missing", { missing: true }]] as Array<[string, Replacement]>)),
  ];
  if (typeof v === "string")
    return [
      ...common,
      ["number", { value: 12 }],
      ["array", { value: [v] }],
      ["object", { value: { value: v } }],
    ];
  if (typeof v === "number")
    return [
      ...common,
      ["string", { value: String(v) }],
      ['"NaN"', { value: "NaN" }],
      ["Infinity (1e400)", { raw: "1e400" }],
      ["negative", { value: -1 }],
      ["fraction", { value: 0.5 }],
      ["array", { value: [v] }],
      ["object", { value: {} }],
    ];
  if (typeof v === "boolean")
    return [
      ...common.filter(([n]) => n !== "boolean"),
      ["string", { value: "true" }],
      ["number", { value: 1 }],
    ];
  if (Array.isArray(v))
    return [
      ...common,
      ["object for array", { value: { 0: v[0] } }],
      ["string", { value: "[]" }],
      ["huge array (10,001 items)", { value: Array.from({ length: 10_001 }, () => v[0] ?? "x") }],
    ];
  return [
    ...common,
    ["array for object", { value: [v] }],
    ["string", { value: "{}" }],
    ["__proto__ key", { raw: `{"__proto__":{"polluted":true}}` }],
  ];
}

describe("bundle JSON members with wrong types", () => {
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-manifest-"));
    const original = path.join(dir, "original.zip");
    const r = await runCli([
      "collect",
      "--image",
      path.join(EXAMPLES, "healthy"),
      "--out",
      original,
      "--at",
      AT,
    ]);
    assert.equal(r.code, 0, r.stderr);
    members = await zipMembers(original);
    manifest = parse(members.find((m) => m.name === "manifest.json")!.data) as Record<string, unknown>;
    // Make sure `notes` has an item, so its item path is enumerated too.
    (manifest["notes"] as string[]).push("a note");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("manifest.json is validated whole", () => {
    it("the rewritten (valid) manifest opens", async () => {
      (await openBundle(await writeVariant(JSON.stringify(manifest)))).close();
    });

    it("covers every field of the manifest", () => {
      const paths = fieldPaths(manifest).map(jsonPath);
      for (const p of [
        "$.schemaVersion",
        "$.kind",
        "$.tool.name",
        "$.tool.version",
        "$.createdAt",
        "$.runId",
        "$.host.id",
        "$.host.idSource",
        "$.mode",
        "$.source",
        "$.redacted",
        "$.caps",
        "$.notes[0]",
        "$.members[0].path",
        "$.members[0].size",
        "$.members[0].sha256",
      ])
        assert.ok(paths.includes(p), `${p} is enumerated`);
    });

    it("every field with a wrong type: manifest-invalid at its JSON path, exit 3, no internal error", async () => {
      let cases = 0;
      for (const at of fieldPaths(manifest)) {
        for (const [what, r] of wrongValues(getAt(manifest, at), at)) {
          const where = `${jsonPath(at)} = ${what}`;
          const file = await writeVariant(replaced(manifest, at, r));
          await assert.rejects(
            openBundle(file),
            (e: unknown) => {
              assert.ok(e instanceof BundleError, `${where}: a BundleError, got ${String(e)}`);
              assert.equal(e.code, "manifest-invalid", `${where}: ${e.message}`);
              // The offending field, or (for a forbidden key or a wrong container) a path inside it.
              assert.ok(
                e.path?.startsWith(`manifest.json#${jsonPath(at)}`) ||
                  (what === "missing" && e.path?.startsWith("manifest.json#")),
                `${where}: names the field, got ${e.path}`,
              );
              return true;
            },
            where,
          );
          cases++;
        }
      }
      assert.ok(cases > 100, `${cases} cases`);
    });

    it("field-specific traps: bad digests, times, modes, member paths, duplicates", async () => {
      const m0 = ["members", 0];
      const traps: Array<[Array<string | number>, unknown]> = [
        [[...m0, "sha256"], "NaN"],
        [[...m0, "sha256"], "A".repeat(64)],
        [[...m0, "sha256"], "0".repeat(63)],
        [["createdAt"], "NaN"],
        [["createdAt"], "yesterday"],
        [["createdAt"], "2026-13-45T99:99:99Z"],
        [["mode"], "bundle"],
        [["schemaVersion"], 2],
        [["kind"], "zip"],
        [["host", "idSource"], "guessed"],
        [[...m0, "path"], "../escape"],
        [[...m0, "path"], "/absolute"],
        [[...m0, "path"], "manifest.json"],
        [[...m0, "path"], ""],
        [["members", 1], (manifest["members"] as unknown[])[0]],
      ];
      for (const [at, value] of traps) {
        const where = `${jsonPath(at)} = ${JSON.stringify(value)}`;
        const file = await writeVariant(replaced(manifest, at, { value }));
        await assert.rejects(openBundle(file), { code: "manifest-invalid" }, where);
        const r = await runCli(["check", "--bundle", file, "--at", AT]);
        assert.equal(r.code, 3, where);
        assert.match(r.stderr, /manifest-invalid/, where);
        assert.doesNotMatch(r.stderr, /internal error/, where);
        assert.equal(r.stdout, "", where);
      }
    });

    it("the CLI exits 3 with manifest-invalid and no internal error for wrong types (check and triage)", async () => {
      const samples: Array<[Array<string | number>, Replacement]> = [
        [["members"], { value: {} }],
        [["members", 0], { value: null }],
        [["members", 0, "size"], { value: "12" }],
        [["tool"], { value: [] }],
        [["notes"], { value: null }],
        [["caps"], { raw: `{"__proto__":{"x":1}}` }],
        [[], { value: [] }],
      ];
      for (const [at, r] of samples) {
        const text = at.length === 0 ? "[]" : replaced(manifest, at, r);
        const file = await writeVariant(text);
        for (const verb of ["check", "triage"]) {
          const out = await runCli([verb, "--bundle", file]);
          const where = `${verb}: ${jsonPath(at)}`;
          assert.equal(out.code, 3, where);
          assert.match(out.stderr, /manifest-invalid/, where);
          assert.doesNotMatch(out.stderr, /internal error|\n\s+at /, where);
        }
      }
    });

    it("unknown fields are ignored and not carried into the validated manifest", () => {
      const v = validateManifest({ ...manifest, extra: { a: 1 } }) as unknown as Record<string, unknown>;
      assert.equal(v["extra"], undefined);
      assert.equal(v["schemaVersion"], 1);
    });
  });

  /** The value at key path `at` of `v`. */
  function getAt(v: unknown, at: ReadonlyArray<string | number>): unknown {
    let cur = v as Record<string | number, unknown>;
    for (const k of at) cur = cur[k] as Record<string | number, unknown>;
    return cur;
  }

  describe("the other JSON members the reader parses", () => {
    /** A bundle with member `name` replaced by `json` and the manifest resealed (sha256, size). */
    async function resealed(name: string, json: string): Promise<string> {
      const data = text(json);
      const m = structuredClone(manifest) as {
        members: Array<{ path: string; size: number; sha256: string }>;
      };
      const entry = m.members.find((x) => x.path === name)!;
      entry.size = data.length;
      entry.sha256 = sha256Hex(data);
      return writeVariant(JSON.stringify(m), new Map([[name, data]]));
    }
    const original = (name: string) => parse(members.find((m) => m.name === name)!.data);

    it("snapshot/fs.json and registry/index.json: wrong types are member-invalid (exit 3), never internal errors", async () => {
      const fs = original("snapshot/fs.json") as { entries: Array<Record<string, unknown>> };
      const withContent = fs.entries.findIndex((e) => e["content"] !== undefined);
      const withStat = fs.entries.findIndex((e) => e["stat"] !== undefined && e["stat"] !== null);
      const cases: Array<[string, Array<string | number>, Replacement]> = [
        ["snapshot/fs.json", ["version"], { value: "1" }],
        ["snapshot/fs.json", ["entries"], { value: {} }],
        ["snapshot/fs.json", ["entries", 0], { value: null }],
        ["snapshot/fs.json", ["entries", 0], { value: [] }],
        ["snapshot/fs.json", ["entries", 0, "path"], { value: 5 }],
        ["snapshot/fs.json", ["entries", 0, "head"], { value: null }],
        ["snapshot/fs.json", ["entries", 0, "head"], { value: { member: "x", length: -1 } }],
        ["snapshot/fs.json", ["entries", 0, "list"], { value: [null] }],
        ["snapshot/fs.json", ["entries", withContent, "content"], { value: [] }],
        ["snapshot/fs.json", ["entries", withContent, "content", "size"], { value: -5 }],
        ["snapshot/fs.json", ["entries", withContent, "content", "size"], { raw: "1e400" }],
        ["snapshot/fs.json", ["entries", withStat, "stat", "size"], { value: "1" }],
        ["snapshot/fs.json", ["entries", withStat, "stat", "mtime"], { value: "NaN" }],
        ["snapshot/fs.json", ["entries", withStat, "stat", "kind"], { value: "fifo" }],
        ["registry/index.json", ["version"], { value: null }],
        ["registry/index.json", ["hives"], { value: "HKLM" }],
        ["registry/index.json", ["hives", 0], { value: null }],
        ["registry/index.json", ["hives", 0, "member"], { value: 1 }],
        ["registry/index.json", ["users"], { value: [{ user: 1, root: "HKU\\x" }] }],
      ];
      for (const [name, at, r] of cases) {
        const where = `${name} ${jsonPath(at)}`;
        const file = await resealed(name, replaced(original(name), at, r));
        const out = await runCli(["check", "--bundle", file, "--at", AT]);
        assert.equal(out.code, 3, `${where}: ${out.stderr}`);
        assert.match(out.stderr, /member-invalid/, where);
        assert.doesNotMatch(out.stderr, /internal error|\n\s+at /, where);
      }
    });

    it("system.json: a wrong-typed free disk space is ignored (not visible), never a crash", async () => {
      for (const bad of ['"12"', "-5", "null", "1e400", "[1]"]) {
        const file = await resealed("system.json", `{"freeDiskBytes":${bad}}`);
        const out = await runCli(["check", "--bundle", file, "--at", AT, "--json"]);
        assert.doesNotMatch(out.stderr, /internal error/, bad);
        assert.ok([0, 1, 2].includes(out.code), `${bad}: exit ${out.code} ${out.stderr}`);
        const doc = JSON.parse(out.stdout) as { unknown?: Record<string, string> };
        assert.ok(JSON.stringify(doc).includes("free disk space"), `${bad}: free space reported unknown`);
      }
    });
  });
});
