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
];

export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS koff_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;
export const APPLIED_MIGRATIONS = "SELECT version FROM koff_migrations ORDER BY version";
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

/** Which of the host ids $1 the store already has. */
export const STORED_HOSTS = "SELECT host_id FROM hosts WHERE host_id = ANY ($1::text[])";

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
});

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

/** Files by SHA-256: the first report of a hash describes it (the same bytes triage the same). */
export const INSERT_FILES = `
INSERT INTO files (sha256, size, verdict, signature_state, signer, file_version, machine)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
ON CONFLICT (sha256) DO NOTHING`;

/** The columns `fleet ingest` loads into `run_files` with COPY, in order. */
export const RUN_FILES_COLUMNS = copyColumns({
  run_id: "uuid",
  path: "text",
  sha256: "text",
  verdict: "text",
  provider: "bool",
  in_install: "bool",
});

/**
 * Refreshes the planner's statistics of the fleet tables after an ingest, for the columns the
 * summary joins, filters and groups on. Statistics of the long text and `jsonb` columns (titles,
 * messages, evidence) steer no summary plan and were 80% of an ANALYZE of every column
 * (docs/fleet.md "Bench"); autovacuum's own ANALYZE covers them later.
 */
export const ANALYZE_TABLES = `ANALYZE hosts (host_id, last_run_id, last_seen),
  runs (run_id, host_id, status, connector_version, outlook_version, outlook_bitness),
  findings (run_id, check_id, severity), files (sha256, verdict),
  run_files (run_id, sha256, provider, in_install, path)`;

/** Each host's latest run: what the summary counts. */
const LATEST = "SELECT last_run_id AS run_id, host_id FROM hosts";

/** Finding ids across the fleet, worst first: hosts whose latest run reports each. */
export const SUMMARY_FINDINGS = `
WITH latest AS (${LATEST})
SELECT f.check_id,
       (ARRAY['info','warning','error','critical'])[MAX(CASE f.severity WHEN 'info' THEN 1
         WHEN 'warning' THEN 2 WHEN 'error' THEN 3 WHEN 'critical' THEN 4 END)] AS severity,
       COUNT(DISTINCT l.host_id)::integer AS hosts
FROM latest l JOIN findings f ON f.run_id = l.run_id
GROUP BY f.check_id
ORDER BY MAX(CASE f.severity WHEN 'info' THEN 1 WHEN 'warning' THEN 2 WHEN 'error' THEN 3
         WHEN 'critical' THEN 4 END) DESC, hosts DESC, f.check_id`;

/** Overall status of each host's latest run: hosts per status. */
export const SUMMARY_STATUS = `
WITH latest AS (${LATEST})
SELECT r.status, COUNT(*)::integer AS hosts
FROM latest l JOIN runs r ON r.run_id = l.run_id
GROUP BY r.status ORDER BY hosts DESC, r.status`;

/** Connector versions (latest run of each host); `null` where KOFF is not installed. */
export const SUMMARY_CONNECTOR_VERSIONS = `
WITH latest AS (${LATEST})
SELECT r.connector_version AS version, COUNT(*)::integer AS hosts
FROM latest l JOIN runs r ON r.run_id = l.run_id
GROUP BY r.connector_version ORDER BY hosts DESC, r.connector_version NULLS LAST`;

/** Outlook versions and bitness (latest run of each host). */
export const SUMMARY_OUTLOOK_VERSIONS = `
WITH latest AS (${LATEST})
SELECT r.outlook_version AS version, r.outlook_bitness AS bitness, COUNT(*)::integer AS hosts
FROM latest l JOIN runs r ON r.run_id = l.run_id
GROUP BY r.outlook_version, r.outlook_bitness
ORDER BY hosts DESC, r.outlook_version NULLS LAST, r.outlook_bitness NULLS LAST`;

/**
 * Provider DLL hashes (latest run of each host): how many hosts carry each, where, and its
 * verdict. A hash on one host only, outside the install folder, comes first; then the rarest.
 */
export const SUMMARY_PROVIDER_HASHES = `
WITH latest AS (${LATEST})
SELECT rf.sha256, fl.verdict, fl.signature_state, fl.signer, fl.file_version,
       COUNT(DISTINCT l.host_id)::integer AS hosts,
       BOOL_OR(NOT rf.in_install) AS outside_install,
       (COUNT(DISTINCT l.host_id) = 1 AND BOOL_OR(NOT rf.in_install)) AS single_host_outside,
       ARRAY_AGG(DISTINCT rf.path ORDER BY rf.path) AS paths
FROM latest l JOIN run_files rf ON rf.run_id = l.run_id JOIN files fl ON fl.sha256 = rf.sha256
WHERE rf.provider
GROUP BY rf.sha256, fl.verdict, fl.signature_state, fl.signer, fl.file_version
ORDER BY single_host_outside DESC,
         CASE fl.verdict WHEN 'malicious' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'error' THEN 2 ELSE 3 END,
         hosts, rf.sha256`;

/** Hosts whose last run was collected before $1. */
export const SUMMARY_NOT_SEEN_SINCE = `
SELECT host_id, computer_name, last_user, last_seen
FROM hosts WHERE last_seen < $1::timestamptz ORDER BY last_seen, host_id`;

/** Fleet totals. */
export const SUMMARY_TOTALS = `
SELECT (SELECT COUNT(*) FROM hosts)::integer AS hosts, (SELECT COUNT(*) FROM runs)::integer AS runs,
       (SELECT COUNT(*) FROM findings)::integer AS findings, (SELECT COUNT(*) FROM files)::integer AS files`;
