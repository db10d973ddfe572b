// Which code bin/koff-doctor.cjs runs for a verb, and how a bundle is loaded.
//
// Which: the verb's bundle in dist/bin/ (scripts/build-bin.ts, built by `npm run build` right
// after tsc), or the tsc output dist/src/cli/main.js when there is no bundle or the bundle is
// older than the tsc output (someone ran only `tsc` after editing src/). Both run the same command
// line; the bundle only starts faster. A full `tsc` rewrites every output, so after it the
// fallback is the code just compiled. `tsc --watch` rewrites only the files that changed, which
// this check cannot see: after it, run `npm run build`.
//
// How: a bundle is a CommonJS file compiled with `vm.Script` and the V8 code cache that the build
// wrote beside it (`<verb>.cache`, https://nodejs.org/docs/latest-v20.x/api/vm.html#scriptcreatecacheddata),
// so V8 deserializes the bundle's compiled code instead of parsing it. The cache is only a hint:
// V8 itself refuses one made by another Node version or with other V8 flags, and V8 does not
// check the cache's bytes in release builds, so the cache file carries SHA-256 digests of the
// bundle it was made for and of its own payload, checked here first. Any cache that is missing,
// unreadable, not a regular file, stale, corrupt or refused is ignored: the bundle is compiled
// from its source, as without a cache.
//
// CommonJS, like the bundles: an ES module launcher would start Node's ES module loader and build
// an ES module facade of each built-in it imports (node:fs's reads every export, loading
// node:stream), about 3 ms of a one-file triage's start-up, before the bundle's first line.
"use strict";
const { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync } = require("node:fs");
const { createHash } = require("node:crypto");
const { createRequire } = require("node:module");
const path = require("node:path");
const vm = require("node:vm");
const { isAscii } = require("node:buffer");
const { setFlagsFromString } = require("node:v8");

const ROOT = path.join(__dirname, "..") + path.sep;

/**
 * The module to run for `verb` (the first argument), under the package root `root`.
 * @param {string | undefined} verb
 * @param {string} [root] the package root, with a trailing separator
 * @returns {{ kind: "bundle" | "tsc", file: string, exportName: "run" | "main" }}
 */
function cliEntry(verb, root = ROOT) {
  const tsc = `${root}dist/src/cli/main.js`;
  const manifest = `${root}dist/bin/verbs.json`;
  const built = statSync(manifest, { throwIfNoEntry: false });
  const compiled = statSync(tsc, { throwIfNoEntry: false });
  if (built && (!compiled || built.mtimeMs >= compiled.mtimeMs)) {
    try {
      const { verbs } = JSON.parse(readFileSync(manifest, "utf8"));
      const file = verb !== undefined && Object.hasOwn(verbs, verb) ? verbs[verb] : verbs["*"];
      if (typeof file === "string" && /^[a-z-]+\.cjs$/.test(file))
        return { kind: "bundle", file: `${root}dist/bin/${file}`, exportName: "run" };
    } catch {
      // An unreadable manifest: run the tsc output.
    }
  }
  return { kind: "tsc", file: tsc, exportName: "main" };
}

/**
 * Verbs that only read and report: once their run has settled, nothing of theirs is left to
 * finish, and the launcher ends the process there (bin/koff-doctor.cjs). The others write files,
 * run programs or talk to a database, and end when the event loop has drained.
 */
const ENDS_WITH_ITS_RUN = new Set(["triage", "check", "explain"]);

/**
 * Whether the run of `verb` (the first argument) ends the process as soon as it settles.
 * @param {string | undefined} verb
 * @returns {boolean}
 */
function endsWithItsRun(verb) {
  return verb !== undefined && ENDS_WITH_ITS_RUN.has(verb);
}

/** The code cache file of a bundle: `triage.cjs` → `triage.cache`. */
function codeCacheFile(bundle) {
  return bundle.replace(/\.cjs$/, "") + ".cache";
}

/** The first bytes of a code cache file (then SHA-256 of the bundle, SHA-256 of the payload, the payload). */
const MAGIC = Buffer.from("KOFFV8C1", "latin1");
const HEADER = MAGIC.length + 64;
/** A code cache is about half its bundle's size; anything far larger is not one. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

const sha256 = (bytes) => createHash("sha256").update(bytes).digest();

/**
 * The code cache file for the bundle whose bytes are `bundleBytes` and whose V8 cached data is
 * `payload` (what build-bin writes to {@link codeCacheFile}).
 * @param {Buffer} bundleBytes
 * @param {Buffer} payload
 * @returns {Buffer}
 */
function codeCacheEnvelope(bundleBytes, payload) {
  return Buffer.concat([MAGIC, sha256(bundleBytes), sha256(payload), payload]);
}

/**
 * The V8 cached data in `cacheFile` when it was made for exactly `bundleBytes` and is intact,
 * otherwise the reason it is not used. Never blocks: a FIFO or device is refused unread.
 * @param {string} cacheFile
 * @param {Buffer} bundleBytes
 * @param {Buffer} [scratch] memory the cache may be read into when it fits (it may be
 *   `bundleBytes` itself, which is hashed first); otherwise the cache gets a buffer of its own.
 * @returns {{ payload: Buffer } | { refused: "absent" | "not-a-file" | "malformed" | "stale" | "corrupt" }}
 */
function readCodeCache(cacheFile, bundleBytes, scratch) {
  let fd;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one.
    fd = openSync(cacheFile, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return { refused: "absent" };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { refused: "not-a-file" };
    if (stat.size < HEADER || stat.size > MAX_CACHE_BYTES) return { refused: "malformed" };
    const bundleDigest = sha256(bundleBytes);
    const bytes =
      scratch !== undefined && scratch.length >= stat.size
        ? scratch.subarray(0, stat.size)
        : Buffer.allocUnsafe(stat.size);
    let got = 0;
    for (let n; got < bytes.length && (n = readSync(fd, bytes, got, bytes.length - got, got)) > 0;) got += n;
    if (got !== bytes.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
      return { refused: "malformed" };
    if (!bytes.subarray(MAGIC.length, MAGIC.length + 32).equals(bundleDigest)) return { refused: "stale" };
    const payload = bytes.subarray(HEADER);
    if (!bytes.subarray(MAGIC.length + 32, HEADER).equals(sha256(payload))) return { refused: "corrupt" };
    return { payload };
  } catch {
    return { refused: "malformed" };
  } finally {
    closeSync(fd);
  }
}

/**
 * The V8 flags a bundle runs under. `--interrupt-budget` is how much bytecode a function runs
 * between two looks at whether to optimize it (V8's default 67,584 bytes, src/flags/flag-definitions.h,
 * https://github.com/v8/v8/blob/11.3.244.8/src/flags/flag-definitions.h): eight times as much
 * spares a short run from optimizing, on background threads, functions it calls a few thousand
 * times and then never again (`check --image` of the healthy sample: 2.67× → 2.33× the CPU of
 * `node -e 0`; a one-file triage 1.79× → 1.68×), and a long run barely notices (`triage -r` over
 * 200 MB of Wine's DLLs: 1.33 → 1.12 s CPU: fewer functions optimized too early, then deoptimized).
 * It is read whenever a function's budget is refilled, so setting it before the bundle's first
 * line covers the whole run. V8 accepts a code cache only under the flags it was made with, and
 * build-bin makes each cache through {@link loadBundle}: both set these.
 */
const V8_FLAGS = "--interrupt-budget=540672";

/**
 * The content of `file`, at the start of a buffer of at least `room` bytes (when `room` is a
 * plausible cache size): the bundle's memory, which then takes its code cache. Each fresh page of
 * memory costs a page fault when first written (about 15 µs where this was measured; 200 a bundle).
 * @param {string} file
 * @param {number} room
 * @returns {{ bytes: Buffer, memory: Buffer }} `bytes` is the start of `memory`.
 */
function readWhole(file, room) {
  const fd = openSync(file, constants.O_RDONLY);
  try {
    const size = fstatSync(fd).size;
    const memory = Buffer.allocUnsafe(Math.max(size, room <= MAX_CACHE_BYTES ? room : 0));
    let got = 0;
    for (let n; got < size && (n = readSync(fd, memory, got, size - got, got)) > 0;) got += n;
    return { bytes: memory.subarray(0, got), memory };
  } finally {
    closeSync(fd);
  }
}

/**
 * The function wrapper Node's own loader puts around a CommonJS module. build-bin writes the
 * bundles already inside it (its banner and footer), so the source is compiled as read: wrapping
 * it here would make V8 copy the whole bundle once more (0.8 MB of fresh memory, about 3 ms).
 */
const WRAPPER_HEAD = "(function (exports, require, module, __filename, __dirname) {";
const WRAPPER_TAIL = "\n})";

/** Whether `text` is already inside the wrapper (a plain CommonJS file never starts so). */
function isWrapped(text) {
  return text.startsWith(WRAPPER_HEAD);
}

/**
 * Compiles and runs the CommonJS bundle `file` as Node's own loader would (the same function
 * wrapper, unless the file is already inside it; `require` resolving from the bundle's folder),
 * with its code cache when that is usable, under {@link V8_FLAGS}.
 * The bundles have no `import()` (build-bin turns it into `require`): in a vm.Script it would
 * need the experimental `importModuleDynamically`.
 * @param {string} file absolute path of a dist/bin/*.cjs bundle
 * @returns {{ exports: Record<string, unknown>, script: vm.Script, cache: "used" | "rejected" | "absent" | "not-a-file" | "malformed" | "stale" | "corrupt" }}
 *   `rejected`: the digests matched but V8 refused the cache (another Node version or V8 flags).
 */
function loadBundle(file) {
  setFlagsFromString(V8_FLAGS);
  const cacheFile = codeCacheFile(file);
  const { bytes, memory } = readWhole(file, statSync(cacheFile, { throwIfNoEntry: false })?.size ?? 0);
  // A one-byte string when the bundle is ASCII (build-bin makes it so): faster to read and parse.
  const text = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  // Once decoded and hashed, the bundle's bytes are spent: its cache is read into the same memory.
  const cache = readCodeCache(cacheFile, bytes, memory);
  const script = new vm.Script(isWrapped(text) ? text : `${WRAPPER_HEAD}${text}${WRAPPER_TAIL}`, {
    filename: file,
    cachedData: "payload" in cache ? cache.payload : undefined,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  const status = "refused" in cache ? cache.refused : script.cachedDataRejected ? "rejected" : "used";
  return { exports: module.exports, script, cache: status };
}

exports.cliEntry = cliEntry;
exports.endsWithItsRun = endsWithItsRun;
exports.codeCacheFile = codeCacheFile;
exports.codeCacheEnvelope = codeCacheEnvelope;
exports.readCodeCache = readCodeCache;
exports.loadBundle = loadBundle;
exports.WRAPPER_HEAD = WRAPPER_HEAD;
exports.WRAPPER_TAIL = WRAPPER_TAIL;
exports.V8_FLAGS = V8_FLAGS;
