/**
 * The boundaries of issue 11 hold in the source tree: adapters live in src/adapters only, no core
 * module imports an adapter, the tool-output parsers do no I/O, and byte caps of whole-file reads
 * are named in src/limits.ts only.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { DEFAULT_READ_LIMITS } from "../../src/bundle/index.js";
import { READ_LIMITS } from "../../src/limits.js";
import { REPO_ROOT } from "../helpers/repo.js";

const SRC = path.join(REPO_ROOT, "src");

/** Every .ts file under `dir`, relative to the repository root, with `/` separators. */
function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) out.push(path.relative(REPO_ROOT, p).split(path.sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** The module specifiers `file` imports or re-exports. */
function imports(file: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), "utf8");
  return [...text.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

/** The repository path an import of `spec` from `file` names (relative specifiers only). */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  return path.posix.join(path.posix.dirname(file), spec);
}

describe("source-tree boundaries", () => {
  const files = sources(SRC);

  it("has dissolved src/snapshot and src/registry/ports", () => {
    assert.ok(files.length > 100, "the source tree was found");
    assert.deepEqual(
      files.filter((f) => f.startsWith("src/snapshot/") || f.startsWith("src/registry/ports/")),
      [],
    );
  });

  // The composition layers sit above the adapters: the CLI, the app services (the library calls,
  // which open sources) and the public face (src/index.ts, which exports openSource).
  const COMPOSERS = ["src/adapters/", "src/cli/", "src/app/", "src/index.ts"];

  it("no core module imports an adapter (only src/adapters, src/cli, src/app and src/index.ts do)", () => {
    const offenders = files
      .filter((f) => !COMPOSERS.some((c) => f.startsWith(c)))
      .flatMap((f) => imports(f).map((s) => [f, target(f, s)] as const))
      .filter(([, t]) => t?.startsWith("src/adapters/"))
      .map(([f, t]) => `${f} → ${t}`);
    assert.deepEqual(offenders, []);
  });

  it("the tool-output parsers and the ports do no I/O", () => {
    const pure = files.filter((f) => f.startsWith("src/windows/tool-output/") || f.startsWith("src/ports/"));
    assert.ok(pure.length >= 10);
    const offenders = pure.filter((f) => imports(f).some((s) => s.startsWith("node:")));
    assert.deepEqual(offenders, []);
  });

  it("every class implementing a source port is an adapter (or the pure tree port)", () => {
    const implementers = files.filter((f) =>
      /\bimplements\s+(FileSystemPort|RegistryPort|PrefetchingRegistryPort|BundleFileSystemPort)\b/.test(
        readFileSync(path.join(REPO_ROOT, f), "utf8"),
      ),
    );
    assert.ok(implementers.length >= 5);
    assert.deepEqual(
      implementers.filter(
        (f) => !f.startsWith("src/adapters/") && f !== "src/registry/model/tree-registry-port.ts",
      ),
      [],
    );
  });

  it("byte caps are written in src/limits.ts; elsewhere only budgets and parsers' structural limits", () => {
    // Files allowed a MiB-sized literal, and why: none of them caps a whole-file read.
    const allowed = new Set([
      "src/limits.ts", // the read caps
      "src/bundle/limits.ts", // what collect carries (a write budget) and the zip's ratio floor
      "src/bundle/fs-index.ts", // MAX_CARRIED_BYTES: the carry budget of collect
      "src/bundle/bundle-reader.ts", // CACHE_BUDGET_BYTES: members kept in memory
      "src/registry/hive/limits.ts", // value and big-data sizes inside a hive
      "src/windows/certificate-stores.ts", // a certificate blob inside a registry value
      "src/windows/tool-output/reg-query-output.ts", // reg query output, in UTF-16 code units
      "src/runbook/engine.ts", // SPACE_MARGIN: free space kept on the volume
      "src/triage/thresholds.ts", // the seed's "File size" row (a verdict threshold)
    ]);
    const literal = /\d\s*\*\s*1024\s*\*\s*1024|\*\s*(MiB|GiB)\b/;
    const offenders = files.filter(
      (f) => !allowed.has(f) && literal.test(readFileSync(path.join(REPO_ROOT, f), "utf8")),
    );
    assert.deepEqual(offenders, []);
  });

  it("the bundle reader's byte caps are the read caps of src/limits.ts", () => {
    assert.equal(DEFAULT_READ_LIMITS.maxEntryBytes, READ_LIMITS.bundleMemberBytes);
    assert.equal(DEFAULT_READ_LIMITS.maxTotalBytes, READ_LIMITS.bundleMembersTotalBytes);
    assert.equal(DEFAULT_READ_LIMITS.maxJsonBytes, READ_LIMITS.bundleJsonBytes);
    assert.ok(READ_LIMITS.bundleFileBytes >= READ_LIMITS.bundleMembersTotalBytes);
  });
});
