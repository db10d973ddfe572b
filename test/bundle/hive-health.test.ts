/**
 * `check --bundle` names the damaged and dirty hives of the source as `check --image` does: the
 * recording proxy of `collect` keeps the source's `health()` answer, `registry/index.json` carries
 * the damaged or dirty hives (`hiveHealth`), and the bundle's registry port answers `health()`
 * with them, so the same collector turns them into `unknown["hive:…"]` notes and
 * `damagedUserHives`. A malformed `hiveHealth` (wrong JSON types, over its caps) is refused.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import {
  BundleError,
  MAX_CARRIED_ANOMALIES,
  MAX_CARRIED_HIVE_HEALTH,
  openZipArchive,
  sha256Hex,
  validateRegistryIndex,
  writeZipFile,
} from "../../src/bundle/index.js";
import { copyImage } from "../helpers/image-copy.js";
import { zipMembers } from "../helpers/zip-members.js";
import { runCli } from "../helpers/run-cli.js";
import { hiveBinsDataSizeOf, newFormatLog, withSequences } from "../registry/hive-log-builder.js";

const AT = "2026-11-21T00:00:00Z";
const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface CheckDoc {
  findings: Array<{ id: string }>;
  facts: { users: string[]; damagedUserHives: string[]; unknown: Record<string, string> };
}

async function checkJson(args: string[]): Promise<CheckDoc> {
  const r = await runCli(["check", ...args, "--json", "--at", AT]);
  assert.ok(r.code <= 2, `check ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as CheckDoc;
}

/** A copy of sample image `scenario` with alice's NTUSER.DAT changed by `damage`. */
function imageWith(scenario: string, damage: (file: string) => void): { root: string; image: string } {
  const c = copyImage(scenario);
  scratch.push(c.root);
  damage(path.join(c.image, "Users", "alice", "NTUSER.DAT"));
  return c;
}

/** The hive cut short: its bins declare more than the file holds. */
const truncate = (file: string) => writeFileSync(file, readFileSync(file).subarray(0, 6000));

/** The hive made dirty, with a `.LOG1` that replays it to itself (one entry). */
function dirtyWithLog(file: string): void {
  const hive = new Uint8Array(readFileSync(file));
  const s = new DataView(hive.buffer).getUint32(8, true);
  writeFileSync(file, withSequences(hive, s + 1, s));
  const page = { hiveOffset: 0, bytes: hive.slice(4096, 8192) };
  writeFileSync(
    `${file}.LOG1`,
    newFormatLog(hive, s + 1, [
      { sequence: s + 1, hiveBinsDataSize: hiveBinsDataSizeOf(hive), pages: [page] },
    ]),
  );
}

async function collect(image: string, root: string, redact = false): Promise<string> {
  const out = path.join(root, redact ? "redacted.zip" : "bundle.zip");
  const r = await runCli([
    "collect",
    "--image",
    image,
    "--out",
    out,
    "--at",
    AT,
    ...(redact ? ["--redact"] : []),
  ]);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

const ids = (d: CheckDoc) => [...new Set(d.findings.map((f) => f.id))].sort();

describe("check --bundle: damaged and dirty hives of the source", () => {
  const cases = [
    {
      name: "a truncated NTUSER.DAT",
      scenario: "healthy",
      damage: truncate,
      note: /^damaged hive \(\d+ anomalies, first: truncated\); facts read from it may be incomplete$/,
    },
    {
      name: "a dirty NTUSER.DAT replayed from its .LOG1",
      scenario: "orphan-cache",
      damage: dirtyWithLog,
      note: /^dirty hive recovered from NTUSER\.DAT\.LOG1 \(1 entry\); read with its logs replayed, and left alone by repairs/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: named in unknown and damagedUserHives as with --image, same findings`, async () => {
      const { root, image } = imageWith(c.scenario, c.damage);
      const fromImage = await checkJson(["--image", image]);
      const fromBundle = await checkJson(["--bundle", await collect(image, root)]);
      assert.match(fromImage.facts.unknown["hive:HKU\\alice"] ?? "", c.note, "the image run names it");
      assert.equal(fromBundle.facts.unknown["hive:HKU\\alice"], fromImage.facts.unknown["hive:HKU\\alice"]);
      assert.deepEqual(fromBundle.facts.damagedUserHives, ["alice"]);
      assert.deepEqual(ids(fromBundle), ids(fromImage), "the damaged user's facts are treated alike");
    });
  }

  it("with --redact, the hive is named by its redacted user, and the user name is not carried", async () => {
    const { root, image } = imageWith("orphan-cache", dirtyWithLog);
    const bundle = await collect(image, root, true);
    const fromBundle = await checkJson(["--bundle", bundle]);
    const [user] = fromBundle.facts.damagedUserHives;
    assert.ok(user !== undefined && user !== "alice", `redacted: ${user}`);
    assert.match(
      fromBundle.facts.unknown[`hive:HKU\\${user}`] ?? "",
      /^dirty hive recovered from NTUSER\.DAT\.LOG1/,
    );
    const zip = await openZipArchive(bundle);
    try {
      const index = Buffer.from(await zip.read("registry/index.json")).toString("utf8");
      assert.ok(index.includes('"hiveHealth"'));
      assert.doesNotMatch(index, /alice/i);
    } finally {
      zip.close();
    }
  });
});

describe("registry/index.json hiveHealth: malformed is refused", () => {
  const base = { version: 1, hives: [] };
  const ok = { mount: "HKU\\a", dirty: true, anomalies: [{ code: "truncated", message: "m", offset: 4 }] };
  it("a well-formed list is accepted", () => {
    assert.deepEqual(validateRegistryIndex({ ...base, hiveHealth: [ok] }, "registry/index.json").hiveHealth, [
      ok,
    ]);
  });
  const bad: Array<[string, unknown]> = [
    ["not an array", { mount: "x" }],
    ["null entry", [null]],
    ["mount a number", [{ ...ok, mount: 7 }]],
    ["dirty a string", [{ ...ok, dirty: "yes" }]],
    ["anomalies not an array", [{ ...ok, anomalies: "x" }]],
    ["a code with markup", [{ ...ok, anomalies: [{ code: "<b>x</b>", message: "m" }] }]],
    ["a negative offset", [{ ...ok, anomalies: [{ code: "truncated", message: "m", offset: -1 }] }]],
    ["a fractional offset", [{ ...ok, anomalies: [{ code: "truncated", message: "m", offset: 1.5 }] }]],
    ["a message object", [{ ...ok, anomalies: [{ code: "truncated", message: {} }] }]],
    ["recovery without a summary", [{ ...ok, recovery: { recovered: true } }]],
    ["recovery null", [{ ...ok, recovery: null }]],
    [
      "too many anomalies",
      [{ ...ok, anomalies: Array.from({ length: MAX_CARRIED_ANOMALIES + 1 }, () => ok.anomalies[0]) }],
    ],
    ["too many hives", Array.from({ length: MAX_CARRIED_HIVE_HEALTH + 1 }, () => ok)],
  ];
  for (const [name, hiveHealth] of bad) {
    it(`${name}: member-invalid`, () => {
      assert.throws(
        () => validateRegistryIndex({ ...base, hiveHealth }, "registry/index.json"),
        (e: unknown) => e instanceof BundleError && e.code === "member-invalid",
      );
    });
  }
});

describe("hiveHealth with hostile text: never reaches the terminal as it is", () => {
  /** A mount and a summary holding a line break, erase-line and conceal sequences, and an override. */
  const hostile = "x\u001b[2K\u001b[8m\u202e\nFORGED";
  /** An ESC or a right-to-left override, as they are. */
  // eslint-disable-next-line no-control-regex
  const RAW = /[\u001b\u202e]/;
  it("check --bundle (text): the mount and summary are shown escaped, on their line", async () => {
    const { root, image } = imageWith("healthy", () => undefined);
    const bundle = await collect(image, root);
    const members = await zipMembers(bundle);
    const member = (name: string) => members.find((m) => m.name === name)!;
    const index = JSON.parse(Buffer.from(member("registry/index.json").data).toString("utf8")) as Record<
      string,
      unknown
    >;
    index["hiveHealth"] = [
      {
        mount: `HKU\\${hostile}`,
        dirty: true,
        anomalies: [],
        recovery: { recovered: false, summary: `no log ${hostile}` },
      },
    ];
    const data = new TextEncoder().encode(JSON.stringify(index));
    const manifestMember = member("manifest.json");
    const manifest = JSON.parse(Buffer.from(manifestMember.data).toString("utf8")) as {
      members: Array<{ path: string; size: number; sha256: string }>;
    };
    const entry = manifest.members.find((m) => m.path === "registry/index.json")!;
    entry.size = data.length;
    entry.sha256 = sha256Hex(data);
    member("registry/index.json").data = data;
    manifestMember.data = new TextEncoder().encode(JSON.stringify(manifest));
    const crafted = path.join(root, "hostile.zip");
    await writeZipFile(crafted, members, new Date(AT));

    const r = await runCli(["check", "--bundle", crafted, "--at", AT]);
    assert.ok(r.code <= 2, r.stderr);
    assert.match(r.stdout, /registry hive HKU\\x\\u001b\[2K\\u001b\[8m\\u202e\\u000aFORGED/);
    assert.doesNotMatch(r.stdout, RAW, "no escape sequence nor override reaches the terminal");
    assert.doesNotMatch(r.stdout, /^FORGED/m, "no line is forged");
    const html = path.join(root, "report.html");
    for (const format of ["--sarif", "--json"]) {
      const o = await runCli(["check", "--bundle", crafted, "--at", AT, format, "--html", html]);
      assert.ok(o.code <= 2, o.stderr);
      assert.doesNotMatch(o.stdout, RAW, `${format}: no escape sequence nor override`);
      assert.doesNotMatch(readFileSync(html, "utf8"), RAW, "HTML: the same");
    }
  });
});
