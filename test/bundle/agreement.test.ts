/**
 * Bundle and image agree: for every sample image, `check --bundle` on a bundle collected from it
 * reports the same finding ids as `check --image` (and the expected ones), with and without
 * `--redact`; the JSON says `mode: "bundle"`; `triage --bundle` triages the carried binaries
 * by their Windows paths; the bundle carries the members docs/bundle.md lists.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { openBundle } from "../../src/bundle/index.js";
import { EXAMPLES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-11-21T00:00:00Z";
const expected = JSON.parse(readFileSync(path.join(EXAMPLES, "expected.json"), "utf8")) as Record<
  string,
  string[]
>;
let dir: string;

interface CheckDoc {
  mode: string;
  findings: Array<{ id: string }>;
  facts: { users: string[] };
}

async function checkJson(args: string[]): Promise<CheckDoc> {
  const r = await runCli(["check", ...args, "--json", "--at", AT]);
  assert.ok(r.code <= 2, `check ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as CheckDoc;
}
const ids = (d: CheckDoc) => [...new Set(d.findings.map((f) => f.id))].sort();

describe("bundle and image agree", () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-agree-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const scenario of Object.keys(expected)) {
    for (const redact of [false, true]) {
      it(`${scenario}${redact ? " (--redact)" : ""}: same finding ids as --image`, async () => {
        const image = path.join(EXAMPLES, scenario);
        const out = path.join(dir, `${scenario}${redact ? "-redacted" : ""}.zip`);
        const c = await runCli([
          "collect",
          "--image",
          image,
          "--out",
          out,
          "--at",
          AT,
          ...(redact ? ["--redact"] : []),
        ]);
        assert.equal(c.code, 0, c.stderr);
        assert.equal(existsSync(`${out}.redaction-map.json`), redact);
        const fromImage = await checkJson(["--image", image]);
        const fromBundle = await checkJson(["--bundle", out]);
        assert.equal(fromBundle.mode, "bundle");
        assert.deepEqual(ids(fromBundle), ids(fromImage));
        assert.deepEqual(ids(fromBundle), [...expected[scenario]!].sort());
        if (redact) assert.deepEqual(fromBundle.facts.users, ["user-1"]);
        else assert.deepEqual(fromBundle.facts.users, fromImage.facts.users);
      });
    }
  }

  it("carries what the issue lists, and profile keys as UTF-16LE .reg exports", async () => {
    const out = path.join(dir, "impostor-in-roaming.zip");
    if (!existsSync(out)) {
      const c = await runCli([
        "collect",
        "--image",
        path.join(EXAMPLES, "impostor-in-roaming"),
        "--out",
        out,
        "--at",
        AT,
      ]);
      assert.equal(c.code, 0, c.stderr);
    }
    const b = await openBundle(out);
    try {
      const names = b.memberNames;
      for (const m of [
        "check.json",
        "triage.json",
        "system.json",
        "office.json",
        "inventory.json",
        "defender.json",
        "mapisvc.json",
        "logs/index.json",
        "snapshot/fs.json",
        "registry/index.json",
      ])
        assert.ok(names.includes(m), `missing ${m}`);
      assert.ok(
        names.some((n) => /^files\/C\/.*\/kofmsp32\.dll$/.test(n)),
        "the provider DLL is carried",
      );
      assert.ok(
        names.some((n) => /MAPISVC\.INF$/i.test(n)),
        "MAPISVC.INF is carried",
      );
      const userReg = await b.read("registry/HKU-alice.reg");
      assert.deepEqual([...userReg.subarray(0, 2)], [0xff, 0xfe], "UTF-16LE with BOM");
      const text = new TextDecoder("utf-16le", { ignoreBOM: true }).decode(userReg);
      assert.match(text, /^\uFEFFWindows Registry Editor Version 5\.00\r\n/);
      assert.match(
        text,
        /\[HKEY_USERS\\alice\\Software\\Microsoft\\Office\\16\.0\\Outlook\\Profiles\\Kerio\]/,
      );
      assert.equal(b.manifest.mode, "image");
      assert.equal(b.manifest.members.length, names.length);
      const office = JSON.parse(new TextDecoder().decode(await b.read("office.json"))) as Record<
        string,
        unknown
      >;
      for (const k of ["product", "version", "bitness", "channel"]) assert.ok(office[k], `office.${k}`);
      const inv = JSON.parse(new TextDecoder().decode(await b.read("inventory.json"))) as {
        binaries: Array<{ sha256?: string; versionInfo?: unknown }>;
      };
      assert.ok(inv.binaries.length >= 2 && inv.binaries.every((x) => x.sha256 && x.versionInfo));
    } finally {
      b.close();
    }
  });

  it("usage errors: collect without --image, check with --image and --bundle, triage --bundle with paths", async () => {
    assert.equal((await runCli(["collect", "--out", path.join(dir, "x.zip")])).code, 64);
    const out = path.join(dir, "impostor-in-roaming.zip");
    assert.equal((await runCli(["check", "--image", EXAMPLES, "--bundle", out])).code, 64);
    assert.equal((await runCli(["triage", "--bundle", out, "some.dll"])).code, 64);
    assert.equal((await runCli(["triage"])).code, 64);
  });

  it("triage --bundle triages the carried DLLs by their Windows paths", async () => {
    const out = path.join(dir, "impostor-in-roaming.zip");
    const r = await runCli(["triage", "--bundle", out, "--json", "--at", AT]);
    assert.equal(r.code, 2, r.stderr);
    const doc = JSON.parse(r.stdout) as { files: Array<{ path: string; verdict: string }> };
    const byPath = new Map(doc.files.map((f) => [f.path, f.verdict]));
    assert.equal(byPath.get("C:\\Users\\alice\\AppData\\Roaming\\Kerio\\kofmsp32.dll"), "malicious");
    assert.equal(
      byPath.get("C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp32.dll"),
      "clean",
    );
  });
});
