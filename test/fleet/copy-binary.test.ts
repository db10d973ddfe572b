/**
 * COPY's binary format (src/fleet/copy-binary.ts) read back by a real PostgreSQL (PGlite, and a
 * throwaway server where Debian's postgresql is installed): every column type, NULLs, times
 * before PostgreSQL's epoch and more than 285 years from it, non-ASCII text after an ASCII start, and values longer than a chunk.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChunkPool, CopyBinary, type CopyType } from "../../src/fleet/copy-binary.js";
import { openFleetDb } from "../../src/fleet/db.js";
import { startThrowawayPostgres } from "../helpers/postgres.js";

const TYPES: CopyType[] = ["uuid", "text", "jsonb", "timestamptz", "int4", "int8", "bool"];
const LONG = `${"x".repeat(700_000)}é${"😀".repeat(300_000)}`;
const ROWS: Array<
  [string, string | null, string | null, string | null, number | null, number | null, boolean | null]
> = [
  [
    "0f9c2a4e-1b2c-4d3e-8f4a-5b6c7d8e9f00",
    "plain",
    '{"a": [1, "\\\\x"]}',
    "2026-12-01T10:11:12.345Z",
    7,
    2 ** 40,
    true,
  ],
  [
    "00000000-0000-4000-8000-000000000001",
    "ascii then ünïcödé, then 😀",
    "{}",
    "1999-12-31T23:59:59.999Z",
    -1,
    -(2 ** 40),
    false,
  ],
  ["ffffffff-ffff-4fff-bfff-ffffffffffff", null, null, null, null, null, null],
  [
    "12345678-1234-4234-8234-123456789abc",
    LONG,
    JSON.stringify({ long: LONG }),
    "1970-01-01T00:00:00.000Z",
    0,
    0,
    false,
  ],
  [
    "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
    "tab\there\nnewline \\ backslash",
    '"x"',
    "2100-02-28T00:00:00.001Z",
    2 ** 31 - 1,
    Number.MAX_SAFE_INTEGER,
    true,
  ],
  // Microseconds from 2000 past 2^53: times timestamptz holds, more than 285 years from 2000.
  ["bbbbbbbb-0000-4000-8000-000000002300", "far future", null, "2300-06-15T12:34:56.789Z", 1, 1, true],
  ["bbbbbbbb-0000-4000-8000-000000001600", "far past", null, "1600-02-29T01:02:03.004Z", 2, 2, false],
];

async function roundTrip(url: string, pool?: ChunkPool): Promise<void> {
  const db = await openFleetDb(url);
  try {
    await db.exec(
      "CREATE TEMP TABLE t (u uuid, s text, j jsonb, at timestamptz, i integer, b8 bigint, ok boolean)",
    );
    const rows = new CopyBinary(TYPES, pool);
    for (const r of ROWS) rows.add(r);
    assert.equal(rows.count, ROWS.length);
    await db.copyRows("t", ["u", "s", "j", "at", "i", "b8", "ok"], rows.finish());
    const back = await db.query<Record<string, string | null>>(
      `SELECT u::text, s, j::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
              i::text, b8::text, ok::text FROM t ORDER BY u`,
    );
    const want = [...ROWS]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([u, s, j, at, i, b8, ok]) => ({
        u,
        s,
        j: j === null ? null : JSON.stringify(JSON.parse(j)),
        at,
        i: i === null ? null : String(i),
        b8: b8 === null ? null : String(b8),
        ok: ok === null ? null : String(ok),
      }));
    const norm = back.map((r) => ({ ...r, j: r["j"] === null ? null : JSON.stringify(JSON.parse(r["j"]!)) }));
    assert.deepEqual(norm, want);
  } finally {
    await db.close();
  }
}

/**
 * Bytes (empty, every byte value, longer than a chunk), in rows whose UUIDs repeat row after row
 * and then change (the encoder reuses the last UUID's bytes), then a bad UUID after a good one.
 */
async function byteaRoundTrip(url: string): Promise<void> {
  const db = await openFleetDb(url);
  const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const rows: Array<[string, number, Buffer]> = [
    ["00000000-0000-4000-8000-000000000001", 1, Buffer.alloc(0)],
    ["00000000-0000-4000-8000-000000000001", 2, every],
    ["00000000-0000-4000-8000-000000000002", 3, Buffer.alloc(300_000, 0xab)],
    ["00000000-0000-4000-8000-000000000002", 4, every.subarray(7, 9)],
    ["00000000-0000-4000-8000-000000000001", 5, every.subarray(250)],
  ];
  try {
    await db.exec("CREATE TEMP TABLE y (u uuid, n integer, b bytea)");
    const copy = new CopyBinary(["uuid", "int4", "bytea"]);
    for (const r of rows) copy.add(r);
    await db.copyRows("y", ["u", "n", "b"], copy.finish());
    const back = await db.query<{ u: string; n: number; b: string }>(
      "SELECT u::text AS u, n, encode(b, 'hex') AS b FROM y ORDER BY n",
    );
    assert.deepEqual(
      back.map((r) => [r.u, r.n, r.b]),
      rows.map(([u, n, b]) => [u, n, b.toString("hex")]),
    );
    const bad = new CopyBinary(["uuid", "int4", "bytea"]);
    bad.add(rows[0]!);
    assert.throws(() => bad.add(["00000000-0000-4000-8000-00000000000x", 1, every]), RangeError);
    assert.throws(() => new CopyBinary(["bytea"]).add(["not bytes"]), RangeError);
  } finally {
    await db.close();
  }
}

/** Arrays of texts and booleans: empty, one element, many, non-ASCII, and longer than a chunk. */
async function arraysRoundTrip(url: string): Promise<void> {
  const db = await openFleetDb(url);
  const rows: Array<[number, string[], boolean[]]> = [
    [1, [], []],
    [2, ["one"], [true]],
    [3, ["a", "", "ünï 😀", 'tab\tquote"{,}'], [false, true, false]],
    [4, [LONG, "after"], Array.from({ length: 70_000 }, (_, i) => i % 3 === 0)],
  ];
  try {
    await db.exec("CREATE TEMP TABLE a (n integer, s text[], b boolean[])");
    const copy = new CopyBinary(["int4", "text[]", "bool[]"]);
    for (const r of rows) copy.add(r);
    await db.copyRows("a", ["n", "s", "b"], copy.finish());
    const back = await db.query<{ n: number; s: string; b: string }>(
      "SELECT n, array_to_json(s)::text AS s, array_to_json(b)::text AS b FROM a ORDER BY n",
    );
    assert.deepEqual(
      back.map((r) => [r.n, JSON.parse(r.s), JSON.parse(r.b)]),
      rows,
    );
  } finally {
    await db.close();
  }
}

describe("CopyBinary: rows in COPY's binary format", () => {
  it("text and boolean arrays (empty, one, many, non-ASCII, longer than a chunk) read back as written, on PGlite and PostgreSQL", async (t) => {
    await arraysRoundTrip("pglite:memory");
    const pg = startThrowawayPostgres();
    if (typeof pg === "string") return t.diagnostic(`PostgreSQL: ${pg}`);
    try {
      await arraysRoundTrip(pg.url);
    } finally {
      pg.stop();
    }
  });

  it("bytes (empty, every value, longer than a chunk) and UUIDs repeated row after row read back as written, on PGlite and PostgreSQL", async (t) => {
    await byteaRoundTrip("pglite:memory");
    const pg = startThrowawayPostgres();
    if (typeof pg === "string") return t.diagnostic(`PostgreSQL: ${pg}`);
    try {
      await byteaRoundTrip(pg.url);
    } finally {
      pg.stop();
    }
  });

  it("every type, NULLs, old times, non-ASCII and values longer than a chunk read back as written, on PGlite", async () => {
    await roundTrip("pglite:memory");
  });

  it("the same on PostgreSQL", async (t) => {
    const pg = startThrowawayPostgres();
    if (typeof pg === "string") return t.skip(pg);
    try {
      await roundTrip(pg.url);
    } finally {
      pg.stop();
    }
  });

  it("with a pool: rows written into buffers given back, the earlier rows' bytes still in them, read back as written", async () => {
    const pool = new ChunkPool();
    for (let i = 0; i < 3; i++) {
      const junk = new CopyBinary(["text", "int8"], pool);
      for (let j = 0; j < 2000; j++) junk.add([`\u00ff${"\u0001".repeat(400)}`, -1]);
      junk.finish();
      junk.release();
    }
    await roundTrip("pglite:memory", pool);
  });

  it("a pool lends a buffer again only once it is given back", () => {
    const pool = new ChunkPool();
    const a = new CopyBinary(["text"], pool);
    a.add(["a"]);
    const [first] = a.finish();
    const b = new CopyBinary(["text"], pool);
    assert.notEqual(b.finish()[0]!.buffer, first!.buffer);
    a.release();
    const c = new CopyBinary(["text"], pool);
    c.add(["c"]);
    const [again] = c.finish();
    assert.equal(again!.buffer, first!.buffer);
    // The bytes are c's: header, one row of one field "c", trailer.
    assert.deepEqual([...again!.subarray(19)], [0, 1, 0, 0, 0, 1, 0x63, 0xff, 0xff]);
  });

  it("with a pool, a COPY of several MiB is written into pool-sized buffers only, and the next one reuses them all", () => {
    const pool = new ChunkPool();
    const write = () => {
      const rows = new CopyBinary(["text"], pool);
      for (let j = 0; j < 3000; j++) rows.add([`${j}:${"x".repeat(1000)}`]);
      const buffers = new Set(rows.finish().map((c) => c.buffer));
      rows.release();
      return buffers;
    };
    const first = write();
    assert.ok(first.size >= 10, `${first.size} buffers`);
    // Every buffer went back to the pool (none grew past its size), so the next COPY takes them.
    const second = write();
    assert.deepEqual(
      [...second].filter((b) => !first.has(b)),
      [],
    );
  });

  it("refuses what it cannot encode rather than writing a wrong value", () => {
    const rows = new CopyBinary(["uuid", "timestamptz", "int8"]);
    assert.throws(() => rows.add(["not-a-uuid-at-all-not-a-uuid-at-all", null, null]), RangeError);
    assert.throws(() => rows.add([null, "yesterday", null]), RangeError);
    assert.throws(() => rows.add([null, null, 2 ** 60]), RangeError);
    const ints = new CopyBinary(["int4"]);
    assert.throws(() => ints.add([Number.NaN]), RangeError);
    assert.throws(() => ints.add([1.5]), RangeError);
    assert.throws(() => ints.add([2 ** 31]), RangeError);
    const arrays = new CopyBinary(["text[]", "bool[]"]);
    assert.throws(() => arrays.add(["not an array", []]), RangeError);
    assert.throws(() => arrays.add([[null as unknown as string], []]), RangeError);
    assert.throws(() => arrays.add([[], [1 as unknown as boolean]]), RangeError);
  });
});
