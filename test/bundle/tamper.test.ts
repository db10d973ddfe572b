/**
 * Tampering: a bundle whose member was changed, removed or added after collection (with valid
 * zip CRCs: the archive was rewritten) is refused as `tampered`, by the library and the CLI.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  BundleError,
  openBundle,
  openZipArchive,
  writeZipFile,
  type ZipInput,
} from "../../src/bundle/index.js";
import { EXAMPLES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-11-21T00:00:00Z";
let dir: string;
let original: string;

/** Every member of `file`, read back (no verification against the manifest). */
async function membersOf(file: string): Promise<ZipInput[]> {
  const zip = await openZipArchive(file);
  try {
    const out: ZipInput[] = [];
    for (const m of zip.members.values())
      if (!m.isDirectory) out.push({ name: m.name, data: await zip.read(m.name) });
    return out;
  } finally {
    zip.close();
  }
}

async function rewrite(name: string, change: (members: ZipInput[]) => ZipInput[]): Promise<string> {
  const file = path.join(dir, name);
  await writeZipFile(file, change(await membersOf(original)), new Date());
  return file;
}

const isTampered = (member: string) => (e: unknown) =>
  e instanceof BundleError && e.code === "tampered" && e.path === member;

describe("tampered bundles", () => {
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-tamper-"));
    original = path.join(dir, "original.zip");
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
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the untouched bundle opens", async () => {
    (await openBundle(original)).close();
  });

  it("a changed member (same size) is tampered", async () => {
    const target = "registry/HKLM-SOFTWARE.reg";
    const file = await rewrite("changed.zip", (ms) =>
      ms.map((m) => {
        if (m.name !== target) return m;
        const data = new Uint8Array(m.data);
        data[data.length - 3] = data[data.length - 3]! ^ 0x01;
        return { name: m.name, data };
      }),
    );
    await assert.rejects(openBundle(file), isTampered(target));
    const r = await runCli(["check", "--bundle", file, "--at", AT]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /bundle tampered \(tampered, member registry\/HKLM-SOFTWARE\.reg\)/);
    assert.equal(r.stdout, "");
  });

  it("a changed member (other size) is tampered", async () => {
    const target = "check.json";
    const file = await rewrite("resized.zip", (ms) =>
      ms.map((m) =>
        m.name === target ? { name: m.name, data: new TextEncoder().encode('{"findings":[]}') } : m,
      ),
    );
    await assert.rejects(openBundle(file), isTampered(target));
  });

  it("a removed member is tampered", async () => {
    const file = await rewrite("removed.zip", (ms) => ms.filter((m) => m.name !== "defender.json"));
    await assert.rejects(openBundle(file), isTampered("defender.json"));
  });

  it("an added member is tampered", async () => {
    const file = await rewrite("added.zip", (ms) => [
      ...ms,
      { name: "files/C/extra.dll", data: new Uint8Array([0x4d, 0x5a]) },
    ]);
    await assert.rejects(openBundle(file), isTampered("files/C/extra.dll"));
    const r = await runCli(["triage", "--bundle", file]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /tampered/);
  });
});
