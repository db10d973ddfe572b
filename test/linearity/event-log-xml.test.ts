/**
 * `wevtutil qe /f:xml` output with unclosed elements. The element regexes (`<Data…>(.*?)</Data>`,
 * `<Provider…Name="…"`, `<EventID…>…</EventID>`, `<EventData>…</EventData>`) re-scanned the rest
 * of the record from every unclosed start tag: quadratic in the record size (records are capped at
 * 256 KiB, so the larger input is several capped records). Times before the fix are per test.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWevtutilXml } from "../../src/windows/tool-output/wevtutil.js";
import { assertLinear } from "../helpers/linearity.js";

/** `records` records of about `chars` characters each, the body repeating `unit`. */
function records(count: number, chars: number, head: string, unit: string, tail: string): string {
  const body = unit.repeat(Math.floor((chars - head.length - tail.length) / unit.length));
  return `<Event>${head}${body}${tail}</Event>\r\n`.repeat(count);
}

/** 8 records of 64 000 characters, then of 256 000 (each under the 256 KiB record cap). */
const COUNT = 8;
const CHARS = 64_000;

describe("linearity: event-log XML with unclosed elements", () => {
  it("unclosed <Data> elements in EventData", async () => {
    // Before: 8 × 64 000 → 8 × 256 000 characters took 11 s → 173 s.
    await assertLinear(
      "unclosed <Data>",
      (n) => {
        const xml = records(
          COUNT,
          n,
          "<System><EventID>1000</EventID></System><EventData>",
          "<Data>x",
          "</EventData>",
        );
        return () => {
          const evs = parseWevtutilXml(xml, "Application");
          assert.equal(evs.length, COUNT);
          assert.deepEqual(evs[0]!.data, {});
        };
      },
      { n: CHARS },
    );
  });

  it("unclosed <EventData> and <Data/> mixed", async () => {
    // Before: 8 × 64 000 → 8 × 256 000 characters took 0.44 s → 12.7 s.
    await assertLinear(
      "unclosed <EventData>",
      (n) => {
        const xml = records(COUNT, n, "<EventID>7</EventID>", "<EventData><Data/>", "");
        return () => assert.deepEqual(parseWevtutilXml(xml, "System")[0]?.data, {});
      },
      { n: CHARS },
    );
  });

  it("unclosed <Provider and <TimeCreated start tags (attribute scan)", async () => {
    // Before: 8 × 64 000 → 8 × 256 000 characters took 3.9 s → 80 s.
    await assertLinear(
      "unclosed <Provider",
      (n) => {
        const xml = records(COUNT, n, "<EventID>1</EventID>", "<Provider Name=<TimeCreated SystemTime=", "");
        return () => {
          const evs = parseWevtutilXml(xml, "Application");
          assert.equal(evs.length, COUNT);
          assert.equal(evs[0]!.provider, "");
        };
      },
      { n: CHARS },
    );
  });

  it("unclosed <EventID and <Level start tags (element text scan)", async () => {
    // Before: 8 × 64 000 → 8 × 256 000 characters took 12 s → 170 s.
    await assertLinear(
      "unclosed <EventID",
      (n) => {
        const xml = records(COUNT, n, "", "<Level <EventID ", "");
        return () => assert.equal(parseWevtutilXml(xml, "Application").length, 0);
      },
      { n: CHARS },
    );
  });
});
