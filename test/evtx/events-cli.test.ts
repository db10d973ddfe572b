/** `koff-doctor events`: output formats, filters, several files, anomalies and exit codes. */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { FIXTURES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const log = (name: string) => path.join(FIXTURES, "evtx", name);

describe("koff-doctor events", () => {
  it("--jsonl prints one object per record with the documented fields", async () => {
    const r = await runCli(["events", "--jsonl", log("defender.evtx")]);
    assert.equal(r.code, 0);
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 302);
    assert.deepEqual(Object.keys(lines[0]!), [
      "recordNumber",
      "eventId",
      "provider",
      "channel",
      "timeCreated",
      "level",
      "data",
    ]);
    assert.equal(r.stderr, "");
  });

  it("--id, --provider and --since filter; --json prints one array", async () => {
    const r = await runCli([
      "events",
      "--json",
      "--id",
      "1000,1002",
      "--provider",
      "APPLICATION ERROR",
      log("application.evtx"),
    ]);
    assert.equal(r.code, 0);
    const events = JSON.parse(r.stdout) as { eventId: number; data: Record<string, string> }[];
    assert.deepEqual(
      events.map((e) => e.data["ModuleName"]),
      ["kofmsp32.dll", "fbembed.dll", "fbclient.dll"],
    );
    const since = await runCli([
      "events",
      "--jsonl",
      "--id",
      "1000",
      "--since",
      "2026-11-30T08:02:00.5Z",
      log("application.evtx"),
    ]);
    assert.equal(since.stdout.trimEnd().split("\n").length, 1);
  });

  it("text output, several files tagged with their file; an unreadable file exits 3, the others still print", async () => {
    const r = await runCli([
      "events",
      "--id",
      "1116",
      log("defender.evtx"),
      path.join(REPO_ROOT, "README.md"),
    ]);
    assert.equal(r.code, 3);
    assert.match(
      r.stdout,
      /defender\.evtx: #\d+ 2026-11-30T08:00:01\.0000000Z level=3 Microsoft-Windows-Windows Defender 1116/,
    );
    assert.match(r.stderr, /README\.md: not-evtx/);
  });

  it("anomalies go to stderr and do not change the exit code", async () => {
    const r = await runCli(["events", "--jsonl", log("damaged.evtx")]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /bad-crc at offset 0x[0-9a-f]+ \(chunk header\)/);
    assert.match(r.stderr, /bad-token/);
  });

  it("a bad --id or --since is a usage error (64)", async () => {
    assert.equal((await runCli(["events", "--id", "x", log("defender.evtx")])).code, 64);
    assert.equal((await runCli(["events", "--since", "yesterday", log("defender.evtx")])).code, 64);
    assert.equal((await runCli(["events", "--json", "--jsonl", log("defender.evtx")])).code, 64);
  });
});
