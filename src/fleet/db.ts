/**
 * The fleet store's database port and its two engines: a PostgreSQL server through node-postgres
 * (`postgres://…`), or an embedded PGlite database kept in a local folder (`pglite:DIR`, the
 * default `./koff-fleet-db`). Both speak the same SQL (src/fleet/sql.ts); nothing else in the
 * fleet code knows which engine it talks to.
 *
 * Bulk loads go through `COPY … FROM STDIN` on a server (pg-copy-streams) and `COPY … FROM
 * '/dev/blob'` on PGlite, both in COPY's binary format (src/fleet/copy-binary.ts).
 *
 * Sources: node-postgres, https://node-postgres.com/apis/client; pg-copy-streams,
 * https://github.com/brianc/node-pg-copy-streams; PGlite, https://pglite.dev/docs/api (PGlite is
 * PostgreSQL compiled to WebAssembly; `blob` query option for COPY); COPY,
 * https://www.postgresql.org/docs/current/sql-copy.html.
 */
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CodedError } from "../util/coded-error.js";

/** One database connection. Parameters are `$1…`; arrays are sent as PostgreSQL arrays. */
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
  const client = new pg.default.Client({ connectionString: url });
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
    copyRows: async (table, columns, rows) => {
      const { from } = await import("pg-copy-streams");
      const sink = client.query(
        from(`COPY ${table} (${columns.join(", ")}) FROM STDIN WITH (FORMAT binary)`),
      );
      await pipeline(Readable.from(rows), sink);
    },
    close: () => client.end(),
  };
}

async function openPglite(dir: string | undefined): Promise<FleetDb> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = dir === undefined ? new PGlite() : new PGlite(dir);
  await db.waitReady;
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
    close: () => db.close(),
  };
}
