/**
 * Every SQL statement of the fleet store, in one place: the versioned migrations that create our
 * own schema (hosts, runs, findings, triaged files keyed by SHA-256 and where each run saw them),
 * the lookups, batched inserts and COPY column lists of `fleet ingest`, and the queries of `fleet summary`. Plain PostgreSQL,
 * run unchanged on a server and on PGlite. The schema is docs/fleet.md "The store".
 *
 * Sources: PostgreSQL, INSERT … ON CONFLICT, https://www.postgresql.org/docs/current/sql-insert.html;
 * unnest of arrays, https://www.postgresql.org/docs/current/functions-array.html.
 */

import type { CopyType } from "./copy-binary.js";

/** The columns of a COPY, in order, and their types (src/fleet/copy-binary.ts). */
export interface CopyColumns {
  names: readonly string[];
  types: readonly CopyType[];
}

const copyColumns = (columns: Record<string, CopyType>): CopyColumns => ({
  names: Object.keys(columns),
  types: Object.values(columns),
});

/**
 * What each (host, run, ±1) row of the CTE `sides` adds to `summary_counts`: one row per kind and
 * key the run shows, counted once per host however many findings or files show it. Kinds:
 * `status` [status], `connector` [version], `outlook` [version, bitness], `check` [check id],
 * `rank` [check id, severity rank 1-4], `hash` [sha256], `outside` [sha256] (a provider DLL
 * outside the install folders), `path` [sha256, path]; keys are JSON arrays, so NULL is a value.
 * Migration 3 fills the counts with it: a change to it comes with a migration that refills them.
 */
const CONTRIBUTIONS = `
SELECT v.kind, v.key, s.d FROM sides s JOIN runs r ON r.run_id = s.run_id
CROSS JOIN LATERAL (VALUES ('status', jsonb_build_array(r.status)),
  ('connector', jsonb_build_array(r.connector_version)),
  ('outlook', jsonb_build_array(r.outlook_version, r.outlook_bitness))) AS v (kind, key)
UNION ALL
SELECT kind, key, d FROM (
  SELECT DISTINCT s.host_id, s.run_id, s.d, v.kind, v.key
  FROM sides s JOIN findings f ON f.run_id = s.run_id
  CROSS JOIN LATERAL (VALUES ('check', jsonb_build_array(f.check_id)),
    ('rank', jsonb_build_array(f.check_id, CASE f.severity WHEN 'info' THEN 1 WHEN 'warning' THEN 2
      WHEN 'error' THEN 3 WHEN 'critical' THEN 4 END))) AS v (kind, key)
  UNION
  SELECT s.host_id, s.run_id, s.d, v.kind, v.key
  FROM sides s JOIN run_files rf ON rf.run_id = s.run_id AND rf.provider
  CROSS JOIN LATERAL (VALUES ('hash', jsonb_build_array(rf.sha256)),
    ('outside', CASE WHEN NOT rf.in_install THEN jsonb_build_array(rf.sha256) END),
    ('path', jsonb_build_array(rf.sha256, rf.path))) AS v (kind, key)
  WHERE v.key IS NOT NULL) per_host`;

/** Where each run saw each file: a row per element of the run's file arrays (migration 5). */
const RUN_FILES_VIEW = `CREATE VIEW run_files AS
SELECT r.run_id, f.path, f.sha256, f.verdict, f.provider, f.in_install
FROM runs r CROSS JOIN LATERAL unnest(r.file_paths, r.file_sha256, r.file_verdicts, r.file_provider,
  r.file_in_install) AS f (path, sha256, verdict, provider, in_install);`;

/**
 * Where each run saw each file, since migration 6: a row per element of the arrays of the run's
 * file set (none for a run that saw no file).
 */
const RUN_FILES_VIEW_6 = `CREATE VIEW run_files AS
SELECT r.run_id, f.path, f.sha256, f.verdict, f.provider, f.in_install
FROM runs r JOIN file_sets s ON s.set_id = r.file_set
CROSS JOIN LATERAL unnest(s.paths, s.sha256, s.verdicts, s.provider, s.in_install)
  AS f (path, sha256, verdict, provider, in_install);`;

/**
 * A file set's key from its five arrays (src/fleet/file-sets.ts computes the same): SHA-256 of
 * their text forms, one after the other, as UTF-8.
 */
const FILE_SET_KEY = (p: string, h: string, v: string, pr: string, i: string) =>
  `sha256(convert_to(${p}::text || ${h}::text || ${v}::text || ${pr}::text || ${i}::text, 'UTF8'))`;

/** One migration: applied once, in order, inside a transaction, recorded in `koff_migrations`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations, oldest first. A new one is appended; a published one is never edited. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "hosts, runs, findings, files",
    sql: `
CREATE TABLE hosts (
  host_id       text PRIMARY KEY,
  id_source     text NOT NULL,
  computer_name text,
  domain        text,
  os_product    text,
  os_build      text,
  os_version    text,
  last_user     text,
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  last_run_id   uuid NOT NULL
);
CREATE TABLE runs (
  run_id            uuid PRIMARY KEY,
  host_id           text NOT NULL REFERENCES hosts (host_id),
  collected_at      timestamptz NOT NULL,
  ingested_at       timestamptz NOT NULL DEFAULT now(),
  origin            text NOT NULL,
  mode              text NOT NULL,
  source            text NOT NULL,
  tool_version      text NOT NULL,
  schema_version    integer NOT NULL,
  status            text NOT NULL,
  exit_code         integer NOT NULL,
  connector_version text,
  outlook_version   text,
  outlook_bitness   text
);
CREATE INDEX runs_host ON runs (host_id, collected_at DESC);
CREATE TABLE findings (
  run_id   uuid NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  ordinal  integer NOT NULL,
  check_id text NOT NULL,
  severity text NOT NULL,
  title    text NOT NULL,
  message  text NOT NULL,
  remedy   text,
  evidence jsonb NOT NULL,
  PRIMARY KEY (run_id, ordinal)
);
CREATE INDEX findings_check ON findings (check_id);
CREATE TABLE files (
  sha256          text PRIMARY KEY,
  size            bigint NOT NULL,
  verdict         text NOT NULL,
  signature_state text,
  signer          text,
  file_version    text,
  machine         text
);
CREATE TABLE run_files (
  run_id     uuid NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  path       text NOT NULL,
  sha256     text NOT NULL REFERENCES files (sha256),
  verdict    text NOT NULL,
  provider   boolean NOT NULL,
  in_install boolean NOT NULL,
  PRIMARY KEY (run_id, path)
);
CREATE INDEX run_files_sha256 ON run_files (sha256);
`,
  },
  {
    // Per-row foreign-key checks were 40% of ingest time (docs/fleet.md "Bench"). Ingest is the
    // store's only writer and writes a run with its findings and files in one transaction, after
    // its host and files, so the references hold without them.
    version: 2,
    name: "no foreign keys: ingest keeps the references",
    sql: `
ALTER TABLE runs DROP CONSTRAINT runs_host_id_fkey;
ALTER TABLE findings DROP CONSTRAINT findings_run_id_fkey;
ALTER TABLE run_files DROP CONSTRAINT run_files_run_id_fkey;
ALTER TABLE run_files DROP CONSTRAINT run_files_sha256_fkey;
`,
  },
  {
    // The summary read from counts kept by ingest (docs/fleet.md "The store"): its cost no
    // longer grows with the hosts, bar the list of hosts not seen since a date.
    version: 3,
    name: "summary counts kept by ingest",
    sql: `
CREATE TABLE summary_counts (
  kind text NOT NULL,
  key  jsonb NOT NULL,
  n    integer NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE INDEX hosts_last_seen ON hosts (last_seen);
WITH sides AS (SELECT host_id, last_run_id AS run_id, 1 AS d FROM hosts),
contributions AS (${CONTRIBUTIONS})
INSERT INTO summary_counts (kind, key, n)
SELECT kind, key, SUM(d) FROM contributions GROUP BY kind, key
UNION ALL SELECT 'total', '["hosts"]', COUNT(*) FROM hosts
UNION ALL SELECT 'total', '["runs"]', COUNT(*) FROM runs
UNION ALL SELECT 'total', '["findings"]', COUNT(*) FROM findings
UNION ALL SELECT 'total', '["files"]', COUNT(*) FROM files;
`,
  },
  {
    // Since migration 3 no query reads these: the summary reads summary_counts, and the counts
    // join findings and run_files by run id (their keys' first column). Each cost ingest an
    // index entry per row (docs/fleet.md "Bench").
    version: 4,
    name: "no indexes no query uses",
    sql: `
DROP INDEX runs_host;
DROP INDEX findings_check;
DROP INDEX run_files_sha256;
`,
  },
  {
    // A row per file a run saw cost ingest as much as the run itself (docs/fleet.md "Bench"):
    // the sightings are now arrays in the run's row (in the report's order; by path for runs
    // stored before), and `run_files` a view of them with the same columns, so queries of it
    // read the same rows.
    version: 5,
    name: "file sightings in their run's row",
    sql: `
ALTER TABLE runs
  ADD COLUMN file_paths text[] NOT NULL DEFAULT '{}',
  ADD COLUMN file_sha256 text[] NOT NULL DEFAULT '{}',
  ADD COLUMN file_verdicts text[] NOT NULL DEFAULT '{}',
  ADD COLUMN file_provider boolean[] NOT NULL DEFAULT '{}',
  ADD COLUMN file_in_install boolean[] NOT NULL DEFAULT '{}';
UPDATE runs r SET file_paths = f.paths, file_sha256 = f.sha256, file_verdicts = f.verdicts,
  file_provider = f.provider, file_in_install = f.in_install
FROM (SELECT run_id, ARRAY_AGG(path ORDER BY path) AS paths, ARRAY_AGG(sha256 ORDER BY path) AS sha256,
        ARRAY_AGG(verdict ORDER BY path) AS verdicts, ARRAY_AGG(provider ORDER BY path) AS provider,
        ARRAY_AGG(in_install ORDER BY path) AS in_install
      FROM run_files GROUP BY run_id) f
WHERE r.run_id = f.run_id;
DROP TABLE run_files;
${RUN_FILES_VIEW}
`,
  },
  {
    // The five file arrays cost each run's row about half its bytes (and its WAL), though a
    // fleet's hosts mostly see the same few sets of files (docs/fleet.md "Bench"): the arrays
    // are now a row of `file_sets` per distinct set, keyed by a hash of them, and a run holds
    // the key (NULL when it saw no file). `run_files` reads the same rows as before.
    version: 6,
    name: "file sightings as shared sets",
    sql: `
CREATE TABLE file_sets (
  set_id     bytea PRIMARY KEY,
  paths      text[] NOT NULL,
  sha256     text[] NOT NULL,
  verdicts   text[] NOT NULL,
  provider   boolean[] NOT NULL,
  in_install boolean[] NOT NULL
);
ALTER TABLE runs ADD COLUMN file_set bytea;
UPDATE runs SET file_set = ${FILE_SET_KEY("file_paths", "file_sha256", "file_verdicts", "file_provider", "file_in_install")}
WHERE cardinality(file_paths) > 0;
INSERT INTO file_sets (set_id, paths, sha256, verdicts, provider, in_install)
SELECT DISTINCT ON (file_set) file_set, file_paths, file_sha256, file_verdicts, file_provider, file_in_install
FROM runs WHERE file_set IS NOT NULL;
DROP VIEW run_files;
ALTER TABLE runs DROP COLUMN file_paths, DROP COLUMN file_sha256, DROP COLUMN file_verdicts,
  DROP COLUMN file_provider, DROP COLUMN file_in_install;
${RUN_FILES_VIEW_6}
`,
  },
];

export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS koff_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;
export const APPLIED_MIGRATIONS = "SELECT version FROM koff_migrations ORDER BY version";
/**
 * Migrations run under a session advisory lock (this key, "KOFF" in ASCII), so two processes
 * opening the same store (two ingests, an ingest and a summary) migrate it one after the other;
 * the second finds the versions the first applied.
 */
export const MIGRATION_LOCK_KEY = 0x4b4f4646;
export const LOCK_MIGRATIONS = `SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
export const UNLOCK_MIGRATIONS = `SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
export const RECORD_MIGRATION = "INSERT INTO koff_migrations (version, name) VALUES ($1, $2)";

/**
 * Hosts of a batch (one row per host, its latest run): inserted, or updated when this run is the
 * host's newest; `first_seen` only ever moves back.
 */
export const UPSERT_HOSTS = `
INSERT INTO hosts AS h (host_id, id_source, computer_name, domain, os_product, os_build, os_version,
                        last_user, first_seen, last_seen, last_run_id)
SELECT host_id, id_source, computer_name, domain, os_product, os_build, os_version, last_user,
       first_seen, collected_at, run_id
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::text[], $9::timestamptz[], $10::uuid[], $11::timestamptz[])
  AS t (host_id, id_source, computer_name, domain, os_product, os_build, os_version, last_user,
        collected_at, run_id, first_seen)
ON CONFLICT (host_id) DO UPDATE SET
  first_seen = LEAST(h.first_seen, EXCLUDED.first_seen),
  id_source = CASE WHEN EXCLUDED.last_seen >= h.last_seen THEN EXCLUDED.id_source ELSE h.id_source END,
  computer_name = CASE WHEN EXCLUDED.last_seen >= h.last_seen THEN EXCLUDED.computer_name ELSE h.computer_name END,
  domain = CASE WHEN EXCLUDED.last_seen >= h.last_seen THEN EXCLUDED.domain ELSE h.domain END,
  os_product = CASE WHEN EXCLUDED.last_seen >= h.last_seen THEN EXCLUDED.os_product ELSE h.os_product END,
  os_build = CASE WHEN EXCLUDED.last_seen >= h.last_seen THEN EXCLUDED.os_build ELSE h.os_build END,
  os_version = CASE WHEN EXCLUDED.last_seen >= h.last_seen THEN EXCLUDED.os_version ELSE h.os_version END,
  last_user = CASE WHEN EXCLUDED.last_seen >= h.last_seen THEN EXCLUDED.last_user ELSE h.last_user END,
  last_run_id = CASE WHEN EXCLUDED.last_seen >= h.last_seen THEN EXCLUDED.last_run_id ELSE h.last_run_id END,
  last_seen = GREATEST(h.last_seen, EXCLUDED.last_seen)`;

/** Which of the host ids $1 the store already has, with their latest run, locked until the transaction ends. */
export const STORED_HOSTS = `SELECT host_id, last_run_id::text AS last_run_id, last_seen
FROM hosts WHERE host_id = ANY ($1::text[]) ORDER BY host_id FOR UPDATE`;

/** The columns `fleet ingest` loads into `hosts` with COPY (hosts new to the store), in order. */
export const HOSTS_COLUMNS = copyColumns({
  host_id: "text",
  id_source: "text",
  computer_name: "text",
  domain: "text",
  os_product: "text",
  os_build: "text",
  os_version: "text",
  last_user: "text",
  first_seen: "timestamptz",
  last_seen: "timestamptz",
  last_run_id: "uuid",
});

/** Which of the run ids $1 the store already has. */
export const STORED_RUNS = "SELECT run_id::text AS run_id FROM runs WHERE run_id = ANY ($1::uuid[])";

/** The columns `fleet ingest` loads into `runs` with COPY, in order (`ingested_at` defaults to now). */
export const RUNS_COLUMNS = copyColumns({
  run_id: "uuid",
  host_id: "text",
  collected_at: "timestamptz",
  origin: "text",
  mode: "text",
  source: "text",
  tool_version: "text",
  schema_version: "int4",
  status: "text",
  exit_code: "int4",
  connector_version: "text",
  outlook_version: "text",
  outlook_bitness: "text",
  file_set: "bytea",
});

/**
 * File sets (src/fleet/file-sets.ts) a batch's runs refer to: $1 their keys in hex, $2 to $6
 * their arrays in PostgreSQL's text form; a set already stored is left as it is (the same key,
 * the same arrays).
 */
export const INSERT_FILE_SETS = `
INSERT INTO file_sets (set_id, paths, sha256, verdicts, provider, in_install)
SELECT decode(k, 'hex'), p::text[], h::text[], v::text[], pr::boolean[], i::boolean[]
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t (k, p, h, v, pr, i)
ON CONFLICT (set_id) DO NOTHING`;

/** The columns `fleet ingest` loads into `findings` with COPY, in order. */
export const FINDINGS_COLUMNS = copyColumns({
  run_id: "uuid",
  ordinal: "int4",
  check_id: "text",
  severity: "text",
  title: "text",
  message: "text",
  remedy: "text",
  evidence: "jsonb",
});

/**
 * Files by SHA-256: the first report of a hash describes it (the same bytes triage the same);
 * those added are counted in the summary's total of files (`summary_counts`, kind `total`).
 */
export const INSERT_FILES = `
WITH added AS (
  INSERT INTO files (sha256, size, verdict, signature_state, signer, file_version, machine)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
  ON CONFLICT (sha256) DO NOTHING
  RETURNING 1)
INSERT INTO summary_counts AS c (kind, key, n)
SELECT 'total', '["files"]', COUNT(*) FROM added
ON CONFLICT (kind, key) DO UPDATE SET n = c.n + EXCLUDED.n`;

/**
 * Keeps `summary_counts` in step with a batch. $1, $2, $3: counts this process worked out itself
 * (kind, key as JSON text, amount: the new latest runs written by the batch, and the totals of
 * hosts, runs and findings; INSERT_FILES counts files). $4, $5,
 * $6: hosts, runs and ±1 for the rest, worked out here from the stored rows (CONTRIBUTIONS): the
 * latest runs the batch replaced (-1) and new latest runs stored before the batch (+1). Run after
 * the batch's runs, findings and file sightings are written.
 */
export const ADD_SUMMARY_COUNTS = `
WITH sides AS (
  SELECT * FROM unnest($4::text[], $5::uuid[], $6::integer[]) AS t (host_id, run_id, d)),
contributions AS (${CONTRIBUTIONS}
  UNION ALL SELECT * FROM unnest($1::text[], $2::jsonb[], $3::integer[]))
INSERT INTO summary_counts AS c (kind, key, n)
SELECT kind, key, SUM(d) FROM contributions GROUP BY kind, key
ON CONFLICT (kind, key) DO UPDATE SET n = c.n + EXCLUDED.n`;

/**
 * ADD_SUMMARY_COUNTS when no side is left for the database (every host whose latest run changed
 * got it from this batch, and none had one before: a first load): only the counts worked out by
 * this process, $1, $2, $3, without planning the rest.
 */
export const ADD_SUMMARY_COUNTS_OWN = `
INSERT INTO summary_counts AS c (kind, key, n)
SELECT kind, key, SUM(d) FROM unnest($1::text[], $2::jsonb[], $3::integer[]) AS t (kind, key, d)
GROUP BY kind, key
ON CONFLICT (kind, key) DO UPDATE SET n = c.n + EXCLUDED.n`;

/**
 * The summary reads the counts ingest keeps (`summary_counts`, kept by ADD_SUMMARY_COUNTS) over
 * each host's latest run, so its cost follows the number of distinct values, not of hosts.
 * `n > 0`: a count back to zero (a host's newer run no longer shows the value) is left in place.
 */
const COUNTS = (kind: string) => `SELECT key, n FROM summary_counts WHERE kind = '${kind}' AND n > 0`;

/** Finding ids across the fleet, worst first: hosts whose latest run reports each. */
export const SUMMARY_FINDINGS = `
WITH ranks AS (
  SELECT key->>0 AS check_id, MAX((key->>1)::integer) AS rank FROM (${COUNTS("rank")}) r GROUP BY 1)
SELECT c.key->>0 AS check_id, (ARRAY['info','warning','error','critical'])[r.rank] AS severity,
       c.n AS hosts
FROM (${COUNTS("check")}) c JOIN ranks r ON r.check_id = c.key->>0
ORDER BY r.rank DESC, hosts DESC, check_id`;

/** Overall status of each host's latest run: hosts per status. */
export const SUMMARY_STATUS = `
SELECT key->>0 AS status, n AS hosts FROM (${COUNTS("status")}) c ORDER BY hosts DESC, status`;

/** Connector versions (latest run of each host); `null` where KOFF is not installed. */
export const SUMMARY_CONNECTOR_VERSIONS = `
SELECT key->>0 AS version, n AS hosts FROM (${COUNTS("connector")}) c
ORDER BY hosts DESC, version NULLS LAST`;

/** Outlook versions and bitness (latest run of each host). */
export const SUMMARY_OUTLOOK_VERSIONS = `
SELECT key->>0 AS version, key->>1 AS bitness, n AS hosts FROM (${COUNTS("outlook")}) c
ORDER BY hosts DESC, version NULLS LAST, bitness NULLS LAST`;

/**
 * Provider DLL hashes (latest run of each host): how many hosts carry each, where, and its
 * verdict. A hash on one host only, outside the install folder, comes first; then the rarest.
 */
export const SUMMARY_PROVIDER_HASHES = `
WITH outside AS (SELECT key->>0 AS sha256 FROM (${COUNTS("outside")}) o),
paths AS (
  SELECT key->>0 AS sha256, ARRAY_AGG(key->>1 ORDER BY key->>1) AS paths
  FROM (${COUNTS("path")}) p GROUP BY 1)
SELECT h.key->>0 AS sha256, fl.verdict, fl.signature_state, fl.signer, fl.file_version,
       h.n AS hosts, o.sha256 IS NOT NULL AS outside_install,
       (h.n = 1 AND o.sha256 IS NOT NULL) AS single_host_outside, p.paths
FROM (${COUNTS("hash")}) h JOIN files fl ON fl.sha256 = h.key->>0
  JOIN paths p ON p.sha256 = h.key->>0 LEFT JOIN outside o ON o.sha256 = h.key->>0
ORDER BY single_host_outside DESC,
         CASE fl.verdict WHEN 'malicious' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'error' THEN 2 ELSE 3 END,
         hosts, sha256`;

/**
 * Hosts whose last run was collected before $1; `last_seen` as ISO 8601 text in UTC with
 * milliseconds, as ingest wrote it (no time parsed into a Date and written out again per host).
 */
export const SUMMARY_NOT_SEEN_SINCE = `
SELECT host_id, computer_name, last_user,
       to_char(last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_seen
FROM hosts WHERE last_seen < $1::timestamptz ORDER BY hosts.last_seen, host_id`;

/** Fleet totals: every host, run, finding and file stored (ADD_SUMMARY_COUNTS and INSERT_FILES keep them). */
export const SUMMARY_TOTALS = `SELECT ${["hosts", "runs", "findings", "files"]
  .map((t) => `COALESCE((SELECT n FROM summary_counts WHERE kind = 'total' AND key = '["${t}"]'), 0) AS ${t}`)
  .join(", ")}`;
