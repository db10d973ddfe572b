/**
 * The package as a user gets it: `npm pack` of the built tree, installed into a fresh project,
 * imported by name. Proves that package.json `exports`, `types` and `files` ship what
 * `import { triageFile } from "koff-doctor"` needs, that the face returns real verdicts, and that
 * the README's "Use it as a library" example runs as printed (so the README cannot drift).
 *
 * The install is a real `npm install` of the tarball with `--no-package-lock` and without dev
 * dependencies: `--offline` first (the runtime dependencies' tarballs are in the npm cache, since
 * the repository's node_modules were installed from it), then `--prefer-offline` (the cache, and
 * the registry only for metadata the cache lacks). Only when neither works (no network and a cold
 * cache) is the tarball extracted into node_modules/koff-doctor and its dependencies linked from
 * the repository's node_modules, which is what npm would have laid out; the test says which.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { EXAMPLES, REPO_ROOT } from "../helpers/repo.js";

const run = promisify(execFile);

const IMPOSTOR = path.join(EXAMPLES, "impostor-in-roaming/Users/alice/AppData/Roaming/Kerio/kofmsp32.dll");
const GENUINE = path.join(
  EXAMPLES,
  "healthy/Program Files (x86)/Kerio/Outlook Connector (Offline Edition)/kofmsp32.dll",
);

let work: string;
/** The fresh project the package is installed into. */
let consumer: string;
/** How the package got there: "npm install --offline" or the extract-and-link fallback. */
let installedBy: string;

/** Runs `node` in the consumer project; never throws for a non-zero exit. */
async function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, args, { cwd: consumer, timeout: 60_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof e.code === "number" ? e.code : -1,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? "",
    }),
  );
}

/** Extracts `tgz` as node_modules/koff-doctor and links its dependencies from the repository. */
async function extractAndLink(tgz: string): Promise<void> {
  const modules = path.join(consumer, "node_modules");
  await rm(modules, { recursive: true, force: true });
  await mkdir(modules, { recursive: true });
  await run("tar", ["-xzf", tgz, "-C", modules]);
  await rename(path.join(modules, "package"), path.join(modules, "koff-doctor"));
  const pkg = JSON.parse(await readFile(path.join(modules, "koff-doctor", "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    await mkdir(path.dirname(path.join(modules, dep)), { recursive: true });
    await symlink(path.join(REPO_ROOT, "node_modules", dep), path.join(modules, dep), "dir");
  }
}

before(async () => {
  assert.ok(
    existsSync(path.join(REPO_ROOT, "dist/src/index.js")),
    "dist/src/index.js is missing: build first (npm run build)",
  );
  work = await mkdtemp(path.join(os.tmpdir(), "koff-doctor-pack-"));
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
    cwd: REPO_ROOT,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  const tgz = path.join(work, packed!.filename);
  consumer = path.join(work, "consumer");
  await mkdir(consumer);
  await writeFile(
    path.join(consumer, "package.json"),
    `${JSON.stringify({ name: "consumer", private: true, type: "module" })}\n`,
  );
  // The README example names its sample as a path from a clone's root.
  await symlink(EXAMPLES, path.join(consumer, "examples"), "dir");
  installedBy = "";
  for (const mode of ["--offline", "--prefer-offline"]) {
    const args = ["install", mode, "--omit=dev", "--no-audit", "--no-fund", "--ignore-scripts"];
    const ok = await run("npm", [...args, "--no-package-lock", tgz], {
      cwd: consumer,
      timeout: 180_000,
    }).then(
      () => true,
      () => false,
    );
    if (ok) {
      installedBy = `npm install ${mode}`;
      break;
    }
  }
  if (installedBy === "") {
    await extractAndLink(tgz);
    installedBy = "extracted and linked (npm install --offline and --prefer-offline both failed)";
  }
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test("the packed package ships its entry point, type declarations and LICENSE, and nothing of test/", async (t) => {
  t.diagnostic(`installed by: ${installedBy}`);
  const root = path.join(consumer, "node_modules", "koff-doctor");
  const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
    types: string;
    exports: { ".": { types: string; default: string } };
  };
  for (const file of [
    pkg.types,
    pkg.exports["."].types,
    pkg.exports["."].default,
    "bin/koff-doctor.cjs",
    "LICENSE",
  ])
    assert.ok(existsSync(path.join(root, file)), `${file} is not in the tarball`);
  assert.equal(existsSync(path.join(root, "dist", "test")), false, "dist/test must not ship");
  assert.match(await readFile(path.join(root, "LICENSE"), "utf8"), /^MIT License/);
  const scripts = (
    JSON.parse(await readFile(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  assert.ok(scripts["prepack"], "the package builds on npm pack (prepack)");
  assert.equal(scripts["prepare"], undefined, "no prepare: installing the package never runs tsc");
});

test("the installed bin runs without dev dependencies: --version, and triage of the impostor exits 2", async () => {
  const bin = path.join(consumer, "node_modules", ".bin", "koff-doctor");
  // It runs the per-verb bundle that prepack built (dist/bin/), not the slower tsc output.
  const entry = await node([
    "--input-type=module",
    "-e",
    `import { cliEntry, loadBundle } from ${JSON.stringify(pathToFileURL(path.join(consumer, "node_modules", "koff-doctor", "bin", "cli-entry.cjs")).href)}; const e = cliEntry("triage"); console.log(JSON.stringify({ ...e, cache: loadBundle(e.file).cache }));`,
  ]);
  assert.equal(entry.code, 0, entry.stderr);
  assert.equal((JSON.parse(entry.stdout) as { kind: string }).kind, "bundle", entry.stdout);
  // The V8 code cache that prepack wrote travels in the tarball and this Node accepts it.
  assert.equal((JSON.parse(entry.stdout) as { cache: string }).cache, "used", entry.stdout);
  const version = await node([bin, "--version"]);
  assert.equal(version.code, 0, version.stderr);
  const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  assert.equal(version.stdout.trim(), pkg.version);
  const triage = await node([bin, "triage", "--json", IMPOSTOR]);
  assert.equal(triage.code, 2, triage.stderr);
  assert.equal(
    (JSON.parse(triage.stdout) as { files: Array<{ verdict: string }> }).files[0]?.verdict,
    "malicious",
  );
  if (installedBy.startsWith("npm install"))
    for (const dev of ["typescript", "esbuild", "postject", "eslint"])
      assert.equal(existsSync(path.join(consumer, "node_modules", dev)), false, `${dev} was installed`);
});

test("import { triageFile } from 'koff-doctor' judges real DLLs: the impostor malicious, the genuine one clean against its image's roots", async () => {
  const script = `
    import { triageFile, triageExitCode, ExitCode } from "koff-doctor";
    const [impostor, genuine, image] = process.argv.slice(1);
    const bad = await triageFile(impostor);
    const good = await triageFile(genuine, { imageRoot: image });
    const device = await triageFile("/dev/null");
    console.log(JSON.stringify({
      resolved: import.meta.resolve("koff-doctor"),
      bad: { verdict: bad.verdict, sha256: bad.sha256, size: bad.size, windowsPath: bad.windowsPath },
      good: { verdict: good.verdict, signature: good.signature?.state, windowsPath: good.windowsPath },
      device: { verdict: device.verdict, code: device.error?.code },
      exit: triageExitCode([bad, good]) === ExitCode.MALICIOUS,
    }));`;
  const out = await node([
    "--input-type=module",
    "-e",
    script,
    IMPOSTOR,
    GENUINE,
    path.join(EXAMPLES, "healthy"),
  ]);
  assert.equal(out.code, 0, out.stderr);
  const r = JSON.parse(out.stdout) as {
    resolved: string;
    bad: { verdict: string; sha256: string; size: number; windowsPath: string };
    good: { verdict: string; signature: string; windowsPath: string };
    device: { verdict: string; code: string };
    exit: boolean;
  };
  // Resolved from the installed copy, not from this repository's dist/.
  assert.ok(r.resolved.includes("/consumer/node_modules/koff-doctor/"), r.resolved);
  const bytes = await readFile(IMPOSTOR);
  assert.deepEqual(r.bad, {
    verdict: "malicious",
    sha256: createHash("sha256").update(bytes).digest("hex"),
    size: bytes.length,
    windowsPath: "C:\\Users\\alice\\AppData\\Roaming\\Kerio\\kofmsp32.dll",
  });
  assert.deepEqual(r.good, {
    verdict: "clean",
    signature: "valid",
    windowsPath: "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp32.dll",
  });
  assert.deepEqual(r.device, { verdict: "error", code: "not-a-file" });
  assert.equal(r.exit, true);
});

test("a TypeScript consumer type-checks against the shipped declarations (types resolve, not any)", async () => {
  await writeFile(
    path.join(consumer, "use.ts"),
    [
      'import { triageFile, PeFormatError, type TriageRecord, type Verdict } from "koff-doctor";',
      'const record: TriageRecord = await triageFile("kofmsp.dll", { at: new Date(), signatures: "all" });',
      "const verdict: Verdict = record.verdict;",
      "// @ts-expect-error: an unknown option is refused, which only holds when the types resolved",
      'await triageFile("kofmsp.dll", { noSuchOption: true });',
      "export { verdict, PeFormatError };",
      "",
    ].join("\n"),
  );
  await writeFile(
    path.join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        typeRoots: [path.join(REPO_ROOT, "node_modules", "@types")],
        types: ["node"],
      },
      files: ["use.ts"],
    }),
  );
  const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const out = await node([tsc, "-p", "tsconfig.json"]);
  assert.equal(out.code, 0, `${out.stdout}${out.stderr}`);
});

test("the README's library example runs against the packed package and prints what it says", async () => {
  const readme = await readFile(path.join(REPO_ROOT, "README.md"), "utf8");
  const section = /^## Use it as a library\n([\s\S]*?)^## /m.exec(readme)?.[1];
  assert.ok(section, 'README.md has no "## Use it as a library" section');
  const code = /^```js\n([\s\S]*?)^```$/m.exec(section)?.[1];
  assert.ok(code, "the library section has no ```js code block");
  assert.match(code, /from "koff-doctor"/);
  // The line the README says the example prints, from its `console.log(…); // <output>` comment.
  const claimed = /^console\.log\(record\.verdict, record\.windowsPath\); \/\/ (.+)$/m.exec(code)?.[1];
  assert.ok(claimed, "the example's first console.log line no longer says what it prints");
  const out = await node(["--input-type=module", "-e", code]);
  assert.equal(out.stderr, "");
  assert.equal(out.stdout.split("\n")[0], claimed);
  assert.match(out.stdout, /^ {2}executable-behavior: writes into another process/m);
  assert.equal(out.code, 2, "process.exitCode = triageExitCode([record]) of a malicious file");
});

test("koff-doctor explain reads the docs shipped in the installed package, from any working directory", async () => {
  const bin = path.join(consumer, "node_modules", "koff-doctor", "bin", "koff-doctor.cjs");
  const out = await node([bin, "explain", "cache-db-invalid"]);
  assert.equal(out.code, 0, out.stderr);
  const shipped = await readFile(
    path.join(consumer, "node_modules", "koff-doctor", "docs", "checks", "cache-db-invalid.md"),
    "utf8",
  );
  assert.equal(out.stdout, `${shipped.trimEnd()}\n`);
  const step = await node([bin, "explain", "clear-cache"]);
  assert.equal(step.code, 0, step.stderr);
  assert.match(step.stdout, /Runbook step `clear-cache`/);
});
