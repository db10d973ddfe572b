/**
 * Statements issued without waiting for each other (src/fleet/db.ts: a server connection in
 * pipeline mode, COPY sent with its data in one write, src/fleet/pg-copy-in.ts), on PGlite and on
 * a throwaway PostgreSQL: answers come back in order and to the right statement; a COPY that
 * fails (on its rows, on a key, on a missing table) is an error of its own, the data sent behind
 * it is dropped, and the statements issued after it are answered; a COPY larger than the
 * socket's buffers arrives whole.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CopyBinary } from "../../src/fleet/copy-binary.js";
import { openFleetDb, type FleetDb } from "../../src/fleet/db.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../helpers/postgres.js";

/** COPY rows of (id int4, s text). */
function rows(from: number, to: number, text = (i: number) => `row ${i}`): Buffer[] {
  const c = new CopyBinary(["int4", "text"]);
  for (let i = from; i < to; i++) c.add([i, text(i)]);
  return c.finish();
}

const code = (e: unknown) => (e as { code?: unknown }).code;

function suite(name: string, start: () => Promise<{ url: string; stop(): void } | string>): void {
  describe(`pipelined statements, on ${name}`, () => {
    let server: { url: string; stop(): void } | string = "not started";
    let db: FleetDb;
    before(async () => {
      server = await start();
      if (typeof server !== "string") db = await openFleetDb(server.url);
    });
    after(async () => {
      if (typeof server === "string") return;
      await db.close();
      server.stop();
    });
    const skip = () => (typeof server === "string" ? server : false);

    it("answers statements and COPYs issued at once, in order, each with its own result", async (t) => {
      if (skip()) return t.skip(String(skip()));
      await db.exec("CREATE TEMP TABLE a (id integer PRIMARY KEY, s text)");
      const answers = [
        db.copyRows("a", ["id", "s"], rows(0, 100)),
        db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM a"),
        db.copyRows("a", ["id", "s"], rows(100, 250)),
        db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM a WHERE id >= $1", [100]),
        db.query<{ s: string }>("SELECT s FROM a WHERE id = $1", [249]),
      ];
      const [, first, , second, last] = await Promise.all(answers);
      assert.deepEqual(first, [{ n: 100 }]);
      assert.deepEqual(second, [{ n: 150 }]);
      assert.deepEqual(last, [{ s: "row 249" }]);
    });

    it("a COPY refused (on a key part-way through its data, or for a missing table) fails alone; what follows it is answered", async (t) => {
      if (skip()) return t.skip(String(skip()));
      await db.exec("CREATE TEMP TABLE b (id integer PRIMARY KEY, s text)");
      await db.copyRows("b", ["id", "s"], rows(0, 10));
      // Row 5 again: the key refuses it, part-way through the data.
      const dup = db.copyRows("b", ["id", "s"], rows(5, 2000));
      // A missing table: refused before any of its data is read.
      const missing = db.copyRows("no_such_table", ["id", "s"], rows(0, 2000));
      const after = db.query<{ n: number }>("SELECT COUNT(*)::integer AS n FROM b");
      await assert.rejects(dup, (e) => code(e) === "23505");
      await assert.rejects(missing, (e) => code(e) === "42P01");
      // Nothing of the refused COPYs is stored, and their data was not read as statements.
      assert.deepEqual(await after, [{ n: 10 }]);
      assert.deepEqual(await db.query("SELECT 1 AS one"), [{ one: 1 }]);
    });

    it("in a transaction, the statements after a failed one fail and COMMIT stores nothing", async (t) => {
      if (skip()) return t.skip(String(skip()));
      await db.exec("CREATE TEMP TABLE c (id integer PRIMARY KEY, s text)");
      const sent = [
        db.query("BEGIN"),
        db.copyRows("c", ["id", "s"], rows(0, 10)),
        db.copyRows("c", ["id", "s"], rows(9, 20)),
        db.copyRows("c", ["id", "s"], rows(20, 30)),
        db.query("COMMIT"),
      ];
      const settled = await Promise.allSettled(sent);
      assert.deepEqual(
        settled.map((s) => s.status),
        ["fulfilled", "fulfilled", "rejected", "rejected", "fulfilled"],
      );
      assert.equal(code((settled[2] as PromiseRejectedResult).reason), "23505");
      assert.equal(code((settled[3] as PromiseRejectedResult).reason), "25P02"); // in_failed_sql_transaction
      assert.deepEqual(await db.query("SELECT COUNT(*)::integer AS n FROM c"), [{ n: 0 }]);
    });

    it("a COPY of many megabytes, more than a socket holds, arrives whole", async (t) => {
      if (skip()) return t.skip(String(skip()));
      await db.exec("CREATE TEMP TABLE d (id integer, s text)");
      const big = "é".repeat(2000);
      const [, back] = await Promise.all([
        db.copyRows(
          "d",
          ["id", "s"],
          rows(0, 5000, (i) => `${i}${big}`),
        ),
        db.query<{ n: number; bytes: string }>(
          "SELECT COUNT(*)::integer AS n, SUM(octet_length(s))::text AS bytes FROM d",
        ),
      ]);
      let bytes = 0;
      for (let i = 0; i < 5000; i++) bytes += String(i).length + 4000;
      assert.deepEqual(back, [{ n: 5000, bytes: String(bytes) }]);
    });
  });
}

suite("PGlite", async () => ({ url: "pglite:memory", stop: () => undefined }));
suite("PostgreSQL", async (): Promise<ThrowawayPostgres | string> => startThrowawayPostgres());
