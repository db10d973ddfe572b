/**
 * The redaction round trip (issue 10 §4): for every sample image, `check --bundle` of
 * `collect --redact` gives the same finding ids as `check --image`, and the redacted bundle holds
 * none of the redacted values as a whole value in UTF-8, UTF-16LE or Windows-1252, in any letter
 * case: not in the raw zip, not in a member name, not in an inflated member.
 *
 * Each image is copied and given what the samples lack: a SYSTEM hive naming the computer and its
 * domain, an MSI log (UTF-16LE) with an address, a server URL and a UNC host, a Windows-1252 log
 * naming a non-ASCII user, and user folders whose names are short words that occur *inside*
 * other words (`ed` in `Edition`, `IT` in `EDITION`), a protected path word (`Local`) and a
 * one-letter name. In `impostor-in-roaming` the planted DLL and a connector EXE also carry the
 * user's name in their bytes, so the bundle must withhold them and carry their facts.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { openZipArchive } from "../../src/bundle/index.js";
import { RegType } from "../../src/ports/registry.js";
import {
  encodeRegDword,
  encodeRegString,
  ensureKey,
  newRegTreeKey,
  parseRegFile,
  setTreeValue,
  writeHive,
} from "../../src/registry/index.js";
import { decodeWindows1252, encodeWindows1252 } from "../../src/windows/windows-1252.js";
import { copyImage } from "../helpers/image-copy.js";
import { EXAMPLES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-11-21T00:00:00Z";
const scenarios = Object.keys(
  JSON.parse(readFileSync(path.join(EXAMPLES, "expected.json"), "utf8")) as Record<string, string[]>,
);
/** Values every planted copy holds, which the map must list as redacted. */
const PLANTED = [
  "alice",
  "Jürgen",
  "ed",
  "IT",
  "PC-ALICE-01",
  "corp-example.net",
  "mail.corp-example.net",
  "fileserver01.corp-example.net",
  "alice.smith@corp-example.net",
];

function plant(image: string, scenario: string): void {
  const tree = newRegTreeKey("ROOT");
  setTreeValue(ensureKey(tree, ["Select"]), {
    name: "Current",
    type: RegType.REG_DWORD,
    data: encodeRegDword(1),
  });
  setTreeValue(ensureKey(tree, ["ControlSet001", "Control", "ComputerName", "ComputerName"]), {
    name: "ComputerName",
    type: RegType.REG_SZ,
    data: encodeRegString("PC-ALICE-01"),
  });
  const tcpip = ensureKey(tree, ["ControlSet001", "Services", "Tcpip", "Parameters"]);
  setTreeValue(tcpip, { name: "Hostname", type: RegType.REG_SZ, data: encodeRegString("pc-alice-01") });
  setTreeValue(tcpip, { name: "Domain", type: RegType.REG_SZ, data: encodeRegString("corp-example.net") });
  writeFileSync(path.join(image, "Windows", "System32", "config", "SYSTEM"), writeHive(tree));

  for (const u of ["ed", "IT", "Local", "j", "Jürgen"])
    mkdirSync(path.join(image, "Users", u, "AppData", "Local", "Temp"), { recursive: true });
  const temp = path.join(image, "Windows", "Temp");
  mkdirSync(temp, { recursive: true });
  const msi =
    "=== Verbose logging started: Kerio Outlook Connector (Offline Edition) ===\r\n" +
    "Property(S): USERNAME = Alice\r\nProperty(S): COMPUTERNAME = PC-ALICE-01\r\n" +
    "Property(S): SERVER = https://mail.corp-example.net:443/ for alice.smith@corp-example.net\r\n" +
    "Property(S): SHARE = \\\\fileserver01.corp-example.net\\setup; IT approved; Edition ed. by ed\r\n";
  writeFileSync(
    path.join(temp, "MSI4f2a1.log"),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(msi, "utf16le")]),
  );
  writeFileSync(
    path.join(image, "Users", "Jürgen", "AppData", "Local", "Temp", "kerio-setup.log"),
    encodeWindows1252("Setup für JÜRGEN (jürgen) in C:\\Users\\Jürgen\\AppData\\Local\\Temp\r\n")!,
  );
  if (scenario === "impostor-in-roaming") {
    // A PDB path naming the user, as a developer's build leaves in its binaries.
    const pdb = Buffer.from("\0C:\\Users\\alice\\source\\kofmsp\\Release\\kofmsp.pdb\0", "utf8");
    appendFileSync(path.join(image, "Users", "alice", "AppData", "Roaming", "Kerio", "kofmsp32.dll"), pdb);
    appendFileSync(
      path.join(
        image,
        "Program Files (x86)",
        "Kerio",
        "Outlook Connector (Offline Edition)",
        "KoffBackend.exe",
      ),
      Buffer.from("\0built by ALICE\0", "utf16le"),
    );
  }
}

/** Word characters as docs/bundle.md defines them (written here independently of the redactor). */
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{M}\p{N}_]/u.test(c);

/** Decodings of `bytes`: UTF-8, Windows-1252, UTF-16LE at even and odd offsets; lower-cased. */
function decodings(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  return [
    new TextDecoder("utf-8").decode(b),
    decodeWindows1252(b),
    new TextDecoder("utf-16le").decode(b.subarray(0, b.length & ~1)),
    new TextDecoder("utf-16le").decode(b.subarray(1, 1 + ((b.length - 1) & ~1))),
  ].map((s) => s.toLowerCase());
}

/** Whole-value occurrences of `value` in `bytes` in any decoding: a description of the first, or undefined. */
function wholeHit(bytes: Uint8Array, value: string): string | undefined {
  const v = value.toLowerCase();
  for (const [i, text] of decodings(bytes).entries()) {
    for (let at = text.indexOf(v); at >= 0; at = text.indexOf(v, at + 1)) {
      const before = text[at - 1];
      const after = text[at + v.length];
      if (!isWordChar(before) && !isWordChar(after))
        return `${["UTF-8", "Windows-1252", "UTF-16LE", "UTF-16LE (odd)"][i]}: …${text.slice(Math.max(0, at - 30), at + v.length + 30)}…`;
    }
  }
  return undefined;
}

/** A `.reg` export's text with its hex digit pairs blanked, and every value's data bytes. */
function regWithoutHexDigits(reg: Uint8Array): Uint8Array[] {
  const text = new TextDecoder("utf-16le").decode(reg);
  const blanked = text.replace(/=hex(?:\([0-9a-f]+\))?:[0-9a-f,\\\r\n ]*/gi, (m) =>
    m.replace(/(?<=[:,\s])[0-9a-f]{2}(?=,|\s|$)/gi, "--"),
  );
  const data = parseRegFile(reg).operations.flatMap((op) => (op.kind === "set-value" ? [op.data] : []));
  return [Buffer.from(blanked, "utf16le"), ...data];
}

interface MapDoc {
  entries: Array<{ category: string; value: string; token: string }>;
  skipped: Array<{ value: string; reason: string }>;
}
const findingIds = (stdout: string) =>
  [...new Set((JSON.parse(stdout) as { findings: Array<{ id: string }> }).findings.map((f) => f.id))].sort();

describe("redaction round trip", () => {
  const work = new Map<string, { root: string; image: string; bundle: string }>();
  before(async () => {
    for (const scenario of scenarios) {
      const { root, image } = copyImage(scenario);
      plant(image, scenario);
      const bundle = path.join(root, "redacted.zip");
      const c = await runCli(["collect", "--image", image, "--out", bundle, "--at", AT, "--redact"]);
      assert.equal(c.code, 0, `${scenario}: ${c.stderr}`);
      work.set(scenario, { root, image, bundle });
    }
  });
  after(() => {
    for (const w of work.values()) rmSync(w.root, { recursive: true, force: true });
  });

  for (const scenario of scenarios) {
    it(`${scenario}: check --bundle of collect --redact gives check --image's finding ids`, async () => {
      const w = work.get(scenario)!;
      const img = await runCli(["check", "--image", w.image, "--json", "--at", AT]);
      const bun = await runCli(["check", "--bundle", w.bundle, "--json", "--at", AT]);
      assert.ok(bun.code <= 2, bun.stderr);
      assert.deepEqual(findingIds(bun.stdout), findingIds(img.stdout));
    });

    it(`${scenario}: no redacted value stands whole anywhere in the bundle, in any encoding`, async () => {
      const w = work.get(scenario)!;
      const map = JSON.parse(readFileSync(`${w.bundle}.redaction-map.json`, "utf8")) as MapDoc;
      const redacted = map.entries.map((e) => e.value);
      for (const v of PLANTED)
        assert.ok(
          redacted.some((x) => x.toLowerCase() === v.toLowerCase()),
          `${v} is redacted (map: ${redacted.join(", ")})`,
        );
      // Kept on purpose, and said so: a protected path word and a one-letter name.
      assert.deepEqual(
        map.skipped.map((s) => s.value).filter((v) => v === "Local" || v === "j"),
        ["Local", "j"].filter((v) => map.skipped.some((s) => s.value === v)),
      );
      assert.ok(map.skipped.some((s) => s.value === "Local" && /word of a path/.test(s.reason)));
      assert.ok(map.skipped.some((s) => s.value === "j" && /shorter than 2/.test(s.reason)));

      // Deflated bytes are noise: a two-letter value turns up in them by chance (about once per
      // 16 KiB). The raw file is scanned for values of 4 characters or more; every member is
      // scanned inflated below, whatever the value's length.
      const raw = readFileSync(w.bundle);
      for (const v of redacted.filter((x) => x.length >= 4))
        assert.equal(wholeHit(raw, v), undefined, `the zip file holds ${v}`);
      const zip = await openZipArchive(w.bundle);
      try {
        const manifest = JSON.parse(new TextDecoder().decode(await zip.read("manifest.json"))) as {
          redacted: boolean;
          unredacted: unknown[];
        };
        assert.equal(manifest.redacted, true);
        assert.deepEqual(manifest.unredacted, [], "no binary had to travel unredacted");
        for (const m of zip.members.values()) {
          for (const v of redacted)
            assert.equal(
              wholeHit(Buffer.from(m.name, "utf8"), v),
              undefined,
              `member name ${m.name} holds ${v}`,
            );
          if (m.isDirectory) continue;
          const data = await zip.read(m.name);
          // In a .reg export, binary data is written as hex digit pairs (`…,ed,81,…`): those are
          // scanned as the bytes they stand for, not as words.
          const scanned = m.name.endsWith(".reg") ? regWithoutHexDigits(data) : [data];
          for (const v of redacted)
            for (const part of scanned) {
              const hit = wholeHit(part, v);
              assert.equal(hit, undefined, `${m.name} holds ${v}: ${hit}`);
            }
        }
        // Substrings of other words survive: `ed` and `IT` are users, `Edition` is not theirs.
        const fs = new TextDecoder().decode(await zip.read("snapshot/fs.json"));
        assert.match(fs, /Outlook Connector \(Offline Edition\)/);
        assert.match(fs, /C:\\\\Users\\\\Local/, "a user named after a path word is kept");
        const msi = [...zip.members.keys()].find((n) => /MSI4f2a1\.log$/.test(n))!;
        const log = new TextDecoder("utf-16le").decode(await zip.read(msi));
        assert.match(log, /Kerio Outlook Connector \(Offline Edition\)/);
        assert.match(log, /user-\d+ approved; Edition user-\d+\. by user-\d+/);
        const ansi = [...zip.members.keys()].find((n) => /kerio-setup\.log$/.test(n))!;
        assert.match(
          decodeWindows1252(await zip.read(ansi)),
          /^Setup für user-\d+ \(user-\d+\) in C:\\Users\\user-\d+\\/,
        );
      } finally {
        zip.close();
      }
    });
  }

  it("the scan can fail: without --redact every planted value stands whole in the bundle", async () => {
    const w = work.get("impostor-in-roaming")!;
    const plain = path.join(w.root, "plain.zip");
    assert.equal((await runCli(["collect", "--image", w.image, "--out", plain, "--at", AT])).code, 0);
    const zip = await openZipArchive(plain);
    try {
      const all: Uint8Array[] = [];
      for (const m of zip.members.values()) {
        all.push(Buffer.from(m.name, "utf8"));
        if (!m.isDirectory) all.push(await zip.read(m.name));
      }
      for (const v of PLANTED)
        assert.ok(
          all.some((b) => wholeHit(b, v) !== undefined),
          `${v} should stand whole in an unredacted bundle`,
        );
    } finally {
      zip.close();
    }
  });

  it("PE files holding a value are withheld, their facts carried; triage --bundle gives the same verdicts", async () => {
    const w = work.get("impostor-in-roaming")!;
    const zip = await openZipArchive(w.bundle);
    let facts: { files: Array<{ path: string; sha256: string; authentihash?: string; imports: string[] }> };
    try {
      const names = [...zip.members.keys()];
      assert.ok(
        !names.some((n) => /Roaming\/Kerio\/kofmsp32\.dll$/.test(n)),
        "the planted DLL's bytes are not carried",
      );
      assert.ok(!names.some((n) => /KoffBackend\.exe$/.test(n)), "the EXE's bytes are not carried");
      facts = JSON.parse(new TextDecoder().decode(await zip.read("snapshot/pe-facts.json"))) as typeof facts;
    } finally {
      zip.close();
    }
    const byName = new Map(facts.files.map((f) => [f.path.split("\\").pop()!.toLowerCase(), f]));
    const dll = byName.get("kofmsp32.dll")!;
    assert.match(dll.path, /^C:\\Users\\user-\d+\\AppData\\Roaming\\Kerio\\kofmsp32\.dll$/);
    const real = readFileSync(
      path.join(w.image, "Users", "alice", "AppData", "Roaming", "Kerio", "kofmsp32.dll"),
    );
    const { createHash } = await import("node:crypto");
    assert.equal(dll.sha256, createHash("sha256").update(real).digest("hex"));
    const exe = byName.get("koffbackend.exe")!;
    assert.match(exe.authentihash ?? "", /^[0-9a-f]{64}$/);
    assert.ok(exe.imports.length > 0);

    const verdicts = async (args: string[]) => {
      const r = await runCli(["triage", ...args, "--json", "--at", AT]);
      assert.ok(r.code <= 2, r.stderr);
      const doc = JSON.parse(r.stdout) as { files: Array<{ path: string; verdict: string; sha256: string }> };
      return new Map(doc.files.map((f) => [f.sha256, f.verdict]));
    };
    const plain = path.join(w.root, "plain-triage.zip");
    assert.equal((await runCli(["collect", "--image", w.image, "--out", plain, "--at", AT])).code, 0);
    const fromPlain = await verdicts(["--bundle", plain]);
    const fromRedacted = await verdicts(["--bundle", w.bundle]);
    assert.deepEqual(fromRedacted, fromPlain);
    assert.equal(fromRedacted.get(dll.sha256), "malicious");
    // The withheld files' verdicts were carried, not computed: every output says so.
    const json = JSON.parse(
      (await runCli(["triage", "--bundle", w.bundle, "--json", "--at", AT])).stdout,
    ) as {
      files: Array<{ sha256: string; carried?: { note: string } }>;
    };
    for (const f of facts.files)
      assert.match(json.files.find((x) => x.sha256 === f.sha256)?.carried?.note ?? "", /not computed here/);
    const text = await runCli(["triage", "--bundle", w.bundle, "--at", AT]);
    assert.match(text.stdout, /carried +record carried in the bundle/);
    assert.match(text.stdout, new RegExp(`${facts.files.length} verdict\\(s\\) carried in the bundle`));
  });
});
