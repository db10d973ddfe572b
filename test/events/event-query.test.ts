/**
 * Event queries (src/windows/event-query.ts): selection by id, provider and time, the newest
 * `max` kept in bounded memory, the XPath `wevtutil` is given, and the live port asking
 * `wevtutil` for both channels with it. Also: the sample images' logs are what
 * test/helpers/sample-event-logs.ts writes, byte for byte.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { createLiveSnapshot } from "../../src/adapters/live/live-snapshot.js";
import { checkMachine } from "../../src/app/check-machine.js";
import type { EventRecord } from "../../src/ports/system.js";
import { applyEventQuery, NewestEvents, selectsEvent, wevtutilXPath } from "../../src/windows/event-query.js";
import { EXAMPLES, FIXTURES } from "../helpers/repo.js";
import { LOGS_FOLDER, SAMPLE_SCENARIOS, sampleEventLogs } from "../helpers/sample-event-logs.js";

const rec = (id: number, time: string, provider = "Application Error", recordNumber = 0): EventRecord => ({
  log: "Application",
  id,
  provider,
  time,
  recordNumber,
  data: {},
});

describe("event queries", () => {
  it("select by id or provider (any case), at or after since, then accept", () => {
    const q = { ids: [1000], providers: ["Outlook"], since: new Date("2026-11-10T00:00:00Z"), max: 5 };
    assert.ok(selectsEvent(q, rec(1000, "2026-11-10T00:00:00Z")), "since is inclusive");
    assert.ok(!selectsEvent(q, rec(1000, "2026-11-09T23:59:59Z")));
    assert.ok(selectsEvent(q, rec(27, "2026-11-11T00:00:00Z", "OUTLOOK")));
    assert.ok(!selectsEvent(q, rec(27, "2026-11-11T00:00:00Z", "Other")));
    assert.ok(!selectsEvent(q, rec(1000, "not a time")), "a record without a time is not after since");
    assert.ok(!selectsEvent({ ...q, accept: () => false }, rec(1000, "2026-11-11T00:00:00Z")));
  });

  it("keep the newest max records, newest first, whatever the order they come in", () => {
    const records = Array.from({ length: 1000 }, (_, i) =>
      rec(1000, new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 1000) * 60_000).toISOString(), "x", i),
    );
    const kept = applyEventQuery(records, { ids: [1000], max: 3 });
    const newest = [...records].sort((a, b) => Date.parse(b.time) - Date.parse(a.time)).slice(0, 3);
    assert.deepEqual(kept, newest);
    const none = new NewestEvents(0);
    none.add(records[0]!);
    assert.deepEqual(none.list(), []);
  });

  it("give wevtutil an XPath of ids, providers and since, and refuse a provider that would break it", () => {
    assert.equal(
      wevtutilXPath({
        ids: [1000, 59],
        providers: ["Outlook"],
        since: new Date("2026-11-01T00:00:00Z"),
        max: 1,
      }),
      "*[System[(EventID=1000 or EventID=59 or Provider[@Name='Outlook']) and TimeCreated[@SystemTime>='2026-11-01T00:00:00.000Z']]]",
    );
    assert.equal(wevtutilXPath({ ids: [], max: 1 }), "*[System[false()]]");
    assert.throws(() => wevtutilXPath({ ids: [], providers: ["a' or '1"], max: 1 }), RangeError);
  });

  /** A live snapshot over the healthy image whose `wevtutil` answers as `wevtutil` says. */
  async function liveWith(
    wevtutil: (args: string[]) => { stdout: string; stderr?: string; code?: number },
  ): Promise<{ calls: string[][]; report: Awaited<ReturnType<typeof checkMachine>> }> {
    const calls: string[][] = [];
    const exec = async (cmd: string, args: string[]) => {
      if (!cmd.endsWith("wevtutil.exe")) return { stdout: "", stderr: "", code: 0 };
      calls.push(args);
      const r = wevtutil(args);
      return { stdout: r.stdout, stderr: r.stderr ?? "", code: r.code ?? 0 };
    };
    const image = createImageSnapshot(path.join(EXAMPLES, "healthy"));
    const snapshot = await createLiveSnapshot({
      exec,
      fs: image.fs,
      registry: image.registry,
      systemRoot: "C:\\Windows",
    });
    const report = await checkMachine(snapshot, {
      at: new Date("2026-11-21T00:00:00Z"),
      eventsSince: new Date("2026-11-01T00:00:00Z"),
    });
    return { calls, report };
  }
  const appXml = () =>
    readFileSync(path.join(FIXTURES, "windows", "live", "wevtutil-application.xml"), "utf8");
  const DEFENDER = "Microsoft-Windows-Windows Defender/Operational";

  it("the live port probes each log unfiltered, then asks with the XPath; a filter matching nothing is no finding", async () => {
    const xml = appXml();
    // Both logs answer the probe; Defender's filtered query matches nothing (legitimately).
    const { calls, report } = await liveWith((args) => ({
      stdout: args.includes("/c:1") || args[1] === "Application" ? xml : "",
    }));
    assert.deepEqual(
      calls.map((a) => [a[1], a.includes("/c:1") ? "probe" : "query"]),
      [
        ["Application", "probe"],
        ["Application", "query"],
        [DEFENDER, "probe"],
        [DEFENDER, "query"],
      ],
    );
    assert.match(
      calls[1]![2]!,
      /^\/q:\*\[System\[\(EventID=1000 or .*TimeCreated\[@SystemTime>='2026-11-01T00:00:00\.000Z'\]\]\]$/,
    );
    assert.match(calls[3]![2]!, /EventID=1116 or EventID=1117/);
    assert.ok(report.findings.some((f) => f.id === "outlook-crash-in-provider"));
    assert.ok(!Object.keys(report.facts.unknown).some((k) => k.startsWith("events")), "every log was read");
    assert.ok(!report.notRun.some((n) => n.id === "av-detected-provider"));
  });

  it("a log wevtutil cannot open (Defender absent) is noted; the other log is still judged", async () => {
    const xml = appXml();
    const { report } = await liveWith((args) =>
      args[1] === DEFENDER
        ? {
            stdout: "",
            stderr: "Failed to open channel. The specified channel could not be found.",
            code: 15007,
          }
        : { stdout: xml },
    );
    assert.ok(
      report.findings.some((f) => f.id === "outlook-crash-in-provider"),
      "Application was judged",
    );
    assert.match(report.facts.unknown[`events (${DEFENDER})`] ?? "", /exited with 15007/);
    assert.equal(report.facts.unknown["events"], undefined, "the events fact itself is known");
  });

  it("a log that printed nothing to the unfiltered probe told nothing (a stub): not taken for no events", async () => {
    const { report } = await liveWith(() => ({ stdout: "" }));
    assert.match(report.facts.unknown["events"] ?? "", /printed nothing/);
    assert.ok(report.notRun.some((n) => n.id === "outlook-crash-in-provider"));
  });
});

describe("sample images' event logs", () => {
  it("are what the generator writes, byte for byte (deterministic)", () => {
    SAMPLE_SCENARIOS.forEach((scenario, index) => {
      for (const [name, bytes] of sampleEventLogs(scenario, index)) {
        const committed = readFileSync(path.join(EXAMPLES, scenario, LOGS_FOLDER, name));
        assert.ok(
          Buffer.from(bytes).equals(committed),
          `${scenario}/${name} differs: run bash examples/build-event-logs.sh`,
        );
      }
    });
    assert.equal(sampleEventLogs("orphan-cache", 4).size, 0, "one sample has no logs");
  });
});
