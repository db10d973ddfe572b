/** `--at` and `events --since` accept only ISO 8601 date-times (docs/exit-codes.md). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAt, parseIsoTime } from "../../src/cli/options.js";
import { runCli } from "../helpers/run-cli.js";

const ACCEPTED: [string, string][] = [
  ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z"],
  ["2024-01-01T00:00:00.123Z", "2024-01-01T00:00:00.123Z"],
  ["2024-01-01T00:00:00.1234567Z", "2024-01-01T00:00:00.123Z"],
  ["2024-01-01T02:00:00+02:00", "2024-01-01T00:00:00.000Z"],
  ["2023-12-31T19:30:00-04:30", "2024-01-01T00:00:00.000Z"],
  ["2024-02-29T23:59:59Z", "2024-02-29T23:59:59.000Z"],
  ["2024-01-01", "2024-01-01T00:00:00.000Z"],
];

const REFUSED = [
  "1",
  "2024",
  "2024-1-1",
  "2024-01-01T00:00:00", // no zone: local time would depend on the machine
  "2024-01-01 00:00:00Z",
  "2024-01-01T00:00Z",
  "2024-02-30T00:00:00Z",
  "2023-02-29",
  "2024-13-01T00:00:00Z",
  "2024-01-01T25:00:00Z",
  "2024-01-01T24:00:00Z",
  "2024-01-01T00:60:00Z",
  "2024-01-01T00:00:60Z",
  "2024-01-01T00:00:00+24:00",
  "2024-01-01T00:00:00+0200",
  "Mon, 01 Jan 2024 00:00:00 GMT",
  "now",
  "",
  " 2024-01-01T00:00:00Z",
];

describe("ISO 8601 time option parser", () => {
  for (const [value, iso] of ACCEPTED)
    it(`accepts ${value}`, () => {
      assert.equal(parseIsoTime(value)?.toISOString(), iso);
      assert.equal(parseAt(value).toISOString(), iso);
    });
  for (const value of REFUSED)
    it(`refuses ${JSON.stringify(value)}`, () => {
      assert.equal(parseIsoTime(value), undefined);
      assert.throws(() => parseAt(value), /ISO 8601 date-time/);
    });
});

describe("--at and --since on the command line", () => {
  it("triage --at 1 is a usage error naming the expected form", async () => {
    const r = await runCli(["triage", "--at", "1", "x.dll"]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /ISO 8601 date-time such as 2024-01-01T00:00:00Z/);
    assert.equal(r.stdout, "");
  });
  it("events --since 2024-02-30 is a usage error naming the expected form", async () => {
    const r = await runCli(["events", "--since", "2024-02-30", "x.evtx"]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /--since: expected an ISO 8601 date-time/);
  });
});
