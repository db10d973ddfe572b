/**
 * `fleet ingest`: host reports into the fleet store. The store is migrated first (versioned
 * migrations, src/fleet/sql.ts); each report is read, validated against
 * schemas/check.schema.json and turned into rows; rows are written in batches (a few multi-row
 * statements per batch, one transaction each). A run id already stored is skipped, so ingesting
 * the same report twice changes nothing. A report that cannot be read, does not validate or
 * cannot be written is reported and skipped; it never stops the others.
 *
 * Source: docs/fleet.md ("fleet ingest"); PostgreSQL transactions,
 * https://www.postgresql.org/docs/current/tutorial-transactions.html.
 */
import { validateDocument } from "../app/json-schemas.js";
import type { CheckJsonDocument } from "../report/check-json.js";
import type { FleetDb } from "./db.js";
import { reportRows, type ReportRows } from "./report-rows.js";
import * as SQL from "./sql.js";

/** One report to ingest: where it came from, and how to read it (it may throw). */
export interface IngestInput {
  origin: string;
  read(): Promise<unknown>;
}

/** What {@link ingestReports} did. */
export interface IngestResult {
  /** Runs written. */
  ingested: number;
  /** Reports whose run id was already stored (or seen earlier in this call). */
  duplicates: number;
  /** Reports not ingested, with why. */
  skipped: Array<{ origin: string; reason: string }>;
  /** Migrations applied by this call. */
  migrated: number[];
}

/** Reports per transaction. */
export const INGEST_BATCH = 500;

/** Applies every migration not yet recorded, oldest first, each in its own transaction. */
export async function migrate(db: FleetDb): Promise<number[]> {
  await db.exec(SQL.CREATE_MIGRATIONS_TABLE);
  const done = new Set((await db.query<{ version: number }>(SQL.APPLIED_MIGRATIONS)).map((r) => r.version));
  const applied: number[] = [];
  for (const m of SQL.MIGRATIONS) {
    if (done.has(m.version)) continue;
    await inTransaction(db, async () => {
      await db.exec(m.sql);
      await db.query(SQL.RECORD_MIGRATION, [m.version, m.name]);
    });
    applied.push(m.version);
  }
  return applied;
}

async function inTransaction<T>(db: FleetDb, work: () => Promise<T>): Promise<T> {
  await db.query("BEGIN");
  try {
    const out = await work();
    await db.query("COMMIT");
    return out;
  } catch (e) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

/**
 * Ingests `inputs` into `db` (migrated first). `onSkip` hears each skipped report as it happens.
 * Database failures other than one report's rows propagate (the store is unusable).
 */
export async function ingestReports(
  db: FleetDb,
  inputs: Iterable<IngestInput> | AsyncIterable<IngestInput>,
  options: { batch?: number; onSkip?: (origin: string, reason: string) => void } = {},
): Promise<IngestResult> {
  const result: IngestResult = { ingested: 0, duplicates: 0, skipped: [], migrated: await migrate(db) };
  const skip = (origin: string, reason: string) => {
    result.skipped.push({ origin, reason });
    options.onSkip?.(origin, reason);
  };
  const seen = new Set<string>();
  let batch: ReportRows[] = [];
  const flush = async () => {
    if (batch.length > 0) await writeBatch(db, batch, result, skip);
    batch = [];
  };
  for await (const input of inputs) {
    const rows = await readRows(input, skip);
    if (rows === undefined) continue;
    if (seen.has(rows.run.runId)) {
      result.duplicates++;
      continue;
    }
    seen.add(rows.run.runId);
    batch.push(rows);
    if (batch.length >= (options.batch ?? INGEST_BATCH)) await flush();
  }
  await flush();
  // Fresh statistics after a load, so the summary's planner sees the tables as they now are.
  if (result.ingested > 0) await db.exec(SQL.ANALYZE_TABLES);
  return result;
}

/** The rows of one input, or undefined (reported) when it cannot be read or does not validate. */
async function readRows(
  input: IngestInput,
  skip: (origin: string, reason: string) => void,
): Promise<ReportRows | undefined> {
  let doc: unknown;
  try {
    doc = await input.read();
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    skip(input.origin, `${typeof err.code === "string" ? `${err.code}: ` : ""}${String(err.message ?? e)}`);
    return undefined;
  }
  const v = validateDocument("check", doc, 3);
  if (!v.valid) {
    const version = (doc as { schemaVersion?: unknown } | null)?.schemaVersion;
    const hint =
      version !== undefined && version !== 2 ? ` (schemaVersion ${JSON.stringify(version)}; 2 is read)` : "";
    skip(input.origin, `not a koff-doctor host report${hint}: ${v.problems.join("; ")}`);
    return undefined;
  }
  return reportRows(doc as CheckJsonDocument, input.origin);
}

/**
 * Writes a batch in one transaction. When the batch fails, each report is retried alone, so one
 * report the database refuses is skipped and the rest are written.
 */
async function writeBatch(
  db: FleetDb,
  batch: ReportRows[],
  result: IngestResult,
  skip: (origin: string, reason: string) => void,
): Promise<void> {
  try {
    const written = await inTransaction(db, () => writeRows(db, batch));
    result.ingested += written;
    result.duplicates += batch.length - written;
    return;
  } catch (e) {
    if (batch.length === 1) {
      skip(batch[0]!.run.origin, `the database refused it: ${(e as Error).message}`);
      return;
    }
  }
  for (const one of batch) await writeBatch(db, [one], result, skip);
}

/** Column arrays of `rows` for an `unnest` insert. */
function columns<T, K extends keyof T>(rows: readonly T[], keys: readonly K[]): unknown[][] {
  return keys.map((k) => rows.map((r) => r[k] ?? null));
}

/** Inserts one batch's rows; the number of runs that were new. */
async function writeRows(db: FleetDb, batch: ReportRows[]): Promise<number> {
  // One row per host (its latest run in the batch, its earliest time as first seen): an upsert
  // may not touch a row twice.
  const hosts = new Map<
    string,
    ReportRows["host"] & { collectedAt: string; runId: string; firstSeen: string }
  >();
  for (const r of batch) {
    const prev = hosts.get(r.host.hostId);
    const firstSeen = prev && prev.firstSeen < r.run.collectedAt ? prev.firstSeen : r.run.collectedAt;
    if (prev === undefined || r.run.collectedAt >= prev.collectedAt)
      hosts.set(r.host.hostId, { ...r.host, collectedAt: r.run.collectedAt, runId: r.run.runId, firstSeen });
    else prev.firstSeen = firstSeen;
  }
  const h = [...hosts.values()];
  await db.query(
    SQL.UPSERT_HOSTS,
    columns(h, [
      "hostId",
      "idSource",
      "computerName",
      "domain",
      "osProduct",
      "osBuild",
      "osVersion",
      "user",
      "collectedAt",
      "runId",
      "firstSeen",
    ]),
  );
  const runs = batch.map((r) => ({ ...r.run, hostId: r.host.hostId }));
  const inserted = await db.query<{ run_id: string }>(
    SQL.INSERT_RUNS,
    columns(runs, [
      "runId",
      "hostId",
      "collectedAt",
      "origin",
      "mode",
      "source",
      "toolVersion",
      "schemaVersion",
      "status",
      "exitCode",
      "connectorVersion",
      "outlookVersion",
      "outlookBitness",
    ]),
  );
  const fresh = new Set(inserted.map((r) => r.run_id.toLowerCase()));
  const news = batch.filter((r) => fresh.has(r.run.runId.toLowerCase()));
  const findings = news.flatMap((r) => r.findings.map((f) => ({ ...f, runId: r.run.runId })));
  if (findings.length > 0)
    await db.query(
      SQL.INSERT_FINDINGS,
      columns(findings, [
        "runId",
        "ordinal",
        "checkId",
        "severity",
        "title",
        "message",
        "remedy",
        "evidence",
      ]),
    );
  const runFiles = news.flatMap((r) => r.files.map((f) => ({ ...f, runId: r.run.runId })));
  const files = [...new Map(runFiles.map((f) => [f.sha256, f])).values()];
  if (files.length > 0) {
    await db.query(
      SQL.INSERT_FILES,
      columns(files, ["sha256", "size", "verdict", "signatureState", "signer", "fileVersion", "machine"]),
    );
    await db.query(
      SQL.INSERT_RUN_FILES,
      columns(runFiles, ["runId", "path", "sha256", "verdict", "provider", "inInstall"]),
    );
  }
  return news.length;
}
