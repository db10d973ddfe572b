/**
 * Event records in bundles: `collect` carries the relevant records as `events/records.json` (not
 * whole `.evtx` files) for an image source, redacted when asked; `check --bundle` replays them
 * into the event checks; a bundle of the older layout (`events/<log>.xml`) still reads; a
 * records member of the wrong shape is refused with a typed error.
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createBundleEventLog } from "../../src/adapters/bundle/bundle-event-log.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { checkMachine } from "../../src/app/check-machine.js";
import type { Bundle } from "../../src/bundle/bundle-reader.js";
import type { EventRecordsMember } from "../../src/bundle/collect/event-logs.js";
import { BundleError } from "../../src/bundle/errors.js";
import { validateEventRecords } from "../../src/bundle/event-records.js";
import { collectBundle, openBundle, writeBundle } from "../../src/bundle/index.js";
import { createBundleSnapshot } from "../../src/adapters/bundle/bundle-snapshot.js";
import { filetime, writeEvtx } from "../helpers/evtx-writer.js";
import { copyImage } from "../helpers/image-copy.js";

const AT = new Date("2026-11-21T00:00:00Z");
const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** corrupt-cache with a crash whose module path names the user. */
function imageWithUserInEvents(): { root: string; image: string } {
  const { root, image } = copyImage("corrupt-cache");
  scratch.push(root);
  const crash = writeEvtx([
    {
      provider: "Application Error",
      eventId: 1000,
      qualifiers: 0,
      level: 2,
      channel: "Application",
      computer: "PC-ALICE",
      timeCreated: filetime("2026-11-20T12:00:00Z"),
      data: [
        ["AppName", "OUTLOOK.EXE"],
        ["ModuleName", "kofmsp32.dll"],
        ["ModulePath", "C:\\Users\\alice\\AppData\\Local\\Temp\\kofmsp32.dll"],
      ],
    },
  ]).bytes;
  writeFileSync(path.join(image, "Windows", "System32", "winevt", "Logs", "Application.evtx"), crash);
  return { root, image };
}

describe("event records in bundles", () => {
  for (const redact of [false, true]) {
    it(`an image's relevant records travel as JSON and replay${redact ? ", redacted" : ""}`, async () => {
      const { root, image } = imageWithUserInEvents();
      const direct = await checkMachine(createImageSnapshot(image), { at: AT });
      const collected = await collectBundle(createImageSnapshot(image), { at: AT, redact });
      const file = path.join(root, "bundle.zip");
      await writeBundle(file, collected);
      const b = await openBundle(file);
      try {
        assert.ok(!b.memberNames.some((n) => /\.evtx$/i.test(n)), "no whole logs");
        const doc = (await b.readJson("events/records.json")) as EventRecordsMember;
        const app = doc.logs.find((l) => l.log === "Application")!;
        assert.equal(app.records.length, 1, "only the relevant records");
        assert.equal(JSON.stringify(doc).includes("alice"), !redact);
        const replayed = await checkMachine(await createBundleSnapshot(b), { at: AT });
        assert.deepEqual(
          replayed.findings.map((f) => f.id),
          direct.findings.map((f) => f.id),
        );
        assert.ok(replayed.findings.some((f) => f.id === "outlook-crash-in-provider"));
        assert.deepEqual(
          replayed.notRun.map((n) => n.id),
          ["cache-disk-space-low"],
        );
      } finally {
        b.close();
      }
    });
  }

  it("a bundle of the older layout (events/Application.xml) still reads", async () => {
    const xml =
      `<Events><Event><System><Provider Name="Application Error"/><EventID>1000</EventID><Level>2</Level>` +
      `<TimeCreated SystemTime="2026-11-20T10:00:00Z"/><Channel>Application</Channel></System><EventData>` +
      `<Data>OUTLOOK.EXE</Data><Data>16.0</Data><Data>0</Data><Data>kofmsp32.dll</Data></EventData></Event></Events>`;
    const bundle = {
      memberNames: ["events/Application.xml"],
      read: async () => new TextEncoder().encode(xml),
    } as unknown as Bundle;
    const port = (await createBundleEventLog(bundle))!;
    const records = await port.query("Application", { ids: [1000], max: 10 });
    assert.deepEqual(
      records.map((r) => r.data["3"]),
      ["kofmsp32.dll"],
    );
    await assert.rejects(
      port.query("Microsoft-Windows-Windows Defender/Operational", { ids: [1116], max: 10 }),
    );
  });

  const good = {
    log: "Application",
    id: 1000,
    provider: "Application Error",
    time: "2026-11-20T10:00:00Z",
    data: {},
  };
  const BAD: Array<[string, unknown]> = [
    ["not an object", []],
    ["no schema version", { logs: [] }],
    ["logs not an array", { schemaVersion: 1, logs: {} }],
    ["a record that is a string", { schemaVersion: 1, logs: [{ log: "Application", records: ["x"] }] }],
    [
      "an id that is a string",
      { schemaVersion: 1, logs: [{ log: "Application", records: [{ ...good, id: "1000" }] }] },
    ],
    ["a negative id", { schemaVersion: 1, logs: [{ log: "Application", records: [{ ...good, id: -1 }] }] }],
    [
      "data as an array",
      { schemaVersion: 1, logs: [{ log: "Application", records: [{ ...good, data: ["x"] }] }] },
    ],
    [
      "a data value that is a number",
      { schemaVersion: 1, logs: [{ log: "Application", records: [{ ...good, data: { a: 1 } }] }] },
    ],
    [
      "a huge string",
      {
        schemaVersion: 1,
        logs: [{ log: "Application", records: [{ ...good, provider: "x".repeat(70_000) }] }],
      },
    ],
    [
      "too many records",
      { schemaVersion: 1, logs: [{ log: "Application", records: Array(10_001).fill(good) }] },
    ],
    ["too many logs", { schemaVersion: 1, logs: Array(17).fill({ log: "Application", records: [] }) }],
  ];
  for (const [what, doc] of BAD) {
    it(`events/records.json with ${what} is member-invalid`, () => {
      assert.throws(
        () => validateEventRecords(doc),
        (e: unknown) =>
          e instanceof BundleError && e.code === "member-invalid" && e.path === "events/records.json",
      );
    });
  }

  it("a well-formed records member is read back as is", () => {
    const doc = {
      schemaVersion: 1,
      logs: [{ log: "Application", records: [{ ...good, level: 2, userId: "S-1-5-18" }] }],
    };
    assert.deepEqual(validateEventRecords(doc), doc.logs);
  });
});
