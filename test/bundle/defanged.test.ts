/**
 * Bundles carry binaries defanged (docs/bundle.md "Defanged binaries"): no member starts with `MZ`
 * or has an executable's name; the manifest records the real name, size and sha256; `check` and
 * `triage --bundle` read the real bytes transparently, with the same results as from a bundle of
 * plain members (the format before defanging, which still reads); a defanged member that does
 * not give back the recorded bytes is tampering.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  BundleError,
  DEFANG_KEY,
  openBundle,
  openZipArchive,
  refang,
  writeZipFile,
  type BundleManifest,
  type ZipInput,
} from "../../src/bundle/index.js";
import { EXAMPLES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-11-21T00:00:00Z";
const EXECUTABLE_NAME = /\.(dll|exe|sys|drv|ocx|cpl|scr|com|efi|mui)$/i;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const PLANTED = path.join(
  EXAMPLES,
  "impostor-in-roaming",
  "Users",
  "alice",
  "AppData",
  "Roaming",
  "Kerio",
  "kofmsp32.dll",
);

let dir = "";
let bundleFile = "";

/** Every zip member as stored: name → raw bytes (no manifest logic). */
async function rawMembers(file: string): Promise<Map<string, Uint8Array>> {
  const zip = await openZipArchive(file);
  try {
    const out = new Map<string, Uint8Array>();
    for (const [name, m] of zip.members) if (!m.isDirectory) out.set(name, await zip.read(name));
    return out;
  } finally {
    zip.close();
  }
}

/** Rewrites `from` as a bundle of `members` with `manifest` (the manifest's sizes and hashes as given). */
async function rewrite(
  file: string,
  members: Map<string, Uint8Array>,
  manifest: BundleManifest,
): Promise<void> {
  const list: ZipInput[] = [...members].map(([name, data]) => ({ name, data }));
  list.push({ name: "manifest.json", data: new TextEncoder().encode(JSON.stringify(manifest)) });
  await writeZipFile(file, list, new Date(manifest.createdAt));
}

async function json(args: string[]): Promise<any> {
  const r = await runCli([...args, "--json", "--at", AT]);
  assert.ok(r.code <= 2, `${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe("defanged binaries in bundles", () => {
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-defang-"));
    bundleFile = path.join(dir, "impostor.zip");
    const c = await runCli([
      "collect",
      "--image",
      path.join(EXAMPLES, "impostor-in-roaming"),
      "--out",
      bundleFile,
      "--at",
      AT,
    ]);
    assert.equal(c.code, 0, c.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("no member starts with MZ or has an executable's name; the manifest records the real bytes", async () => {
    const raw = await rawMembers(bundleFile);
    for (const [name, data] of raw) {
      assert.doesNotMatch(name, EXECUTABLE_NAME, name);
      assert.ok(!(data[0] === 0x4d && data[1] === 0x5a), `${name} starts with MZ`);
    }
    const manifest = JSON.parse(new TextDecoder().decode(raw.get("manifest.json"))) as BundleManifest;
    const defanged = manifest.members.filter((m) => m.defanged);
    assert.ok(
      defanged.length >= 3,
      "the provider DLL, KoffBackend.exe and the planted DLL are carried defanged",
    );
    for (const m of defanged) {
      assert.equal(m.path, `${m.defanged!.path}.defanged`);
      const real = refang(raw.get(m.path)!);
      assert.equal(sha256(real), m.defanged!.sha256);
      assert.equal(real.length, m.defanged!.size);
      assert.deepEqual([...real.subarray(0, 2)], [0x4d, 0x5a]);
      assert.equal(raw.get(m.path)![0], 0x4d ^ DEFANG_KEY);
    }
    const planted = defanged.find((m) => /Roaming\/Kerio\/kofmsp32\.dll$/.test(m.defanged!.path));
    assert.ok(planted, "the planted DLL is among them");
    assert.equal(planted.defanged!.sha256, sha256(readFileSync(PLANTED)));
  });

  it("the reader gives the real bytes by the real name, and refuses the stored name", async () => {
    const b = await openBundle(bundleFile);
    try {
      const name = b.memberNames.find((n) => /Roaming\/Kerio\/kofmsp32\.dll$/.test(n));
      assert.ok(name, "listed by its real name");
      assert.ok(!b.memberNames.some((n) => n.endsWith(".defanged")));
      assert.deepEqual(Buffer.from(await b.read(name)), readFileSync(PLANTED));
      await assert.rejects(
        b.read(`${name}.defanged`),
        (e: unknown) => e instanceof BundleError && e.code === "member-invalid",
      );
    } finally {
      b.close();
    }
  });

  it("check and triage give the same results as from a bundle of plain members, which still reads", async () => {
    const raw = await rawMembers(bundleFile);
    const manifest = JSON.parse(new TextDecoder().decode(raw.get("manifest.json"))) as BundleManifest;
    raw.delete("manifest.json");
    // The format before defanging: every member as itself, no `defanged` field.
    const plain = new Map<string, Uint8Array>();
    const members = manifest.members.map((m) => {
      const data = m.defanged ? refang(raw.get(m.path)!) : raw.get(m.path)!;
      const name = m.defanged?.path ?? m.path;
      plain.set(name, data);
      return { path: name, size: data.length, sha256: sha256(data) };
    });
    const legacy = path.join(dir, "legacy.zip");
    await rewrite(legacy, plain, { ...manifest, members });
    assert.ok(
      [...(await rawMembers(legacy)).values()].some((d) => d[0] === 0x4d && d[1] === 0x5a),
      "legacy carries MZ",
    );

    const verdicts = (doc: any) =>
      (doc.files as Array<{ path?: string; windowsPath?: string; sha256: string; verdict: string }>)
        .map((f) => `${f.windowsPath ?? f.path} ${f.sha256} ${f.verdict}`)
        .sort();
    const [newTriage, oldTriage] = [
      await json(["triage", "--bundle", bundleFile]),
      await json(["triage", "--bundle", legacy]),
    ];
    assert.ok(newTriage.files.length >= 3);
    assert.deepEqual(verdicts(newTriage), verdicts(oldTriage));
    assert.ok(
      verdicts(newTriage).some((v) => v.includes(sha256(readFileSync(PLANTED))) && v.endsWith(" malicious")),
    );
    const findings = (doc: any) =>
      (doc.findings as Array<{ id: string; severity: string }>).map((f) => `${f.id} ${f.severity}`).sort();
    const [newCheck, oldCheck] = [
      await json(["check", "--bundle", bundleFile]),
      await json(["check", "--bundle", legacy]),
    ];
    assert.deepEqual(findings(newCheck), findings(oldCheck));
    assert.ok(findings(newCheck).length > 0);
  });

  it("a defanged member that does not give back the recorded bytes is tampering", async () => {
    const raw = await rawMembers(bundleFile);
    const manifest = JSON.parse(new TextDecoder().decode(raw.get("manifest.json"))) as BundleManifest;
    raw.delete("manifest.json");
    const victim = manifest.members.find((m) => m.defanged)!;
    const changed = new Uint8Array(raw.get(victim.path)!);
    changed[100] = changed[100]! ^ 0xff;
    raw.set(victim.path, changed);
    // The stored member's own hash is made to match: only the real sha256 can catch it.
    const members = manifest.members.map((m) => (m === victim ? { ...m, sha256: sha256(changed) } : m));
    const file = path.join(dir, "tampered.zip");
    await rewrite(file, raw, { ...manifest, members });
    await assert.rejects(
      openBundle(file),
      (e: unknown) => e instanceof BundleError && e.code === "tampered" && e.path === victim.path,
    );
    const r = await runCli(["triage", "--bundle", file]);
    assert.equal(r.code, 3);
  });

  it("a manifest whose defanged entry is malformed is refused as manifest-invalid", async () => {
    const raw = await rawMembers(bundleFile);
    const manifest = JSON.parse(new TextDecoder().decode(raw.get("manifest.json"))) as BundleManifest;
    raw.delete("manifest.json");
    const i = manifest.members.findIndex((m) => m.defanged);
    for (const bad of [
      { scheme: "xor-00" },
      { size: manifest.members[i]!.size + 1 },
      { path: "../x.dll" },
      { path: manifest.members[0]!.path },
      { sha256: "XYZ" },
    ]) {
      const members = manifest.members.map((m, k) =>
        k === i ? { ...m, defanged: { ...m.defanged!, ...bad } } : m,
      );
      const file = path.join(dir, "bad-manifest.zip");
      await rewrite(file, raw, { ...manifest, members } as BundleManifest);
      await assert.rejects(
        openBundle(file),
        (e: unknown) => e instanceof BundleError && e.code === "manifest-invalid",
        JSON.stringify(bad),
      );
    }
  });
});
