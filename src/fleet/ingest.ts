/**
 * `fleet ingest`: host reports into the fleet store. The store is migrated first (versioned
 * migrations, src/fleet/sql.ts); each report is read and turned into rows by a checked reader of
 * the fields the store keeps (src/fleet/report-rows.ts: a wrong one is named by its JSON
 * pointer), and its run (with the key of the set of files it saw, src/fleet/file-sets.ts) and
 * findings are encoded for COPY (binary format, src/fleet/copy-binary.ts) as it is read, into
 * buffers reused from batch to batch. Rows are written in batches (growing from 500 reports to
 * 4,000), one transaction each, while the next batch is read: the batch's host and run ids the
 * store already has are looked up; new hosts, new runs and their findings are loaded with COPY;
 * known hosts are updated by one `INSERT … ON CONFLICT` over arrays, files by SHA-256 and file
 * sets inserted unless known; the summary's counts follow the hosts whose latest run changed. A batch
 * costs two round trips to a server (its statements are pipelined: the lookups together, then
 * the writes together, src/fleet/db.ts), and it is sent as soon as it is read, behind the batch
 * before, one transaction holding the connection at a time. A run id already stored is skipped,
 * so ingesting the same report twice changes nothing. A report that
 * cannot be read, is not a host report or cannot be written is reported and skipped; it never
 * stops the others. Memory is bounded by two batches, not by the input.
 *
 * Source: docs/fleet.md ("fleet ingest"); PostgreSQL transactions,
 * https://www.postgresql.org/docs/current/tutorial-transactions.html; COPY,
 * https://www.postgresql.org/docs/current/sql-copy.html.
 */
import { ChunkPool, CopyBinary } from "./copy-binary.js";
import { FleetDbError, type FleetDb } from "./db.js";
import { FileSets, type FileSet } from "./file-sets.js";
import { HostReportError, reportRows, type ReportRows } from "./report-rows.js";
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

/**
 * Reports per transaction at most (and most reports held in memory at once, twice this). Each
 * transaction costs the server about 10 ms of CPU of its own (its statements, its commit): 10,000
 * reports in batches of 1,000 cost it about 0.1 s more than in batches of 5,000
 * (docs/fleet.md "Bench").
 */
export const INGEST_BATCH = 4000;
/**
 * Reports in the first transaction; each next one holds twice as many, up to
 * {@link INGEST_BATCH}: the database starts on the first batch early, while the next is read.
 */
const FIRST_BATCH = 500;
/**
 * A batch is sent before it is full once it holds this many reports and the database has no
 * batch left to write: the database never waits for a batch that is not needed full, and the last
 * batch, written after the last report is read, stays short. On the bench (docs/fleet.md
 * "Bench"), 0.47 of `psql \copy`'s rate without this, 0.51 to 0.56 with 250, 500 or 1,000 here.
 */
const EARLY_BATCH = 500;
/**
 * Reports read between two turns of the event loop: the database's replies to the batch being
 * written wait at most this many reports for this process to send its next statement (every 50
 * left the server idle about a tenth of an ingest).
 */
const YIELD_EVERY = 10;

/**
 * Applies every migration not yet recorded, oldest first, each in its own transaction, holding
 * the store's migration lock (another process migrating waits, then finds them applied).
 * @returns the versions applied by this call.
 * @throws FleetDbError `db-unavailable` when a migration fails (the store stays at the last one
 *   committed).
 */
export async function migrate(db: FleetDb): Promise<number[]> {
  const applied: number[] = [];
  const turn = new Turn();
  let current = "";
  try {
    // One process at a time (SQL.MIGRATION_LOCK_KEY): the versions are read under the lock. The
    // three statements are issued together (one round trip to a server); the database runs them
    // in order, so the versions are read once the lock is held.
    const [, , versions] = await Promise.all([
      db.query(SQL.LOCK_MIGRATIONS),
      db.exec(SQL.CREATE_MIGRATIONS_TABLE),
      db.query<{ version: number }>(SQL.APPLIED_MIGRATIONS),
    ]);
    const done = new Set(versions.map((r) => r.version));
    for (const m of SQL.MIGRATIONS) {
      if (done.has(m.version)) continue;
      current = ` ${m.version} (${m.name})`;
      await inTransaction(db, turn, async () => {
        await db.exec(m.sql);
        await db.query(SQL.RECORD_MIGRATION, [m.version, m.name]);
      });
      applied.push(m.version);
    }
  } catch (e) {
    // The store is left at the last migration that committed (each is one transaction).
    throw new FleetDbError(
      "db-unavailable",
      `migration${current} failed: ${e instanceof Error ? e.message : String(e)}`,
      db.describe,
    );
  } finally {
    await db.query(SQL.UNLOCK_MIGRATIONS).catch(() => undefined);
  }
  return applied;
}

/**
 * The statements of one transaction, issued without waiting for each other's answers (the
 * database runs them in order; a server connection pipelines them).
 */
class Sent {
  private readonly answers: Promise<unknown>[] = [];

  /** `answer`, kept to be settled with the others; its failure is also thrown by {@link settle}. */
  add<T>(answer: Promise<T>): Promise<T> {
    this.answers.push(answer);
    // Settled (and thrown) by settle: never an unhandled rejection meanwhile.
    answer.catch(() => undefined);
    return answer;
  }

  /**
   * Waits for every answer; the first failure in the order issued, if any (the statements after
   * a failed one fail only because the transaction is aborted).
   */
  async firstError(): Promise<unknown> {
    for (const a of await Promise.allSettled(this.answers)) if (a.status === "rejected") return a.reason;
    return undefined;
  }
}

/**
 * The connection's turn, taken by one transaction at a time from its BEGIN until its COMMIT (or
 * ROLLBACK) is issued: statements are issued without waiting for answers, and none of another
 * transaction's may come between a transaction's own.
 */
class Turn {
  private last: Promise<void> = Promise.resolve();

  /** Waits for the turn (first come, first served); returns what gives it back. */
  async take(): Promise<() => void> {
    let give!: () => void;
    const mine = new Promise<void>((resolve) => (give = resolve));
    const before = this.last;
    this.last = mine;
    await before;
    return give;
  }
}

/**
 * Runs `work` in a transaction, in its `turn` of the connection: BEGIN, the statements `work`
 * issues through `sent` (it awaits only the answers it needs), COMMIT, all sent without waiting
 * in between; the turn passes on once COMMIT is issued, then every answer is waited for. A
 * failure rolls back and throws the first error in the order issued.
 */
async function inTransaction<T>(db: FleetDb, turn: Turn, work: (sent: Sent) => Promise<T>): Promise<T> {
  const sent = new Sent();
  const give = await turn.take();
  let failure: unknown;
  try {
    sent.add(db.query("BEGIN"));
    let out: T;
    try {
      out = await work(sent);
    } catch (e) {
      // Not committed: rolled back, still in this turn.
      failure = (await sent.firstError()) ?? e;
      await db.query("ROLLBACK").catch(() => undefined);
      throw failure;
    }
    // COMMIT of a transaction a statement aborted answers ROLLBACK, not an error (and ends it
    // as ROLLBACK would): the answers before it say whether it committed.
    sent.add(db.query("COMMIT"));
    give();
    failure = await sent.firstError();
    if (failure !== undefined) throw failure;
    return out;
  } finally {
    give();
  }
}

/**
 * Ingests `inputs` into `db` (migrated first: while the first batch is read). `onSkip` hears each skipped report as it happens.
 * @throws FleetDbError `db-unavailable` when the database fails other than by refusing one
 *   report's rows (a lost connection): nothing of the batch being written is stored.
 */
export async function ingestReports(
  db: FleetDb,
  inputs: Iterable<IngestInput> | AsyncIterable<IngestInput>,
  options: { batch?: number; onSkip?: (origin: string, reason: string) => void } = {},
): Promise<IngestResult> {
  const result: IngestResult = { ingested: 0, duplicates: 0, skipped: [], migrated: [] };
  // The store is migrated while the first batch is read; no batch is written before it is.
  const migration = migrate(db);
  const migrated = migration.then(() => undefined);
  // Awaited below (or by the first batch written): never an unhandled rejection meanwhile. Once
  // it has failed, no more input is read: the failure is what the caller hears, as when the
  // store was migrated before the first input was read.
  let migrationFailed = false;
  migrated.catch(() => (migrationFailed = true));
  const skip = (origin: string, reason: string) => {
    result.skipped.push({ origin, reason });
    options.onSkip?.(origin, reason);
  };
  // Run ids of this batch: a run id written by an earlier batch is found in the store, so
  // nothing here grows with the number of reports.
  let seen = new Set<string>();
  // The batches' COPY buffers, reused from one batch to the next.
  const pool = new ChunkPool();
  const sets = new FileSets();
  let batch = new Batch(pool, sets);
  const writer: Writer = { db, turn: new Turn(), pool, sets, storedSets: new Set(), result, skip };
  // One batch is written while the next is read, turned into rows and encoded for COPY: the
  // database and this process work at the same time. A batch is sent as soon as it is read,
  // behind the one before, so the database goes from one to the next without waiting for this
  // process; the next is read once the one before is answered. At most two batches are held.
  let writing: Promise<void> = Promise.resolve();
  // Reports in this batch at most: options.batch, else growing from FIRST_BATCH.
  let limit = options.batch ?? FIRST_BATCH;
  // Batches sent and not yet answered.
  let inFlight = 0;
  const flush = async () => {
    const full = batch;
    batch = new Batch(pool, sets);
    seen = new Set();
    if (full.reports.length === 0) return;
    const before = writing;
    inFlight++;
    writing = migrated.then(() => writeBatch(writer, full)).finally(() => void inFlight--);
    // Awaited at the next flush; until then a failure must not count as unhandled.
    writing.catch(() => undefined);
    await before;
  };
  // Every report read, in batches of at most `limit`, each sent as soon as it is full.
  const readBatches = async () => {
    for await (const input of inputs) {
      if (migrationFailed) break;
      const rows = await readRows(input, skip);
      if (rows === undefined) continue;
      if (seen.has(rows.run.runId)) {
        result.duplicates++;
        continue;
      }
      seen.add(rows.run.runId);
      batch.add(rows);
      const n = batch.reports.length;
      // Full, or (on the growing schedule) enough to send while the database is idle.
      if (n >= limit || (options.batch === undefined && n >= EARLY_BATCH && inFlight === 0)) {
        await flush();
        if (options.batch === undefined) limit = Math.min(limit * 2, INGEST_BATCH);
      }
      // Reports read from memory never leave the microtask queue: let the database's replies in,
      // so the batch being written moves on to its next statement while this one is read.
      else if (n % YIELD_EVERY === 0) await new Promise(setImmediate);
    }
    await flush();
    await writing;
  };
  try {
    await readBatches();
  } finally {
    // An input that threw leaves no migration running behind the caller's back.
    await migrated.catch(() => undefined);
  }
  result.migrated = await migration;
  // No ANALYZE: the summary reads the counts kept above, whose plans need no statistics of
  // the rows; a server's autovacuum analyzes the loaded tables as it does after any COPY.
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
  try {
    return reportRows(doc, input.origin);
  } catch (e) {
    if (!(e instanceof HostReportError)) throw e;
    skip(input.origin, `not a koff-doctor host report: ${e.message}`);
    return undefined;
  }
}

/**
 * Writes a batch in one transaction. When the database refuses the batch's data
 * ({@link refusesData}), each report is retried alone, so one report the database refuses is
 * skipped and the rest are written; any other failure is thrown as `db-unavailable`.
 */
async function writeBatch(
  writer: Writer,
  { reports: batch, copies }: { reports: ReportRows[]; copies?: RunCopies },
): Promise<void> {
  const { db, result, skip } = writer;
  try {
    const { written, sets } = await inTransactionRetried(writer, (sent) =>
      writeRows(writer, sent, batch, copies),
    );
    // Sent and answered: the buffers can take the next batch. (After a failure they are left
    // to the garbage collector: a write of them may still be pending.)
    copies?.release();
    // Committed: the batch's file sets are stored, and later batches need not send them.
    if (writer.storedSets.size >= STORED_SETS) writer.storedSets.clear();
    for (const set of sets) writer.storedSets.add(set.hex);
    result.ingested += written;
    result.duplicates += batch.length - written;
    return;
  } catch (e) {
    if (!refusesData(e))
      throw new FleetDbError(
        "db-unavailable",
        `the database failed while writing a batch (nothing of it is stored): ${(e as Error).message}`,
        db.describe,
      );
    if (batch.length === 1) {
      skip(batch[0]!.run.origin, `the database refused it: ${(e as Error).message}`);
      return;
    }
  }
  for (const one of batch) await writeBatch(writer, { reports: [one] });
}

/** File sets this ingest remembers as committed, at most; then forgotten (and sent again). */
const STORED_SETS = 10_000;

/**
 * What writes batches: the connection, its turn, the pooled COPY buffers, the runs' file sets
 * (and the keys of those committed by this ingest), and the result so far.
 */
interface Writer {
  db: FleetDb;
  turn: Turn;
  pool: ChunkPool;
  sets: FileSets;
  storedSets: Set<string>;
  result: IngestResult;
  skip: (origin: string, reason: string) => void;
}

/**
 * Times a batch's transaction is tried in all: concurrent ingests lock the same rows (a host's,
 * the summary's counts) in different orders, and PostgreSQL breaks such a deadlock by aborting
 * one transaction, which is then to be tried again; and two ingests may both load a host new to
 * the store, the second failing on its key once the first commits.
 */
const CONFLICT_ATTEMPTS = 10;

/** SQLSTATEs of a transaction that failed only because another one ran at the same time. */
const CONFLICTS = new Set([
  "40P01", // deadlock_detected
  "40001", // serialization_failure
  // unique_violation: a host (or run) another ingest committed after this one looked it up.
  // Tried again, the lookup finds it; a 23505 that is the rows' own fault fails every time and
  // is then found report by report, as any refused data is.
  "23505",
]);

/**
 * {@link inTransaction}, tried again (up to {@link CONFLICT_ATTEMPTS} in all) when the database
 * aborted it for a conflict with a concurrent transaction ({@link CONFLICTS}): nothing of it was
 * stored, and the same work succeeds once the other transaction is done.
 * Source: PostgreSQL, "Explicit Locking" (Deadlocks),
 * https://www.postgresql.org/docs/current/explicit-locking.html.
 */
async function inTransactionRetried<T>({ db, turn }: Writer, work: (sent: Sent) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(db, turn, work);
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      if (typeof code !== "string" || !CONFLICTS.has(code) || attempt >= CONFLICT_ATTEMPTS) throw e;
      // A short, growing, jittered pause, so the two transactions do not meet again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/**
 * Whether a database error is about the rows written, so that retrying report by report can
 * find the one at fault: SQLSTATE classes 22 (data exception), 23 (integrity constraint
 * violation) and 54 (program limit exceeded, e.g. an index row too large). Anything else (a lost
 * connection, a full disk, a missing table) would fail every report alike, so the ingest stops.
 * Source: PostgreSQL, "Appendix A. PostgreSQL Error Codes"
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
function refusesData(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

/** Column arrays of `rows` for an `unnest` insert. */
function columns<T, K extends keyof T>(rows: readonly T[], keys: readonly K[]): unknown[][] {
  return keys.map((k) => rows.map((r) => r[k] ?? null));
}

/**
 * Writes one batch's rows (its hosts, then its new runs with their findings and files) through
 * `sent`; the number of runs that were new. The lookups are one round trip, the writes another:
 * nothing else waits for an answer. `copies`, when given, are the batch's runs, findings and file
 * sightings already encoded, sent as they are when none of its runs is stored.
 */
async function writeRows(
  { db, pool, sets, storedSets }: Writer,
  sent: Sent,
  batch: ReportRows[],
  copies?: RunCopies,
): Promise<{ written: number; sets: Iterable<FileSet> }> {
  // Runs already stored are left as they are, and so are their hosts (ingest is idempotent per
  // run id: a stored run tying its host's later latest run would otherwise take its place again);
  // the others are loaded with COPY. A run written meanwhile by another ingest makes the COPY
  // fail on the primary key, and the batch is tried again (writeBatch). The batch's hosts are
  // looked up (and locked) with its runs, in the same round trip.
  const storedRuns = sent.add(db.query<{ run_id: string }>(SQL.STORED_RUNS, [batch.map((r) => r.run.runId)]));
  const storedHosts = sent.add(
    db.query<StoredHost>(SQL.STORED_HOSTS, [[...new Set(batch.map((r) => r.host.hostId))]]),
  );
  // While the lookups wait for their answers (behind the batch before), the writes are made
  // ready as if the store had none of the batch's runs and hosts, as in a first load; they are
  // sent as they are when it has none.
  let writes = prepareWrites(batch, new Map(), pool, copies ?? RunCopies.of(batch, sets), storedSets);
  const old = new Set((await storedRuns).map((r) => r.run_id));
  const known = new Map((await storedHosts).map((r) => [r.host_id, r]));
  const news = old.size === 0 ? batch : batch.filter((r) => !old.has(r.run.runId));
  if (old.size > 0 || known.size > 0) {
    writes.hosts.release();
    if (news.length === 0) return { written: 0, sets: [] };
    writes = prepareWrites(
      news,
      known,
      pool,
      news === batch ? writes.runs : RunCopies.of(news, sets),
      storedSets,
    );
  }
  sendWrites(db, sent, writes);
  return { written: news.length, sets: writes.runs.sets.values() };
}

/** A batch's writes, ready to send ({@link prepareWrites}, {@link sendWrites}). */
interface Writes {
  /** New hosts, for COPY. */
  hosts: CopyBinary;
  /** Known hosts, for UPSERT_HOSTS. */
  update: unknown[][];
  runs: RunCopies;
  /** INSERT_FILE_SETS's parameters, or none (every set of the runs committed already). */
  fileSets?: unknown[][];
  /** INSERT_FILES's parameters, or none. */
  files?: unknown[][];
  /** ADD_SUMMARY_COUNTS's parameters, or ADD_SUMMARY_COUNTS_OWN's (three) when no side is left for the database. */
  summary: unknown[];
}

/**
 * What the statements after the lookups send, for the batch's new runs `news` and the `known`
 * hosts; file sets in `storedSets` (committed) are not sent again.
 */
function prepareWrites(
  news: ReportRows[],
  known: ReadonlyMap<string, StoredHost>,
  pool: ChunkPool,
  runs: RunCopies,
  storedSets: ReadonlySet<string>,
): Writes {
  const { changed, fresh, update } = prepareHosts(news, known, pool);
  // In key order, so that concurrent ingests inserting the same sets lock them in one order.
  const newSets = [...runs.sets.values()]
    .filter((s) => !storedSets.has(s.hex))
    .sort((a, b) => (a.hex < b.hex ? -1 : 1));
  const files = new Map<string, ReportRows["files"][number]>();
  for (const r of news) for (const f of r.files) if (!files.has(f.sha256)) files.set(f.sha256, f);
  return {
    hosts: fresh,
    update,
    runs,
    ...(newSets.length > 0 && {
      fileSets: columns(newSets, ["hex", "paths", "sha256", "verdicts", "provider", "inInstall"]),
    }),
    ...(files.size > 0 && {
      files: columns(
        [...files.values()],
        ["sha256", "size", "verdict", "signatureState", "signer", "fileVersion", "machine"],
      ),
    }),
    // The summary's counts follow: the changed hosts' old latest runs out, their new ones in.
    summary: summaryCounts(changed, news, fresh.count),
  };
}

/**
 * Sends a batch's writes: new hosts (COPY) and known ones (upsert), runs with where each saw its
 * files (COPY), files by SHA-256 (counted in the summary's totals as added), findings (COPY), and
 * the summary's counts.
 */
function sendWrites(db: FleetDb, sent: Sent, w: Writes): void {
  // Pooled buffers go back to the pool once their COPY is answered (the server has read them).
  const { hosts } = w;
  if (hosts.count > 0)
    sent.add(db.copyRows("hosts", SQL.HOSTS_COLUMNS.names, hosts.finish()).then(() => hosts.release()));
  else hosts.release();
  if (w.update[0]!.length > 0) sent.add(db.query(SQL.UPSERT_HOSTS, w.update));
  const { runs, findings } = w.runs.finish();
  if (w.fileSets !== undefined) sent.add(db.query(SQL.INSERT_FILE_SETS, w.fileSets));
  sent.add(db.copyRows("runs", SQL.RUNS_COLUMNS.names, runs));
  if (w.files !== undefined) sent.add(db.query(SQL.INSERT_FILES, w.files));
  if (findings !== undefined) sent.add(db.copyRows("findings", SQL.FINDINGS_COLUMNS.names, findings));
  sent.add(db.query(w.summary.length === 3 ? SQL.ADD_SUMMARY_COUNTS_OWN : SQL.ADD_SUMMARY_COUNTS, w.summary));
}

/**
 * The parameters of ADD_SUMMARY_COUNTS: what the batch's new runs that became a host's latest
 * add, counted here from their rows as CONTRIBUTIONS (src/fleet/sql.ts) counts stored ones, with
 * the totals; and the (host, run, ±1) sides left for the database (replaced runs, and a new latest
 * run stored before this batch).
 */
function summaryCounts(changed: LatestChange[], news: ReportRows[], addedHosts: number): unknown[] {
  // By kind, then by a text id of the key: the key (one or two parts) is made and written as
  // JSON once per distinct key.
  const counts = new Map<string, Map<string, { key: unknown[]; n: number }>>();
  const count = (kind: string, id: string, a: unknown, b?: unknown, n = 1) => {
    let ofKind = counts.get(kind);
    if (ofKind === undefined) counts.set(kind, (ofKind = new Map()));
    const c = ofKind.get(id);
    if (c === undefined) ofKind.set(id, { key: b === undefined ? [a] : [a, b], n });
    else c.n += n;
  };
  const written = new Map(news.map((r) => [r.run.runId, r]));
  const sides: { hostId: string; runId: string; d: number }[] = [];
  const checks = new Set<string>();
  const hashes = new Set<string>();
  for (const c of changed) {
    if (c.oldRun !== null) sides.push({ hostId: c.hostId, runId: c.oldRun, d: -1 });
    const rows = written.get(c.newRun);
    if (rows === undefined) {
      sides.push({ hostId: c.hostId, runId: c.newRun, d: 1 });
      continue;
    }
    const { run, findings, files } = rows;
    count("status", run.status, run.status);
    // U+0000 is in no stored text (report-rows.ts storableText): an id of its own for NULL.
    count("connector", run.connectorVersion ?? "\0", run.connectorVersion);
    const { outlookVersion: v, outlookBitness: b } = run;
    count("outlook", `${v ?? "\0"}\0${b ?? "\0"}`, v, b);
    // Each key once per host, however many findings or files show it.
    checks.clear();
    for (const f of findings) {
      const rank = SEVERITY_RANK[f.severity]!;
      // Check ids are [a-z0-9-] (report-rows.ts): "id rank" is unambiguous.
      if (!checks.has(f.checkId)) {
        checks.add(f.checkId);
        count("check", f.checkId, f.checkId);
      }
      const withRank = `${f.checkId} ${rank}`;
      if (!checks.has(withRank)) {
        checks.add(withRank);
        count("rank", withRank, f.checkId, rank);
      }
    }
    hashes.clear();
    for (const f of files) {
      if (!f.provider) continue;
      // One row per path in a run (report-rows.ts), so (hash, path) once each; hashes may repeat.
      count("path", f.sha256 + f.path, f.sha256, f.path);
      if (!hashes.has(f.sha256)) {
        hashes.add(f.sha256);
        count("hash", f.sha256, f.sha256);
      }
      if (!f.inInstall && !hashes.has(`out ${f.sha256}`)) {
        hashes.add(`out ${f.sha256}`);
        count("outside", f.sha256, f.sha256);
      }
    }
  }
  let findings = 0;
  for (const r of news) findings += r.findings.length;
  // Files new to the store are counted as INSERT_FILES adds them.
  const totals = { hosts: addedHosts, runs: news.length, findings };
  for (const [what, n] of Object.entries(totals)) count("total", what, what, undefined, n);
  const entries = [...counts].flatMap(([kind, ofKind]) => [...ofKind.values()].map((e) => ({ kind, ...e })));
  const own = [
    entries.map((e) => e.kind),
    entries.map((e) => JSON.stringify(e.key)),
    entries.map((e) => e.n),
  ];
  // A first load leaves the database nothing to count: the short statement.
  if (sides.length === 0) return own;
  return [...own, sides.map((x) => x.hostId), sides.map((x) => x.runId), sides.map((x) => x.d)];
}

/** A finding's severity as CONTRIBUTIONS ranks it. */
const SEVERITY_RANK: Record<string, number> = { info: 1, warning: 2, error: 3, critical: 4 };

/** A host whose latest run a batch changed: its latest run before (null when new) and after. */
interface LatestChange {
  hostId: string;
  oldRun: string | null;
  newRun: string;
}

/** A host the store has: its latest run and when that was collected. */
interface StoredHost {
  host_id: string;
  last_run_id: string;
  last_seen: Date | string;
}

/**
 * The hosts of a batch's new runs: new ones encoded for COPY, `known` ones (looked up and locked
 * in this transaction, so a concurrent ingest cannot change their latest run meanwhile) as
 * UPSERT_HOSTS's parameters, which update them when this batch is newer; and the hosts whose
 * latest run changes.
 */
function prepareHosts(
  batch: ReportRows[],
  known: ReadonlyMap<string, StoredHost>,
  pool: ChunkPool,
): { changed: LatestChange[]; fresh: CopyBinary; update: unknown[][] } {
  // One row per host (its latest run in the batch, its earliest time as first seen): an upsert
  // may not touch a row twice.
  const hosts = new Map<string, { latest: ReportRows; firstSeen: string }>();
  for (const r of batch) {
    const prev = hosts.get(r.host.hostId);
    const at = r.run.collectedAt;
    if (prev === undefined) hosts.set(r.host.hostId, { latest: r, firstSeen: at });
    else {
      if (at < prev.firstSeen) prev.firstSeen = at;
      if (at >= prev.latest.run.collectedAt) prev.latest = r;
    }
  }
  // Hosts new to the store are loaded with COPY; the others are updated by one upsert (a host
  // another ingest added meanwhile makes the COPY fail on the key, and the batch is tried again).
  const changed: LatestChange[] = [];
  const fresh = new CopyBinary(SQL.HOSTS_COLUMNS.types, pool);
  const update: Array<ReportRows["host"] & { collectedAt: string; runId: string; firstSeen: string }> = [];
  for (const { latest, firstSeen } of hosts.values()) {
    const x = latest.host;
    const { runId, collectedAt } = latest.run;
    const was = known.get(x.hostId);
    if (was === undefined) {
      changed.push({ hostId: x.hostId, oldRun: null, newRun: runId });
      fresh.add([
        x.hostId,
        x.idSource,
        x.computerName,
        x.domain,
        x.osProduct,
        x.osBuild,
        x.osVersion,
        x.user,
        firstSeen,
        collectedAt,
        runId,
      ]);
      continue;
    }
    // As UPSERT_HOSTS decides: a known host takes this batch's run when it is not older.
    if (Date.parse(collectedAt) >= new Date(was.last_seen).getTime() && was.last_run_id !== runId)
      changed.push({ hostId: x.hostId, oldRun: was.last_run_id, newRun: runId });
    update.push({ ...x, collectedAt, runId, firstSeen });
  }
  return {
    changed,
    fresh,
    update: columns(update, [
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
  };
}

/**
 * Runs (with their file sightings) and their findings in COPY's binary format, encoded report
 * by report as they are read ({@link Batch}), or for the runs of a batch not yet stored.
 */
class RunCopies {
  private readonly runs: CopyBinary;
  private readonly findings: CopyBinary;
  private done?: { runs: Buffer[]; findings?: Buffer[] };
  /** The file sets of the runs added, by key in hex. */
  readonly sets = new Map<string, FileSet>();

  constructor(
    private readonly fileSets: FileSets,
    pool?: ChunkPool,
  ) {
    this.runs = new CopyBinary(SQL.RUNS_COLUMNS.types, pool);
    this.findings = new CopyBinary(SQL.FINDINGS_COLUMNS.types, pool);
  }

  static of(reports: readonly ReportRows[], fileSets: FileSets): RunCopies {
    const copies = new RunCopies(fileSets);
    for (const r of reports) copies.add(r);
    return copies;
  }

  add({ host, run: r, findings, files }: ReportRows): void {
    const set = this.fileSets.of(files);
    if (set !== null) this.sets.set(set.hex, set);
    this.runs.add([
      r.runId,
      host.hostId,
      r.collectedAt,
      r.origin,
      r.mode,
      r.source,
      r.toolVersion,
      r.schemaVersion,
      r.status,
      r.exitCode,
      r.connectorVersion,
      r.outlookVersion,
      r.outlookBitness,
      set?.key ?? null,
    ]);
    for (const f of findings)
      this.findings.add([
        r.runId,
        f.ordinal,
        f.checkId,
        f.severity,
        f.title,
        f.message,
        f.remedy,
        f.evidence,
      ]);
  }

  /** The chunks of each COPY (none for findings when there are none); the same each call, so a batch tried again sends them again. */
  finish(): { runs: Buffer[]; findings?: Buffer[] } {
    this.done ??= {
      runs: this.runs.finish(),
      ...(this.findings.count > 0 && { findings: this.findings.finish() }),
    };
    return this.done;
  }

  /** {@link CopyBinary.release} of each: once every COPY of them is complete. */
  release(): void {
    this.runs.release();
    this.findings.release();
  }
}

/** A batch being read: its reports' rows, and their runs, findings and file sightings encoded for COPY as they arrive. */
class Batch {
  readonly reports: ReportRows[] = [];
  readonly copies: RunCopies;

  constructor(pool: ChunkPool, sets: FileSets) {
    this.copies = new RunCopies(sets, pool);
  }

  add(rows: ReportRows): void {
    this.reports.push(rows);
    this.copies.add(rows);
  }
}
