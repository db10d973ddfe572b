/**
 * Redaction: after `collect --redact`, no user name, e-mail address, host or domain name of the
 * source appears anywhere in the bundle's bytes: not in the raw zip, not in any member name, not
 * in any member's inflated content, not in any `.reg` value's data, in UTF-8 or UTF-16LE form,
 * in any letter case. Findings stay the same, and the mapping is only in the local map file.
 *
 * The test copies a sample image and adds what the samples lack: a SYSTEM hive naming the
 * computer and its domain, KOFF logs (UTF-16LE and UTF-8) with an address, a server URL and a
 * UNC path, and an address in a MAPISVC.INF comment.
 */
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { BundleFileSystem } from "../../src/adapters/bundle/bundle-file-system.js";
import { BundleError, openZipArchive, Redactor } from "../../src/bundle/index.js";
import {
  encodeRegDword,
  encodeRegString,
  ensureKey,
  newRegTreeKey,
  parseRegFile,
  setTreeValue,
  writeHive,
} from "../../src/registry/index.js";
import { RegType } from "../../src/ports/registry.js";
import { copyImage } from "../helpers/image-copy.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-11-21T00:00:00Z";
const SECRETS = [
  "alice",
  "alice.smith@corp-example.net",
  "corp-example.net",
  "PC-ALICE-01",
  "mail.corp-example.net",
  "fileserver01.corp-example.net",
  "fileserver01",
];
let work: { root: string; image: string };
let bundle: string;

/** Lower-cased latin1 view of bytes, and the needle's UTF-8 and UTF-16LE forms, lower-cased. */
const view = (b: Uint8Array) => Buffer.from(b).toString("latin1").toLowerCase();
const forms = (s: string) => [
  Buffer.from(s, "utf8").toString("latin1").toLowerCase(),
  Buffer.from(s, "utf16le").toString("latin1").toLowerCase(),
];
function assertClean(what: string, bytes: Uint8Array): void {
  const hay = view(bytes);
  for (const s of SECRETS)
    for (const f of forms(s)) assert.equal(hay.includes(f), false, `${what} holds ${JSON.stringify(s)}`);
}

function addSystemHive(image: string): void {
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
}

describe("collect --redact", () => {
  before(async () => {
    work = copyImage("impostor-in-roaming");
    const { image } = work;
    addSystemHive(image);
    const install = path.join(image, "Program Files (x86)", "Kerio", "Outlook Connector (Offline Edition)");
    const log =
      "2026-11-20 10:00:01 connecting to https://mail.corp-example.net:443/ as Alice.Smith@corp-example.net\r\n" +
      "2026-11-20 10:00:02 host PC-ALICE-01 user ALICE cache C:\\Users\\alice\\AppData\\Local\\Kerio\r\n";
    writeFileSync(
      path.join(install, "koff.log"),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(log, "utf16le")]),
    );
    const cacheRoot = path.join(image, "Users", "alice", "AppData", "Local", "Kerio", "Outlook Connector");
    mkdirSync(cacheRoot, { recursive: true });
    writeFileSync(
      path.join(cacheRoot, "KoffBackend.log"),
      "sync with \\\\fileserver01.corp-example.net\\share for alice.smith@corp-example.net\n",
    );
    appendFileSync(
      path.join(
        image,
        "Program Files (x86)",
        "Microsoft Office",
        "root",
        "vfs",
        "ProgramFilesCommonX86",
        "System",
        "MSMAPI",
        "1033",
        "MAPISVC.INF",
      ),
      "\r\n; registered for alice.smith@corp-example.net on PC-ALICE-01\r\n",
    );
    bundle = path.join(work.root, "redacted.zip");
    const r = await runCli(["collect", "--image", image, "--out", bundle, "--at", AT, "--redact"]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => rmSync(work.root, { recursive: true, force: true }));

  it("the fixture is meaningful: without --redact every secret is in the bundle", async () => {
    const plain = path.join(work.root, "plain.zip");
    const r = await runCli(["collect", "--image", work.image, "--out", plain, "--at", AT]);
    assert.equal(r.code, 0, r.stderr);
    const zip = await openZipArchive(plain);
    try {
      let all = "";
      for (const m of zip.members.values()) all += m.name + view(await zip.read(m.name));
      for (const s of SECRETS)
        assert.ok(
          forms(s).some((f) => all.includes(f)),
          `${s} should be in an unredacted bundle`,
        );
    } finally {
      zip.close();
    }
  });

  it("no secret in the raw zip bytes", () => {
    assertClean("the zip file", readFileSync(bundle));
  });

  it("no secret in any member name or inflated member, nor in any .reg key or value", async () => {
    const zip = await openZipArchive(bundle);
    try {
      assert.ok(zip.members.size >= 15);
      for (const m of zip.members.values()) {
        assertClean(`member name ${m.name}`, Buffer.from(m.name, "utf8"));
        if (m.isDirectory) continue;
        const data = await zip.read(m.name);
        assertClean(m.name, data);
        if (m.name.endsWith(".reg")) {
          for (const op of parseRegFile(data).operations) {
            assertClean(`${m.name} key ${op.path}`, Buffer.from(op.path, "utf8"));
            if (op.kind === "set-value") assertClean(`${m.name} ${op.path} ${op.name}`, op.data);
          }
        }
      }
      assert.ok(
        [...zip.members.keys()].some((n) => n.startsWith("logs/")),
        "logs are carried",
      );
      assert.ok(
        [...zip.members.keys()].some((n) => n === "registry/HKU-user-1.reg"),
        "the user hive is renamed",
      );
      assert.ok(
        ![...zip.members.keys()].some((n) => n.includes("redaction-map")),
        "the map is not in the bundle",
      );
    } finally {
      zip.close();
    }
  });

  it("keeps the mapping locally, one token per value", () => {
    const map = JSON.parse(readFileSync(`${bundle}.redaction-map.json`, "utf8")) as {
      entries: Array<{ category: string; value: string; token: string }>;
    };
    const token = (v: string) => map.entries.find((e) => e.value.toLowerCase() === v.toLowerCase())?.token;
    assert.equal(token("alice"), "user-1");
    assert.match(token("alice.smith@corp-example.net") ?? "", /^user-\d+@domain-\d+\.invalid$/);
    assert.match(token("corp-example.net") ?? "", /^domain-\d+\.invalid$/);
    assert.match(token("PC-ALICE-01") ?? "", /^host-\d+$/);
    assert.match(token("mail.corp-example.net") ?? "", /^host-\d+$/);
    assert.ok(existsSync(bundle));
  });

  it("replaces consistently: the log tail names the same tokens as the map", async () => {
    const zip = await openZipArchive(bundle);
    try {
      const logMember = [...zip.members.keys()].find((n) => n.endsWith("/koff.log"))!;
      const text = new TextDecoder("utf-16le").decode(await zip.read(logMember));
      assert.match(text, /as user-\d+@domain-\d+\.invalid/);
      assert.match(text, /host host-\d+ user user-1 cache C:\\Users\\user-1\\/);
    } finally {
      zip.close();
    }
  });

  it("the redacted bundle gives the same finding ids as the image", async () => {
    const img = await runCli(["check", "--image", work.image, "--json", "--at", AT]);
    const bun = await runCli(["check", "--bundle", bundle, "--json", "--at", AT]);
    const ids = (s: string) =>
      [...new Set((JSON.parse(s) as { findings: Array<{ id: string }> }).findings.map((f) => f.id))].sort();
    assert.deepEqual(ids(bun.stdout), ids(img.stdout));
    assert.deepEqual(ids(bun.stdout), ["mapisvc-path-outside-install", "stray-provider-dll"]);
  });
});

describe("Redactor", () => {
  const r = new Redactor([
    { category: "user", value: "bob" },
    { category: "email", value: "bob@corp.example.net" },
    { category: "domain", value: "corp.example.net" },
    { category: "host", value: "WS-042" },
    { category: "user", value: "Users" },
  ]);

  it("gives the same token for the same value, in any case, longest value first", () => {
    assert.equal(
      r.redactText("BOB and bob at ws-042, bob@corp.example.net"),
      "user-1 and user-1 at host-1, user-1@domain-1.invalid",
    );
    assert.equal(r.redactText("C:\\Users\\Bob"), "C:\\Users\\user-1", "structural words are never redacted");
  });

  it("replaces UTF-16LE and UTF-8 forms in bytes, and finds values in binaries", () => {
    const wide = Buffer.from("x Bob y", "utf16le");
    assert.equal(Buffer.from(r.redactBytes(wide)).toString("utf16le"), "x user-1 y");
    const bin = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.from("bob", "utf8"),
      Buffer.from([0]),
      Buffer.from("BOB", "utf16le"),
    ]);
    assert.deepEqual(r.findInBytes(bin), { encoding: "utf-8", offset: 2 });
    assert.equal(r.containsBytes(r.redactBytes(bin)), false);
  });

  it("finds non-ASCII names in any case, in UTF-8, UTF-16LE and Windows-1252", () => {
    const n = new Redactor([{ category: "user", value: "Jürgen" }]);
    for (const bytes of [
      Buffer.from("id=JÜRGEN;", "utf8"),
      Buffer.from("id=jürgen;", "utf16le"),
      Buffer.from([0x4a, 0xfc, 0x72, 0x67, 0x65, 0x6e]), // "Jürgen" in Windows-1252
    ]) {
      assert.equal(n.containsBytes(bytes), true, bytes.toString("hex"));
      assert.equal(n.containsBytes(n.redactBytes(bytes)), false, bytes.toString("hex"));
    }
  });

  it("replaces every spelling its matcher folds to the value (final and medial sigma, long s)", () => {
    const r = new Redactor([
      { category: "user", value: "Κώστας" },
      { category: "user", value: "ſtefan" },
    ]);
    const text = "C:\\Users\\κώστασ and ΚΏΣΤΑΣ and stefan";
    const out = r.redactText(text);
    assert.equal(out, "C:\\Users\\user-1 and user-1 and user-2");
    for (const enc of ["utf8", "utf16le"] as const) {
      const bytes = r.redactBytes(Buffer.from(text, enc));
      assert.equal(r.containsBytes(bytes), false, `${enc}: ${Buffer.from(bytes).toString(enc)}`);
    }
  });

  it("replaces a value in its full lower and upper case too (İlker → i̇lker, straße → STRASSE)", () => {
    const r = new Redactor([
      { category: "user", value: "İlker" },
      { category: "user", value: "straße" },
    ]);
    const text = `${"İlker".toLowerCase()} ${"İlker".toUpperCase()} ${"straße".toUpperCase()} Strasse`;
    assert.equal(r.redactText(text), "user-1 user-1 user-2 user-2");
    const bytes = r.redactBytes(Buffer.from(text, "utf16le"));
    assert.equal(r.containsBytes(bytes), false, Buffer.from(bytes).toString("utf16le"));
  });

  it("replaces values in text that mixes UTF-8 and Windows-1252, and still not inside a word", () => {
    const r = new Redactor([
      { category: "user", value: "José" },
      { category: "user", value: "Jos" },
    ]);
    const mixed = Buffer.concat([
      Buffer.from("user José\r\n", "utf8"),
      Buffer.from([0x4a, 0x6f, 0x73, 0xe9, 0x0d, 0x0a]), // José in Windows-1252
      Buffer.from([0x4a, 0x6f, 0x73, 0xe9, 0x70, 0x68, 0x20]), // Joséph: one word, Jos not whole
    ]);
    const out = r.redactBytes(mixed);
    assert.equal(
      r.findInBytes(out.subarray(0, out.length - 7)),
      undefined,
      Buffer.from(out).toString("latin1"),
    );
    assert.equal(Buffer.from(out).toString("latin1"), "user user-1\r\nuser-1\r\nJos\xe9ph ");
  });

  it("replaces whole values only: never inside another word, in any script", () => {
    const w = new Redactor([
      { category: "user", value: "IT" },
      { category: "user", value: "ed" },
      { category: "user", value: "Jürgen" },
      { category: "user", value: "Anna Maria" },
      { category: "user", value: "j.doe" },
    ]);
    assert.equal(
      w.redactText("Outlook Connector (Offline Edition) EDITION IT_admin Itália édité"),
      "Outlook Connector (Offline Edition) EDITION IT_admin Itália édité",
    );
    assert.equal(
      w.redactText('C:\\Users\\IT\\AppData;"it";it.;pc-it-01;/home/ed/x;ED'),
      'C:\\Users\\user-1\\AppData;"user-1";user-1.;pc-user-1-01;/home/user-2/x;user-2',
    );
    assert.equal(w.redactText("Jürgens jürgen JÜRGEN_ xJürgen"), "Jürgens user-3 JÜRGEN_ xJürgen");
    assert.equal(w.redactText("by Anna Maria, not Anna Marias"), "by user-4, not Anna Marias");
    assert.equal(w.redactText("j.doe J.DOE xj.doe"), "user-5 user-5 xj.doe");
  });

  it("e-mail addresses and dotted host names are values of their own, longest first", () => {
    const w = new Redactor([
      { category: "user", value: "alice" },
      { category: "email", value: "alice.smith@corp.example.net" },
      { category: "domain", value: "corp.example.net" },
      { category: "host", value: "mail.corp.example.net" },
      { category: "host", value: "mail" },
    ]);
    assert.equal(
      w.redactText("alice.smith@corp.example.net via mail.corp.example.net (corp.example.net) mail mailbox"),
      "user-2@domain-1.invalid via host-1 (domain-1.invalid) host-2 mailbox",
    );
    assert.equal(
      w.redactText("corp.example.network"),
      "corp.example.network",
      "a longer host is another value",
    );
  });

  it("keeps one-letter values and words of the paths check reads, and says why", () => {
    const w = new Redactor(
      ["Kerio", "Users", "Local", "Program", "AppData", "x86", "j", "admin", "user", "host"].map((value) => ({
        category: "user" as const,
        value,
      })),
    );
    assert.deepEqual(
      w.entries.map((e) => e.value),
      ["admin"],
    );
    assert.equal(w.skipped.find((s) => s.value === "j")?.reason, "shorter than 2 characters");
    assert.match(w.skipped.find((s) => s.value === "Program")?.reason ?? "", /word of a path/);
    assert.equal(
      w.redactText("C:\\Program Files (x86)\\Kerio\\x.dll run by admin"),
      "C:\\Program Files (x86)\\Kerio\\x.dll run by user-1",
    );
  });

  it("edits text bytes only where a value stands whole, in the encoding it was found in", () => {
    const w = new Redactor([{ category: "user", value: "ed" }]);
    const wide = Buffer.from("Edition ed Ed.", "utf16le");
    assert.equal(Buffer.from(w.redactBytes(wide)).toString("utf16le"), "Edition user-1 user-1.");
    const ansi = Buffer.from([0x45, 0x64, 0xe9, 0x20, 0x65, 0x64, 0x20]); // "Edé ed " in Windows-1252
    assert.deepEqual([...w.redactBytes(ansi)], [0x45, 0x64, 0xe9, 0x20, ...Buffer.from("user-1"), 0x20]);
    const utf8 = Buffer.from("édité ed", "utf8");
    assert.equal(Buffer.from(w.redactBytes(utf8)).toString("utf8"), "édité user-1");
    assert.equal(w.findInBytes(Buffer.from("Edition", "utf16le")), undefined);
  });

  it("redacts JSON values and keys before they are escaped", () => {
    const w = new Redactor([{ category: "path", value: "D:\\cases\\pc1" }]);
    assert.deepEqual(w.redactJson({ source: "image D:\\cases\\pc1", n: 3, "D:\\cases\\pc1": [true] }), {
      source: "image path-1",
      n: 3,
      "path-1": [true],
    });
  });
});

describe("withheld PE facts in bundle mode", () => {
  const sha = "a".repeat(64);
  const record = { path: "C:\\Users\\user-1\\x.dll", sha256: sha, size: 5, verdict: "clean", indicators: [] };
  const fsFor = (facts: unknown) =>
    new BundleFileSystem(
      {
        version: 1,
        entries: [
          {
            path: "C:\\Users\\user-1\\x.dll",
            stat: { kind: "file", size: 5 },
            content: { withheld: "redaction", facts: "snapshot/pe-facts.json", size: 5 },
          },
          { path: "C:\\y.dll", content: { member: "files/C/y.dll", size: 1 } },
        ],
      },
      async (m) => {
        if (m !== "snapshot/pe-facts.json") throw new Error(`unexpected read of ${m}`);
        return new TextEncoder().encode(JSON.stringify(facts));
      },
      "test",
    );

  it("answers readFile with nothing and carriedPeFacts with the carried record", async () => {
    const fs = fsFor({
      version: 1,
      files: [
        { path: "c:\\users\\USER-1\\x.dll", size: 5, sha256: sha, imports: ["KERNEL32.dll"], triage: record },
      ],
    });
    assert.equal(await fs.readFile("C:\\Users\\user-1\\x.dll"), undefined);
    assert.equal((await fs.stat("C:\\Users\\user-1\\x.dll"))?.size, 5);
    const facts = await fs.carriedPeFacts("C:\\Users\\user-1\\x.dll");
    assert.equal(facts?.triage.verdict, "clean");
    assert.deepEqual(facts?.imports, ["KERNEL32.dll"]);
    assert.equal(await fs.carriedPeFacts("C:\\y.dll"), undefined, "carried bytes have no facts");
    assert.deepEqual(fs.withheldFiles(), [{ path: "C:\\Users\\user-1\\x.dll", size: 5 }]);
  });

  it("marks a carried record as carried, whatever the bundle says of it (bundles are not authenticated)", async () => {
    const fs = fsFor({
      version: 1,
      files: [
        {
          path: "C:\\Users\\user-1\\x.dll",
          size: 5,
          sha256: sha,
          imports: [],
          triage: { ...record, carried: undefined },
        },
      ],
    });
    const triage = (await fs.carriedPeFacts("C:\\Users\\user-1\\x.dll"))?.triage;
    assert.equal(triage?.verdict, "clean");
    assert.equal(triage?.carried?.from, "snapshot/pe-facts.json");
    assert.match(triage?.carried?.note ?? "", /not computed here/);
  });

  for (const [what, facts] of [
    ["not a facts document", { version: 2, files: [] }],
    [
      "a record whose hash is not the file's",
      {
        version: 1,
        files: [
          {
            path: "C:\\Users\\user-1\\x.dll",
            size: 5,
            sha256: sha,
            imports: [],
            triage: { ...record, sha256: "b".repeat(64) },
          },
        ],
      },
    ],
    ["no entry for the withheld file", { version: 1, files: [] }],
    [
      "a verdict that is not one",
      {
        version: 1,
        files: [
          {
            path: "C:\\Users\\user-1\\x.dll",
            size: 5,
            sha256: sha,
            imports: [],
            triage: { ...record, verdict: "trusted" },
          },
        ],
      },
    ],
    [
      "imports that are not names",
      {
        version: 1,
        files: [{ path: "C:\\Users\\user-1\\x.dll", size: 5, sha256: sha, imports: [1], triage: record }],
      },
    ],
  ] as const)
    it(`refuses ${what} (member-invalid, naming the facts member)`, async () => {
      await assert.rejects(fsFor(facts).carriedPeFacts("C:\\Users\\user-1\\x.dll"), (e: unknown) => {
        assert.ok(e instanceof BundleError);
        assert.equal(e.code, "member-invalid");
        assert.equal(e.path, "snapshot/pe-facts.json");
        return true;
      });
    });
});
