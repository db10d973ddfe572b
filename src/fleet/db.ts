/**
 * The fleet store's database port and its two engines: a PostgreSQL server through node-postgres
 * (`postgres://…`), or an embedded PGlite database kept in a local folder (`pglite:DIR`, the
 * default `./koff-fleet-db`). Both speak the same SQL (src/fleet/sql.ts); nothing else in the
 * fleet code knows which engine it talks to.
 *
 * Bulk loads go through `COPY … FROM STDIN` on a server (sent with its data in one write,
 * src/fleet/pg-copy-in.ts) and `COPY … FROM '/dev/blob'` on PGlite, both in COPY's binary format
 * (src/fleet/copy-binary.ts). A server connection is in node-postgres's pipeline mode.
 *
 * Sources: node-postgres, https://node-postgres.com/apis/client (`pipeline`); PGlite, https://pglite.dev/docs/api (PGlite is
 * PostgreSQL compiled to WebAssembly; `blob` query option for COPY); COPY,
 * https://www.postgresql.org/docs/current/sql-copy.html.
 */
import { closeSync, constants as fsConstants, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { mkdirp } from "../runbook/durable-fs.js";
import { CodedError } from "../util/coded-error.js";
import { copyIn } from "./pg-copy-in.js";

/**
 * One database connection. Parameters are `$1…`; arrays are sent as PostgreSQL arrays. Calls
 * may be issued before earlier ones are answered: they run one after the other in the order
 * issued, and a server connection sends each as it is issued (pipelining), so statements that do
 * not wait for each other's results cost one round trip together.
 */
export interface FleetDb {
  /** `postgres` or `pglite`, and where (the URL without its password, or the folder). */
  readonly describe: string;
  query<T extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements (no parameters): migrations. */
  exec(sql: string): Promise<void>;
  /**
   * Appends rows to `table` with COPY: `rows` are chunks of COPY's binary format, header to
   * trailer (src/fleet/copy-binary.ts), `columns` in that order. Inside the caller's
   * transaction, if any.
   */
  copyRows(table: string, columns: readonly string[], rows: readonly Uint8Array[]): Promise<void>;
  close(): Promise<void>;
}

export type FleetDbErrorCode = "bad-db-url" | "db-unavailable";

/** The database could not be opened: a bad `--db`, or a server that refused. */
export class FleetDbError extends CodedError<FleetDbErrorCode> {
  constructor(
    code: FleetDbErrorCode,
    message: string,
    readonly url: string,
  ) {
    super(code, message);
  }
}

/** The default store: an embedded PGlite database in this folder, under the working directory. */
export const DEFAULT_FLEET_DB = "pglite:koff-fleet-db";

/** `url` with its password replaced by `***`. */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ":***@");
  }
}

/**
 * Opens the store named by `url`: `postgres://` / `postgresql://` (a server), `pglite:DIR` (an
 * embedded database in DIR, relative to `cwd`, created when absent) or `pglite:memory` (in memory).
 * @throws FleetDbError `bad-db-url` for any other form; `db-unavailable` when the server refuses.
 */
export async function openFleetDb(url: string = DEFAULT_FLEET_DB, cwd = process.cwd()): Promise<FleetDb> {
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgres(url);
  if (url.startsWith("pglite:")) {
    const where = url.slice("pglite:".length);
    if (where === "")
      throw new FleetDbError("bad-db-url", "pglite: needs a folder, e.g. pglite:./fleet-db", url);
    return openPglite(where === "memory" ? undefined : path.resolve(cwd, where));
  }
  throw new FleetDbError(
    "bad-db-url",
    `--db must be postgres://USER@HOST/DB or pglite:DIR, not ${JSON.stringify(withoutPassword(url))}`,
    withoutPassword(url),
  );
}

async function openPostgres(url: string): Promise<FleetDb> {
  const pg = await import("pg");
  // Pipeline mode: each query is sent as it is issued, not once the one before is answered.
  const client = new pg.default.Client({ connectionString: url, pipeline: true });
  // A connection lost after connecting (the server restarted, the backend was terminated) is an
  // 'error' event on the client: without a listener Node ends the process with it. Its queries
  // then fail (pg rejects them), which ingest reports as db-unavailable.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (e) {
    throw new FleetDbError(
      "db-unavailable",
      `cannot connect to ${withoutPassword(url)}: ${(e as Error).message}`,
      withoutPassword(url),
    );
  }
  return {
    describe: `postgres ${withoutPassword(url)}`,
    query: async <T extends object>(sql: string, params?: unknown[]) =>
      (await client.query(sql, params)).rows as T[],
    exec: async (sql) => void (await client.query(sql)),
    copyRows: (table, columns, rows) =>
      copyIn(
        pg.default,
        client,
        `COPY ${table} (${columns.join(", ")}) FROM STDIN WITH (FORMAT binary)`,
        rows,
      ),
    close: () => client.end(),
  };
}

/** The file in a PGlite store's folder that says which process has it open. */
export const PGLITE_LOCK_FILE = ".koff-fleet.lock";
/** Handles this process holds on each PGlite folder (they share its lock file). */
const heldHere = new Map<string, number>();

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Takes the PGlite folder `dir` for this process: PGlite has no lock of its own, and two
 * processes writing one folder lose one's rows without an error. A lock file naming a live
 * process refuses the open; one left by a process that is gone is taken over. The lock file is
 * created exclusively (O_EXCL: never through a link) and read without following links.
 * @returns what gives the folder back.
 * @throws FleetDbError `db-unavailable` when another live process holds the folder.
 */
async function lockPgliteFolder(dir: string): Promise<() => void> {
  const key = path.resolve(dir);
  const file = path.join(key, PGLITE_LOCK_FILE);
  const release = () => {
    const n = (heldHere.get(key) ?? 1) - 1;
    if (n > 0) return void heldHere.set(key, n);
    heldHere.delete(key);
    rmSync(file, { force: true });
  };
  const unusable = (e: unknown) =>
    new FleetDbError(
      "db-unavailable",
      `the PGlite store ${dir} cannot be used: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` +
        " (pglite: needs a folder, or a path where one can be made)",
      `pglite:${dir}`,
    );
  try {
    // One mkdir per missing folder: mkdirSync's recursive mode loops without end where a file
    // system answers ENOENT for a parent that exists, as /proc does (`pglite:/proc/x` hung).
    await mkdirp(key);
  } catch (e) {
    throw unusable(e);
  }
  // From here on synchronous: two opens of one folder in this process cannot interleave.
  if (heldHere.has(key)) {
    heldHere.set(key, heldHere.get(key)! + 1);
    return release;
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
      heldHere.set(key, 1);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw unusable(e);
    }
    let holder = Number.NaN;
    try {
      const fd = openSync(file, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
      try {
        holder = Number.parseInt(readFileSync(fd, "utf8").slice(0, 20), 10);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Unreadable (a link, a folder): treated as held.
    }
    if (!Number.isInteger(holder) || holder <= 0 || processAlive(holder))
      throw new FleetDbError(
        "db-unavailable",
        `the PGlite store ${dir} is in use by ${Number.isInteger(holder) ? `process ${holder}` : "another process"}` +
          ` (${file}): one process at a time may open a PGlite store; use PostgreSQL for concurrent ingests`,
        `pglite:${dir}`,
      );
    // Left by a process that is gone: taken over.
    rmSync(file, { force: true });
  }
  throw new FleetDbError("db-unavailable", `the PGlite store ${dir}: cannot take ${file}`, `pglite:${dir}`);
}

async function openPglite(dir: string | undefined): Promise<FleetDb> {
  const { PGlite } = await import("@electric-sql/pglite");
  const unlock = dir === undefined ? () => undefined : await lockPgliteFolder(dir);
  let db;
  try {
    db = dir === undefined ? new PGlite() : new PGlite(dir);
    await db.waitReady;
  } catch (e) {
    unlock();
    throw e;
  }
  return {
    describe: `pglite ${dir ?? "memory"}`,
    query: async <T extends object>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
    exec: async (sql) => void (await db.exec(sql)),
    copyRows: async (table, columns, rows) =>
      void (await db.query(
        `COPY ${table} (${columns.join(", ")}) FROM '/dev/blob' WITH (FORMAT binary)`,
        [],
        {
          blob: new Blob(rows as Uint8Array<ArrayBuffer>[]),
        },
      )),
    close: async () => {
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}
