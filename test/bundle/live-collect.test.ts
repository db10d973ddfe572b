/**
 * A live collection (a snapshot with processes, event log and free disk space; here a sample
 * image dressed as a live machine): the bundle carries event-log XML extracts and the free
 * space, replays both into `check --bundle`, and redacts the event data.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { checkMachine } from "../../src/app/check-machine.js";
import { createBundleSnapshot } from "../../src/adapters/bundle/bundle-snapshot.js";
import { collectBundle, openBundle, writeBundle } from "../../src/bundle/index.js";
import type { EventRecord } from "../../src/ports/system.js";
import type { EventRecordsMember } from "../../src/bundle/collect/event-logs.js";
import { applyEventQuery } from "../../src/windows/event-query.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import type { Snapshot } from "../../src/ports/snapshot.js";
import { EXAMPLES } from "../helpers/repo.js";

const AT = new Date("2026-11-21T00:00:00Z");
const FREE = 123_456_789_012;
let dir: string;

function fakeLive(): Snapshot {
  const image = createImageSnapshot(path.join(EXAMPLES, "healthy"));
  const events: EventRecord[] = [
    {
      log: "Application",
      id: 1000,
      provider: "Application Error",
      time: "2026-11-20T10:00:00Z",
      level: 2,
      // Application Error data order: AppName, AppVersion, AppTimeStamp, ModuleName, ModuleVersion, …
      data: {
        AppName: "OUTLOOK.EXE",
        AppVersion: "16.0.1",
        AppTimeStamp: "66f1a2b3",
        ModuleName: "kofmsp32.dll",
        ModuleVersion: "10.0.8.0",
        ModuleTimeStamp: "5f0a0b0c",
        ExceptionCode: "c0000005",
        AppPath: "C:\\Users\\alice\\AppData\\Local\\Temp\\<x>&",
      },
    },
  ];
  return {
    ...image,
    mode: "live",
    processes: { list: async () => [{ image: "OUTLOOK.EXE", pid: 42 }] },
    eventLog: {
      query: async (log, query) =>
        applyEventQuery(
          events.filter((e) => e.log === log),
          query,
        ),
    },
    disk: { freeBytes: async () => FREE },
    describe: () => "live",
    unknown: {},
  };
}

/** The fake live machine with a second user whose name XML escapes (`'`, `&`), named in an event. */
function fakeLiveWithEscapedUser(): Snapshot {
  const live = fakeLive();
  const users = async () => [
    ...(await live.registry.users()),
    { user: "o'brien&co", root: "HKU\\S-1-5-21-1-2-3-1002" },
  ];
  const registry = new Proxy(live.registry, {
    get: (t, k) => {
      if (k === "users") return users;
      const v = Reflect.get(t, k) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  const query = live.eventLog!.query;
  return {
    ...live,
    registry,
    eventLog: {
      query: async (log, max) =>
        (await query(log, max)).map((e) => ({
          ...e,
          data: { ...e.data, Store: "C:\\Users\\o'brien&co\\x.pst" },
        })),
    },
  };
}

describe("live collection", () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-live-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("redacts event data before serializing it (a user name with ' or & is not hidden by escapes)", async () => {
    const collected = await collectBundle(fakeLiveWithEscapedUser(), { at: AT, redact: true });
    assert.ok(
      collected.redaction?.entries.some((e) => e.value === "o'brien&co"),
      "the user is a redacted value",
    );
    const json = new TextDecoder().decode(
      collected.members.find((m) => m.name === "events/records.json")!.data,
    );
    assert.match(json, /"id": 1000/);
    assert.ok(!/o(?:'|\\u0027)brien/i.test(json), `the user name stands in the JSON: ${json}`);
  });

  for (const redact of [false, true]) {
    it(`carries the relevant event records as JSON, and free space${redact ? ", redacted" : ""}`, async () => {
      const collected = await collectBundle(fakeLive(), { at: AT, redact });
      const file = path.join(dir, `live-${redact}.zip`);
      await writeBundle(file, collected);
      const b = await openBundle(file);
      try {
        assert.equal(b.manifest.mode, "live");
        assert.ok(!b.memberNames.some((n) => n.endsWith(".evtx") || n.endsWith(".xml")), "no whole logs");
        const doc = (await b.readJson("events/records.json")) as EventRecordsMember;
        const app = doc.logs.find((l) => l.log === "Application")!;
        assert.deepEqual(
          app.records.map((r) => [r.id, r.data["ModuleName"]]),
          [[1000, "kofmsp32.dll"]],
        );
        assert.equal(app.records[0]!.data["AppPath"]!.endsWith("\\<x>&"), true, "data as fields, unescaped");
        assert.equal(JSON.stringify(doc).includes("alice"), !redact);
        const system = (await b.readJson("system.json")) as { freeDiskBytes?: number; mode: string };
        assert.equal(system.freeDiskBytes, FREE);
        const report = await checkMachine(await createBundleSnapshot(b), { at: AT });
        assert.equal(report.facts.freeDiskBytes, FREE);
        assert.ok(!report.notRun.some((n) => n.id === "cache-disk-space-low"), "the free-space check runs");
        assert.ok(report.facts.unknown["processes"]?.startsWith("bundle mode"));
        // The event-log extract replays into the event checks, as on the live machine.
        assert.ok(
          report.findings.some((f) => f.id === "outlook-crash-in-provider"),
          "the crash event is judged",
        );
        assert.ok(!report.notRun.some((n) => n.id === "outlook-crash-in-provider"));
      } finally {
        b.close();
      }
    });
  }
});
