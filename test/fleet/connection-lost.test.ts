/**
 * A PostgreSQL connection lost after it was opened (the backend terminated, the server
 * restarted) fails the queries that follow with an error, and never ends the process: node-postgres
 * emits it as an 'error' event on the client, which kills a process that has no listener.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openFleetDb, type FleetDb } from "../../src/fleet/db.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../helpers/postgres.js";

const engine = startThrowawayPostgres();

describe("fleet: a lost PostgreSQL connection", { skip: typeof engine === "string" ? engine : false }, () => {
  const pg = engine as ThrowawayPostgres;
  let victim: FleetDb;
  let killer: FleetDb;
  before(async () => {
    victim = await openFleetDb(pg.url);
    killer = await openFleetDb(pg.url);
  });
  after(async () => {
    await killer?.close().catch(() => undefined);
    await victim?.close().catch(() => undefined);
    pg.stop();
  });

  it("rejects the next query instead of crashing the process", async () => {
    const [row] = await victim.query<{ pid: number }>("select pg_backend_pid() as pid");
    const pid = row!.pid;
    await killer.query("select pg_terminate_backend($1)", [pid]);
    // Let the terminated connection's error reach the client (an 'error' event).
    await new Promise((resolve) => setTimeout(resolve, 300));
    await assert.rejects(victim.query("select 1"));
  });
});
