/**
 * A redacted bundle never carries the machine's MachineGuid, yet the fleet still sees one host:
 * the host id becomes `sha256:` and the SHA-256 of the lower-case GUID (computed here
 * independently), `idSource` says so, and the computer name and user are tokens. The raw GUID,
 * in lower and upper case, is searched for in UTF-8 and UTF-16LE in every member (inflated) and
 * in the zip file; a log naming it braced in upper case is planted so a second spelling is
 * there to find. The unredacted bundle of the same image is the control: the search finds the
 * GUID there. Two redacted collections of the image ingest as one host with two runs.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { openZipArchive } from "../../src/bundle/index.js";
import type { FleetSummary } from "../../src/fleet/summary.js";
import { RegType } from "../../src/ports/registry.js";
import {
  encodeRegDword,
  encodeRegString,
  ensureKey,
  newRegTreeKey,
  setTreeValue,
  writeHive,
} from "../../src/registry/index.js";
import { copyImage } from "../helpers/image-copy.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-11-21T00:00:00Z";

interface Host {
  id: string;
  idSource: string;
  computerName?: string;
  user?: string;
}

/** Where `guid` stands in `bytes` (UTF-8 or UTF-16LE, lower or upper case), or undefined. */
function guidHit(bytes: Uint8Array, guid: string): string | undefined {
  const b = Buffer.from(bytes);
  for (const spelling of [guid.toLowerCase(), guid.toUpperCase()])
    for (const encoding of ["utf8", "utf16le"] as const) {
      const at = b.indexOf(Buffer.from(spelling, encoding));
      if (at >= 0) return `${spelling} in ${encoding} at ${at}`;
    }
  return undefined;
}

/** Every hit of `guid` in the zip file and its inflated members. */
async function guidHits(bundle: string, guid: string): Promise<string[]> {
  const hits: string[] = [];
  const raw = guidHit(readFileSync(bundle), guid);
  if (raw) hits.push(`zip file: ${raw}`);
  const zip = await openZipArchive(bundle);
  try {
    for (const m of zip.members.values()) {
      const name = guidHit(Buffer.from(m.name, "utf8"), guid);
      if (name) hits.push(`member name ${m.name}`);
      if (m.isDirectory) continue;
      const hit = guidHit(await zip.read(m.name), guid);
      if (hit) hits.push(`${m.name}: ${hit}`);
    }
  } finally {
    zip.close();
  }
  return hits;
}

async function member(bundle: string, name: string): Promise<Record<string, unknown>> {
  const zip = await openZipArchive(bundle);
  try {
    return JSON.parse(new TextDecoder().decode(await zip.read(name))) as Record<string, unknown>;
  } finally {
    zip.close();
  }
}

describe("collect --redact: the MachineGuid", () => {
  const { root, image } = copyImage("healthy");
  let guid = "";
  const bundle = (name: string) => path.join(root, `${name}.zip`);
  before(async () => {
    const check = await runCli(["check", "--image", image, "--json", "--at", AT]);
    const host = (JSON.parse(check.stdout) as { host: Host }).host;
    assert.equal(host.idSource, "machine-guid", "the sample image has a MachineGuid");
    guid = host.id;
    // A SYSTEM hive naming the computer (the sample has none).
    const tree = newRegTreeKey("ROOT");
    const dword = (v: number) => ({ name: "Current", type: RegType.REG_DWORD, data: encodeRegDword(v) });
    setTreeValue(ensureKey(tree, ["Select"]), dword(1));
    setTreeValue(ensureKey(tree, ["ControlSet001", "Control", "ComputerName", "ComputerName"]), {
      name: "ComputerName",
      type: RegType.REG_SZ,
      data: encodeRegString("PC-BOB-07"),
    });
    writeFileSync(path.join(image, "Windows", "System32", "config", "SYSTEM"), writeHive(tree));
    // An installer log naming the GUID braced and in upper case, in UTF-16LE (as msiexec writes).
    const temp = path.join(image, "Windows", "Temp");
    mkdirSync(temp, { recursive: true });
    const log = `=== Verbose logging started ===\r\nProperty(S): MachineGuid = {${guid.toUpperCase()}}\r\n`;
    writeFileSync(
      path.join(temp, "MSI7a1b2.log"),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(log, "utf16le")]),
    );
    for (const [name, redact] of [
      ["plain", false],
      ["redacted-1", true],
      ["redacted-2", true],
    ] as const) {
      const args = ["collect", "--image", image, "--at", AT, "--out", bundle(name)];
      const r = await runCli(redact ? [...args, "--redact"] : args);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("control: the unredacted bundle holds the GUID in UTF-8 (check.json) and UTF-16LE (the registry export, the log)", async () => {
    const hits = await guidHits(bundle("plain"), guid);
    assert.ok(
      hits.some((h) => /^check\.json: .* in utf8/.test(h)),
      hits.join("\n"),
    );
    assert.ok(
      hits.some((h) => /^registry\/HKLM-SOFTWARE\.reg: .* in utf16le/.test(h)),
      hits.join("\n"),
    );
    assert.ok(
      hits.some((h) => h.includes(`${guid.toUpperCase()} in utf16le`)),
      hits.join("\n"),
    );
  });

  it("the raw GUID is nowhere in a redacted bundle: no member, no member name, not the zip file", async () => {
    for (const name of ["redacted-1", "redacted-2"])
      assert.deepEqual(await guidHits(bundle(name), guid), [], name);
  });

  it("the host id is the GUID's SHA-256, the same in check.json, manifest.json and check --bundle; names are tokens", async () => {
    const expected = `sha256:${createHash("sha256").update(guid.toLowerCase()).digest("hex")}`;
    for (const name of ["redacted-1", "redacted-2"]) {
      const hosts: Array<[string, Host]> = [
        ["check.json", (await member(bundle(name), "check.json"))["host"] as Host],
        ["manifest.json", (await member(bundle(name), "manifest.json"))["host"] as Host],
      ];
      const replay = await runCli(["check", "--bundle", bundle(name), "--json", "--at", AT]);
      assert.ok(replay.code <= 2, replay.stderr);
      hosts.push(["check --bundle", (JSON.parse(replay.stdout) as { host: Host }).host]);
      for (const [where, host] of hosts) {
        assert.equal(host.id, expected, `${name} ${where}`);
        assert.equal(host.idSource, "machine-guid-sha256", `${name} ${where}`);
        assert.equal(host.user, "user-1", `${name} ${where}: the user is a token`);
        assert.match(host.computerName ?? "", /^host-\d+$/, `${name} ${where}: the computer name is a token`);
      }
    }
    const plain = (await member(bundle("plain"), "check.json"))["host"] as Host;
    assert.deepEqual(
      [plain.id, plain.idSource, plain.computerName],
      [guid, "machine-guid", "PC-BOB-07"],
      "unredacted: the GUID and the name as they are",
    );
  });

  it("fleet ingest of two redacted collections of the same image: one host, two runs", async () => {
    const db = `pglite:${path.join(root, "db")}`;
    const r = await runCli(["fleet", "ingest", bundle("redacted-1"), bundle("redacted-2"), "--db", db]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse((await runCli(["fleet", "summary", "--db", db, "--json"])).stdout) as FleetSummary;
    assert.deepEqual([s.totals.hosts, s.totals.runs], [1, 2]);
  });
});
