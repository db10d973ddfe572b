/**
 * The npm bin's per-verb bundles (scripts/build-bin.ts, bin/cli-entry.cjs): built by the same
 * `npm run build` (and so `npm test`) that compiled these tests, from these very sources; the bin
 * runs them, and falls back to the tsc output whenever a bundle is missing or older; each verb's
 * bundle carries its own verb only; iconv-lite's double-byte tables stay outside and still decode.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { copyFile, cp, mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import iconv from "iconv-lite";
import { VERBS } from "../../src/cli/main.js";
import {
  VERB_ALIASES,
  VERB_BUNDLES,
  binBundleOptions,
  sourceFingerprint,
  type BinManifest,
} from "../../scripts/build-bin.js";
import { REPO_ROOT } from "../helpers/repo.js";

const BIN_DIR = path.join(REPO_ROOT, "dist", "bin");
const MANIFEST = path.join(BIN_DIR, "verbs.json");
// bin/cli-entry.cjs is plain JavaScript outside the TypeScript project.
const CLI_ENTRY = pathToFileURL(path.join(REPO_ROOT, "bin", "cli-entry.cjs")).href;
const { WRAPPER_HEAD, cliEntry, codeCacheEnvelope, codeCacheFile, loadBundle, readCodeCache } = (await import(
  CLI_ENTRY
)) as {
  WRAPPER_HEAD: string;
  loadBundle: (file: string) => { exports: Record<string, unknown>; cache: string };
  cliEntry: (verb: string | undefined, root?: string) => { kind: string; file: string; exportName: string };
  codeCacheEnvelope: (bundleBytes: Buffer, payload: Buffer) => Buffer;
  codeCacheFile: (bundle: string) => string;
  readCodeCache: (
    cacheFile: string,
    bundleBytes: Buffer,
    scratch?: Buffer,
  ) => { payload: Buffer } | { refused: string };
};

/** Loads `bundle` as the bin does in a fresh process, runs `args`; its cache status, exit code and output. */
function runBundle(bundle: string, args: string[]): { cache: string; status: number; stdout: string } {
  const script = [
    `import { loadBundle } from ${JSON.stringify(CLI_ENTRY)};`,
    `const { exports, cache } = loadBundle(${JSON.stringify(bundle)});`,
    "process.stderr.write(`cache=${cache}\\n`);",
    "process.exitCode = await exports.run(process.argv.slice(1));",
  ].join("\n");
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, "--", ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });
  const cache = /cache=(\S+)/.exec(r.stderr)?.[1] ?? `none (${r.stderr.slice(-400)})`;
  return { cache, status: r.status ?? -1, stdout: r.stdout };
}

const scratch: string[] = [];
after(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe("npm bin bundles", () => {
  it("were built from the sources as they are now (npm run build bundles right after tsc)", async () => {
    assert.ok(existsSync(MANIFEST), "dist/bin/verbs.json is missing: npm test runs `npm run build` first");
    const manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as BinManifest;
    assert.equal(
      manifest.sources,
      await sourceFingerprint(REPO_ROOT),
      "dist/bin was built from other sources",
    );
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(manifest.version, pkg.version);
  });

  it("are what the bin runs: one bundle per verb of src/cli/main.ts, all.js for anything else", () => {
    const manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as BinManifest;
    assert.deepEqual(
      Object.keys(manifest.verbs).sort(),
      [...Object.keys(VERBS), "*"].sort(),
      "verbs.json and main.ts VERBS name the same verbs",
    );
    assert.deepEqual(
      [...Object.keys(VERB_BUNDLES), ...Object.keys(VERB_ALIASES)].sort(),
      Object.keys(VERBS).sort(),
    );
    for (const verb of [...Object.keys(VERBS), undefined, "--help", "no-such-verb"]) {
      const entry = cliEntry(verb);
      assert.equal(entry.kind, "bundle", `${verb}: ${entry.file}`);
      assert.ok(existsSync(entry.file), entry.file);
    }
    assert.equal(cliEntry("triage").file, path.join(BIN_DIR, "triage.cjs"));
    assert.equal(cliEntry("undo").file, path.join(BIN_DIR, "repair.cjs"));
    assert.equal(cliEntry("--version").file, path.join(BIN_DIR, "all.cjs"));
    assert.equal(cliEntry("__proto__").file, path.join(BIN_DIR, "all.cjs"));
  });

  it("carry only their own verb: triage's bundle has no other verb, no ajv and no iconv-lite table", () => {
    const triage = readFileSync(path.join(BIN_DIR, "triage.cjs"), "utf8");
    assert.match(triage, /registerTriageCommand/);
    for (const other of ["registerCheckCommand", "registerRepairCommands", "registerFleetCommand", "Ajv"])
      assert.doesNotMatch(triage, new RegExp(other), `${other} is in triage.cjs`);
    assert.match(triage, /require\("iconv-lite\/encodings\/tables\/cp936\.json"\)/);
    const all = readFileSync(path.join(BIN_DIR, "all.cjs"), "utf8");
    for (const every of ["registerTriageCommand", "registerCheckCommand", "registerFleetCommand"])
      assert.match(all, new RegExp(every), `${every} is missing from all.js`);
  });

  it("run the verbs like the tsc build: the same help, version and triage output through either", () => {
    const bin = path.join(REPO_ROOT, "bin", "koff-doctor.cjs");
    const tsc = path.join(REPO_ROOT, "dist", "src", "cli", "main.js");
    const viaTsc = (args: string[]) =>
      execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { main } from ${JSON.stringify(pathToFileURL(tsc).href)}; process.exitCode = await main(process.argv.slice(1));`,
          "--",
          ...args,
        ],
        { encoding: "utf8" },
      );
    const viaBin = (args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: "utf8" });
    const dll = path.join(REPO_ROOT, "fixtures", "pe", "tiny-x64.dll");
    for (const args of [["--help"], ["--version"], ["triage", "--help"], ["explain", "--help"]])
      assert.equal(viaBin(args), viaTsc(args), args.join(" "));
    const run = (via: typeof viaBin) => {
      try {
        return via(["triage", dll]);
      } catch (e) {
        const failed = e as { status: number; stdout: string };
        assert.equal(failed.status, 1, "triage of the tiny unsigned DLL: suspicious");
        return failed.stdout;
      }
    };
    const text = run(viaBin);
    assert.match(text, /^SUSPICIOUS {2}/);
    assert.equal(text, run(viaTsc));
  });

  it("are skipped for the tsc output when missing, or older than it (only tsc ran after an edit)", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "koff-bin-entry-"));
    scratch.push(root);
    const prefix = root + path.sep;
    await mkdir(path.join(root, "dist", "src", "cli"), { recursive: true });
    const tsc = path.join(root, "dist", "src", "cli", "main.js");
    await writeFile(tsc, "export const main = async () => 0;\n");
    assert.deepEqual(cliEntry("triage", prefix), { kind: "tsc", file: tsc, exportName: "main" }, "no bundle");
    await cp(BIN_DIR, path.join(root, "dist", "bin"), { recursive: true });
    const manifest = path.join(root, "dist", "bin", "verbs.json");
    await utimes(tsc, new Date("2026-01-01T00:00:00Z"), new Date("2026-01-01T00:00:00Z"));
    await utimes(manifest, new Date("2026-01-01T00:00:01Z"), new Date("2026-01-01T00:00:01Z"));
    assert.equal(cliEntry("triage", prefix).kind, "bundle", "bundle built after tsc");
    // npm pack stamps every file with one time: equal times run the bundle.
    await utimes(manifest, new Date("2026-01-01T00:00:00Z"), new Date("2026-01-01T00:00:00Z"));
    assert.equal(cliEntry("triage", prefix).kind, "bundle", "same time (an installed tarball)");
    await utimes(tsc, new Date("2026-01-01T00:00:02Z"), new Date("2026-01-01T00:00:02Z"));
    assert.equal(cliEntry("triage", prefix).kind, "tsc", "tsc ran after the bundle was built");
    await utimes(tsc, new Date("2026-01-01T00:00:00Z"), new Date("2026-01-01T00:00:00Z"));
    for (const broken of ["not json", '{"verbs":{"triage":"../../evil.js","*":"all.js"}}', '{"verbs":7}']) {
      await writeFile(manifest, broken);
      await utimes(manifest, new Date("2026-01-01T00:00:01Z"), new Date("2026-01-01T00:00:01Z"));
      assert.equal(cliEntry("triage", prefix).kind, "tsc", broken);
    }
  });

  it("carry a V8 code cache made for them, which this Node accepts", () => {
    const manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as BinManifest;
    for (const file of new Set(Object.values(manifest.verbs))) {
      const bundle = path.join(BIN_DIR, file);
      const cache = readCodeCache(codeCacheFile(bundle), readFileSync(bundle));
      assert.ok("payload" in cache, `${file}: ${JSON.stringify(cache)}`);
      assert.ok(cache.payload.length > 1000, file);
      assert.ok(
        readFileSync(bundle).every((b) => b < 0x80),
        `${file} is ASCII (a one-byte string for V8)`,
      );
      assert.ok(
        readFileSync(bundle, "latin1").startsWith(`${WRAPPER_HEAD}var __koffImportMetaUrl=`),
        `${file} is written inside the loader's function wrapper (compiled as read)`,
      );
    }
    const dll = path.join(REPO_ROOT, "fixtures", "pe", "tiny-x64.dll");
    const run = runBundle(path.join(BIN_DIR, "triage.cjs"), ["triage", dll]);
    assert.equal(run.cache, "used");
    assert.equal(run.status, 1);
    assert.match(run.stdout, /^SUSPICIOUS {2}/);
  });

  it("carry code caches made under the bin's V8 flags, which loadBundle sets whatever Node started with", () => {
    const bundle = path.join(BIN_DIR, "check.cjs");
    // Compiles the bundle with its cache in a fresh process, after `setup`; whether V8 refused it.
    const rejected = (setup: string, nodeArgs: string[] = []) => {
      const script = [
        `const { readFileSync } = require("node:fs");`,
        `const vm = require("node:vm");`,
        `const entry = require(${JSON.stringify(path.join(REPO_ROOT, "bin", "cli-entry.cjs"))});`,
        setup,
        `const bytes = readFileSync(${JSON.stringify(bundle)});`,
        `const cache = entry.readCodeCache(entry.codeCacheFile(${JSON.stringify(bundle)}), bytes);`,
        `const s = new vm.Script(bytes.toString("latin1"), { filename: ${JSON.stringify(bundle)}, cachedData: cache.payload });`,
        `process.stdout.write(String(s.cachedDataRejected));`,
      ].join("\n");
      const r = spawnSync(process.execPath, [...nodeArgs, "-e", script], {
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    assert.equal(rejected(""), "true", "V8's default flags refuse the cache");
    assert.equal(rejected(`require("node:v8").setFlagsFromString(entry.V8_FLAGS);`), "false");
    const run = spawnSync(
      process.execPath,
      [
        "--interrupt-budget=1000",
        "-e",
        `const e = require(${JSON.stringify(path.join(REPO_ROOT, "bin", "cli-entry.cjs"))}); process.stdout.write(e.loadBundle(${JSON.stringify(bundle)}).cache);`,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(run.stdout, "used", run.stderr);
  });

  it("run a one-file triage without opening stdin when stdout is not a terminal", async () => {
    // `process.stdin` is made on first use: a socket, and node:net with it, when stdin is a pipe.
    const dir = await mkdtemp(path.join(os.tmpdir(), "koff-stdin-"));
    scratch.push(dir);
    const preload = path.join(dir, "watch-stdin.cjs");
    await writeFile(
      preload,
      [
        'const get = Object.getOwnPropertyDescriptor(process, "stdin").get;',
        "let opened = false;",
        'Object.defineProperty(process, "stdin", { configurable: true, get() { opened = true; return get.call(process); } });',
        'process.on("exit", () => process.stderr.write(`stdin-opened=${opened}\\n`));',
      ].join("\n"),
    );
    const dll = path.join(REPO_ROOT, "fixtures", "pe", "tiny-x64.dll");
    const r = spawnSync(
      process.execPath,
      ["-r", preload, path.join(REPO_ROOT, "bin", "koff-doctor.cjs"), "triage", dll],
      {
        encoding: "utf8",
        input: "",
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^SUSPICIOUS {2}/);
    assert.match(r.stderr, /stdin-opened=false/);
  });

  it("read their code cache into the bundle's own memory when it fits, after hashing the bundle", () => {
    const bundle = path.join(BIN_DIR, "triage.cjs");
    const bundleBytes = readFileSync(bundle);
    const alone = readCodeCache(codeCacheFile(bundle), bundleBytes);
    assert.ok("payload" in alone);
    const room = Buffer.alloc(Math.max(bundleBytes.length, alone.payload.length + 72) + 16);
    bundleBytes.copy(room);
    const shared = readCodeCache(codeCacheFile(bundle), room.subarray(0, bundleBytes.length), room);
    assert.ok("payload" in shared, "the bundle's digest is taken before its bytes are overwritten");
    assert.equal(shared.payload.buffer, room.buffer, "read into the memory given");
    assert.ok(shared.payload.equals(alone.payload));
    const small = Buffer.from(bundleBytes.subarray(0, 100));
    const own = readCodeCache(codeCacheFile(bundle), bundleBytes, small);
    assert.ok("payload" in own && own.payload.equals(alone.payload), "a buffer too small is left alone");
    assert.ok(small.equals(bundleBytes.subarray(0, 100)));
  });

  it("run from source, with the same result, when the code cache is stale, foreign, corrupt, cut, a folder or a FIFO", async () => {
    // Beside the real bundles' folder, so their external modules resolve from node_modules.
    const dir = path.join(REPO_ROOT, "dist", "test-bundles", "code-cache");
    scratch.push(dir);
    await mkdir(dir, { recursive: true });
    const bundle = path.join(dir, "triage.cjs");
    const cacheFile = codeCacheFile(bundle);
    await copyFile(path.join(BIN_DIR, "triage.cjs"), bundle);
    const good = readFileSync(codeCacheFile(path.join(BIN_DIR, "triage.cjs")));
    const args = ["triage", path.join(REPO_ROOT, "fixtures", "pe", "tiny-x64.dll")];
    const reference = runBundle(path.join(BIN_DIR, "triage.cjs"), args);
    assert.equal(reference.status, 1);
    const flipped = Buffer.from(good);
    const middle = Math.floor(good.length / 2);
    flipped[middle] = (flipped[middle] ?? 0) ^ 0xff;
    const registry = path.join(BIN_DIR, "registry.cjs");
    const registryPayload = readCodeCache(codeCacheFile(registry), readFileSync(registry));
    assert.ok("payload" in registryPayload);
    const cases: Array<[string, () => Promise<void>, string]> = [
      ["intact", () => writeFile(cacheFile, good), "used"],
      ["absent", () => rm(cacheFile, { force: true }), "absent"],
      ["empty", () => writeFile(cacheFile, ""), "malformed"],
      ["a payload byte flipped", () => writeFile(cacheFile, flipped), "corrupt"],
      ["cut in half", () => writeFile(cacheFile, good.subarray(0, Math.floor(good.length / 2))), "corrupt"],
      ["cut inside the header", () => writeFile(cacheFile, good.subarray(0, 20)), "malformed"],
      ["another bundle's cache", () => copyFile(codeCacheFile(registry), cacheFile), "stale"],
      // A well-formed envelope around V8 data made for other code: V8 itself refuses it.
      [
        "V8 data of another bundle, re-sealed",
        () => writeFile(cacheFile, codeCacheEnvelope(readFileSync(bundle), registryPayload.payload)),
        "rejected",
      ],
      ["a folder", () => mkdir(cacheFile), "not-a-file"],
    ];
    if (process.platform !== "win32")
      cases.push([
        "a FIFO with no writer",
        async () => void execFileSync("mkfifo", [cacheFile]),
        "not-a-file",
      ]);
    for (const [name, make, expected] of cases) {
      await rm(cacheFile, { recursive: true, force: true });
      await make();
      const run = runBundle(bundle, args);
      assert.equal(run.cache, expected, name);
      assert.equal(run.status, reference.status, name);
      assert.equal(run.stdout.replaceAll(dir, BIN_DIR), reference.stdout, name);
    }
    // The bundle edited after its cache was made (same length: V8's own check is not enough).
    await rm(cacheFile, { recursive: true, force: true });
    await writeFile(cacheFile, good);
    const source = readFileSync(bundle, "latin1");
    assert.equal(
      source.split('"no Authenticode signature"').length,
      2,
      "the text to edit is in the bundle once",
    );
    await writeFile(
      bundle,
      source.replace('"no Authenticode signature"', '"NO Authenticode signature"'),
      "latin1",
    );
    const edited = runBundle(bundle, args);
    assert.equal(edited.cache, "stale");
    assert.match(edited.stdout, /NO Authenticode signature/, "the edited bundle runs, not the cached code");
  });

  it("have no import() (a vm.Script cannot run it without an experimental flag): fleet still loads pglite", async () => {
    const manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as BinManifest;
    for (const file of new Set(Object.values(manifest.verbs)))
      assert.doesNotMatch(readFileSync(path.join(BIN_DIR, file), "latin1"), /[^\w$.]import\(/, file);
    const dir = await mkdtemp(path.join(os.tmpdir(), "koff-bin-pglite-"));
    scratch.push(dir);
    const bin = path.join(REPO_ROOT, "bin", "koff-doctor.cjs");
    const r = spawnSync(
      process.execPath,
      [bin, "fleet", "summary", "--db", `pglite:${path.join(dir, "db")}`],
      {
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Fleet: 0 hosts/);
    assert.equal(r.stderr, "", "no warning");
  });

  it("keep iconv-lite's double-byte tables outside and still decode code page 936 with them", async () => {
    // The same options as the bin's bundles, for decodeOem alone, written beside them so the
    // tables resolve from the package's node_modules as they do at run time.
    const dir = path.join(REPO_ROOT, "dist", "test-bundles");
    scratch.push(dir);
    const esbuild = await import("esbuild");
    const outfile = path.join(dir, "oem.cjs");
    await esbuild.build({
      ...(await binBundleOptions()),
      stdin: {
        contents: 'export { decodeOem } from "./tool-output/oem-code-page.js";\n',
        resolveDir: path.join(REPO_ROOT, "src", "windows"),
        loader: "ts",
      },
      outfile,
    });
    const bundled = readFileSync(outfile, "utf8");
    assert.doesNotMatch(bundled, /"\u554a"|\\u554a/, "no table is inlined");
    // As the bin loads a bundle (it is written inside the function wrapper, not as a plain module).
    const { decodeOem } = loadBundle(outfile).exports as {
      decodeOem: (b: Uint8Array, cp: number) => string;
    };
    const gbk = iconv.encode("\u4e2d\u6587 \u6d4b\u8bd5", "cp936");
    assert.equal(decodeOem(gbk, 936), "\u4e2d\u6587 \u6d4b\u8bd5");
    assert.equal(decodeOem(iconv.encode("\u00e9t\u00e9", "cp850"), 850), "\u00e9t\u00e9");
  });

  it("rely on no module of src/ being imported for its side effects alone (sourcesWithoutSideEffects)", () => {
    const bare: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.name.endsWith(".ts") && /^\s*import\s+["']/m.test(readFileSync(full, "utf8")))
          bare.push(full);
      }
    };
    walk(path.join(REPO_ROOT, "src"));
    assert.deepEqual(bare, [], 'a bare `import "./x.js"` would be dropped from the bin\'s bundles');
  });
});
