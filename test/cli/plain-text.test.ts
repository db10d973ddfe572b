/**
 * Plain text people read: one "not visible" line per run in words (no field names, no reason said
 * twice), problem codes in words (the codes stay in `--json`), a repeated finding shown once with
 * a count, clean triage files on one line with what no file shows said once, a next step when a
 * file is worth acting on, and dry runs in the future tense.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { describeUnknown, notVisibleLine } from "../../src/cli/render/not-visible.js";
import { EXAMPLES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";
import { shellWords } from "../helpers/shell-words.js";

const SCENARIOS = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !["src", "tools"].includes(d.name))
  .map((d) => d.name)
  .sort();
const image = (s: string) => path.join(EXAMPLES, s);
const scratch = mkdtempSync(path.join(tmpdir(), "koff-plain-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
const ENV = { XDG_STATE_HOME: path.join(scratch, "xdg") };

/** Internal codes that must not reach the text. */
const CODES =
  /\b(not-header-page|bad-page-size|unknown-ods|not-firebird-ods|too-small|mapisvc-inf|outlook-profile|loaded-by-process|next-to-exe|next-to-dll|freeDiskBytes)\b/;

describe("check text", () => {
  for (const s of SCENARIOS)
    it(`${s}: one "not visible" line in words, no codes or field names`, async () => {
      const r = await runCli(["check", "--image", image(s)]);
      const hidden = r.stdout.split("\n").filter((l) => /not visible|not run/i.test(l));
      assert.equal(hidden.length, 1, r.stdout);
      // Every sample but orphan-cache carries event logs (examples/build-event-logs.sh).
      assert.match(
        hidden[0]!,
        s === "orphan-cache"
          ? /^Not visible from an image: running processes, network connections, free disk space \(pass --free-space\), event logs \(.*winevt\\Logs is absent\)\); 5 checks not run: /
          : /^Not visible from an image: running processes, network connections, free disk space \(pass --free-space\); 1 check not run: cache-disk-space-low\.$/,
      );
      assert.doesNotMatch(r.stdout, CODES);
      assert.doesNotMatch(r.stdout, /see docs\//);
    });

  it("corrupt-cache: the damage in words; the codes stay in --json evidence", async () => {
    const text = await runCli(["check", "--image", image("corrupt-cache")]);
    assert.match(
      text.stdout,
      /koff\.fdb: the first page is not a database header page; the page size is not one Firebird uses/,
    );
    const json = JSON.parse((await runCli(["check", "--image", image("corrupt-cache"), "--json"])).stdout);
    assert.deepEqual(json.findings[0].evidence.problems, ["not-header-page", "bad-page-size", "unknown-ods"]);
  });

  it("missing-av-exclusions: three findings of one check and one step shown once, with a count", async () => {
    const r = await runCli(["check", "--image", image("missing-av-exclusions")]);
    assert.equal(r.stdout.match(/av-exclusion-missing {2}/g)?.length, 1, r.stdout);
    assert.match(r.stdout, /A recommended antivirus exclusion is missing \(3×\)/);
    assert.equal(r.stdout.match(/^ {4}- .* is not excluded from Microsoft Defender scanning$/gm)?.length, 3);
    assert.equal(r.stdout.match(/next: /g)?.length, 1);
  });

  it("a bundle's next step says where it runs", async () => {
    const bundle = path.join(scratch, "cc.zip");
    const c = await runCli(["collect", "--image", image("corrupt-cache"), "--out", bundle]);
    assert.equal(c.code, 0, c.stderr);
    const next = /^next: (koff-doctor .*)$/m.exec(c.stdout)?.[1];
    assert.equal(next, `koff-doctor check --bundle ${bundle}`, c.stdout);
    const r = await runCli(shellWords(next).slice(1));
    assert.match(
      r.stdout,
      /next: koff-doctor repair --step clear-cache --profile Kerio --user alice\n +\(on the machine the bundle was collected from/,
    );
    assert.match(r.stdout, /^Not visible in a bundle: /m);
  });
});

describe("not-visible line (pure)", () => {
  it("says each fact once, keeps the hint, and drops reasons that restate the mode", () => {
    const line = notVisibleLine(
      "image",
      {
        processes: "image mode cannot see running processes",
        freeDiskBytes: "image mode: free space of the original disk is unknown (pass --free-space)",
        "caches:bob": "the folder could not be listed: EACCES",
      },
      [{ id: "cache-disk-space-low" }],
    )!;
    assert.equal(
      line,
      "Not visible from an image: running processes, free disk space (pass --free-space), the caches of bob (the folder could not be listed: EACCES); 1 check not run: cache-disk-space-low.",
    );
    assert.equal(notVisibleLine("live", {}, []), undefined);
    assert.equal(
      describeUnknown("strays", "the search stopped after 5000 entries", "live"),
      "part of the search for stray provider DLLs (the search stopped after 5000 entries)",
    );
  });

  it("names an event log that could not be read as Windows spells it (the others were read)", () => {
    assert.equal(
      describeUnknown(
        "events (Microsoft-Windows-Windows Defender/Operational)",
        "could not be read: C:\\Windows\\System32\\winevt\\Logs\\x.evtx: not in the image",
        "image",
      ),
      "the Microsoft-Windows-Windows Defender/Operational event log (could not be read: C:\\Windows\\System32\\winevt\\Logs\\x.evtx: not in the image)",
    );
    assert.equal(
      describeUnknown("events (Application, Security)", "could not be read: exec-failed", "live"),
      "the Application and Security event logs (could not be read: exec-failed)",
    );
  });

  it("names a hive or user whose name holds a colon whole (a bundle's mount may)", () => {
    assert.equal(
      describeUnknown("hive:HKU\\a:b:c", "damaged hive; facts read from it may be incomplete", "bundle"),
      "the registry hive HKU\\a:b:c (damaged hive; facts read from it may be incomplete)",
    );
    assert.equal(describeUnknown("caches:x:y", "not listed", "bundle"), "the caches of x:y (not listed)");
  });
});

describe("triage text", () => {
  it("clean files are one line each; what no file shows is said once; nothing to do, no next line", async () => {
    const r = await runCli(["triage", "-r", image("healthy"), "--image", image("healthy")]);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stdout, /unknown/);
    assert.equal(r.stdout.match(/^CLEAN {2}.*\(C:\\.*\)$/gm)?.length, 2, r.stdout);
    assert.equal(
      r.stdout.match(
        /^Not visible in this mode: which processes load each file, their network connections\.$/gm,
      )?.length,
      1,
    );
    assert.doesNotMatch(r.stdout, /next:/);
    const verbose = await runCli([
      "triage",
      "-r",
      image("healthy"),
      "--image",
      image("healthy"),
      "--verbose",
    ]);
    assert.equal(verbose.stdout.match(/unknown +process/g)?.length, 2, "--verbose shows every indicator");
  });

  it("a malicious file in an image gets the repair step and its indicator's doc page", async () => {
    const img = image("impostor-in-roaming");
    const r = await runCli(["triage", "-r", img, "--image", img]);
    assert.equal(r.code, 2);
    assert.match(
      r.stdout,
      new RegExp(
        `\\nnext: koff-doctor repair --step rule-out-infection --image ${img}\\nmore: koff-doctor explain executable-behavior\\n$`,
      ),
    );
  });

  it("a suspicious plain file points to the indicator that fired", async () => {
    const dll = path.join(
      image("healthy"),
      "Program Files (x86)/Kerio/Outlook Connector (Offline Edition)/kofmsp32.dll",
    );
    const r = await runCli(["triage", dll]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\nnext: koff-doctor explain signature\n$/);
  });

  it("an unreadable file is described in words; its code stays in --json", async () => {
    const f = path.join(scratch, "notpe.dll");
    writeFileSync(f, "not a PE file\n");
    const r = await runCli(["triage", f]);
    assert.match(r.stdout, /^ {2}unreadable: e_magic is not 'MZ'/m);
    assert.doesNotMatch(r.stdout, /bad-dos-signature/);
    assert.equal(
      JSON.parse((await runCli(["triage", f, "--json"])).stdout).files[0].error.code,
      "bad-dos-signature",
    );
  });
});

describe("repair text", () => {
  it("a dry run speaks of what would happen and prints the command that applies it", async () => {
    const img = image("missing-av-exclusions");
    const state = path.join(scratch, "st-av");
    const r = await runCli(["repair", "--step", "av-exclusions", "--image", img, "--state", state], ENV);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /→ Would add to the image's registry: C:\\Program Files \(x86\)\\Kerio/);
    assert.doesNotMatch(r.stdout, /Added/);
    assert.ok(
      r.stdout.endsWith(
        `Dry run: nothing was changed. To carry it out:\n  apply: koff-doctor repair --step av-exclusions --image ${img} --state ${state} --apply\n`,
      ),
      r.stdout,
    );
  });

  it("the ladder's guidance names the image in the commands it prints", async () => {
    const img = image("impostor-in-roaming");
    const r = await runCli(
      ["repair", "--step", "rule-out-infection", "--image", img, "--state", path.join(scratch, "st-r")],
      ENV,
    );
    assert.match(r.stdout, /Planted DLLs would be moved to quarantine/);
    const orphan = image("orphan-cache");
    const p = await runCli(
      ["repair", "--step", "recreate-profile", "--image", orphan, "--state", path.join(scratch, "st-o")],
      ENV,
    );
    assert.ok(p.stdout.includes(`koff-doctor repair --step remove-leftovers --image ${orphan}.`), p.stdout);
  });
});

describe("apply and undo, as printed", () => {
  it("the printed apply line acts, its printed undo line reverts, and the same undo again has nothing to do (4)", async () => {
    const copy = path.join(scratch, "apply copy");
    cpSync(image("corrupt-cache"), copy, { recursive: true });
    const state = path.join(scratch, "apply state");
    const dry = await runCli(
      ["repair", "--step", "clear-cache", "--image", copy, "--profile", "Kerio", "--state", state],
      ENV,
    );
    const apply = /^ {2}apply: (koff-doctor .*)$/m.exec(dry.stdout)?.[1];
    assert.ok(apply, dry.stdout);
    const applied = await runCli(shellWords(apply).slice(1), ENV);
    assert.equal(applied.code, 0, applied.stderr);
    const undo = /Revert it with: (koff-doctor .*)$/m.exec(applied.stdout)?.[1];
    assert.ok(undo, applied.stdout);
    assert.deepEqual(shellWords(undo).slice(-2), ["--state", state], "the undo names the state folder used");
    const first = await runCli(shellWords(undo).slice(1), ENV);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /is undone/);
    const again = await runCli(shellWords(undo).slice(1), ENV);
    assert.equal(again.code, 4, `a second undo has nothing to do: ${again.stderr}`);
    assert.match(again.stderr, /nothing to do/);
    assert.equal(again.stdout, "");
  });
});

describe("--help", () => {
  for (const verb of [
    "check",
    "triage",
    "collect",
    "repair",
    "undo",
    "explain",
    "events",
    "fleet",
    "fleet ingest",
    "fleet summary",
  ])
    it(`${verb} --help ends with examples, exit codes and a docs topic that exists`, async () => {
      const r = await runCli([...verb.split(" "), "--help"]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /\nExamples:\n {2}koff-doctor /);
      assert.match(r.stdout, /\nExit codes:\n(?: +\d+ {2}\S.*\n)+/);
      const topic = /Documentation: koff-doctor explain (\S+)/.exec(r.stdout)?.[1];
      assert.ok(topic, r.stdout);
      assert.equal((await runCli(["explain", topic])).code, 0, `explain ${topic}`);
      for (const ex of r.stdout.match(/^ {2}koff-doctor .*$/gm) ?? [])
        assert.doesNotThrow(() => shellWords(ex.replace(/\s+\(.*\)$/, "")), ex);
    });
});

describe("contract: --at takes only ISO 8601 date-times in every verb", () => {
  for (const verb of [
    ["check", "--image", image("healthy")],
    ["repair", "--image", image("healthy")],
    ["undo", "--image", image("healthy")],
    ["collect", "--image", image("healthy"), "--out", path.join(scratch, "x.zip")],
  ])
    for (const at of ["1", "2024", "2024-02-30"])
      it(`${verb[0]} --at ${at} exits 64 before any work`, async () => {
        const r = await runCli([...verb, "--at", at], ENV);
        assert.equal(r.code, 64, r.stderr);
        assert.match(r.stderr, /ISO 8601 date-time/);
        assert.equal(r.stdout, "");
      });
});
