/**
 * `fleet summary`: what the fleet store says, over each host's latest run: hosts per status and
 * per finding id (worst first), connector and Outlook versions, provider DLL hashes (how many
 * hosts carry each, where, its verdict; a hash on one host only, outside the install folder,
 * first), and hosts not seen since a date. Rendered as text, JSON or a self-contained HTML page
 * (src/fleet/render.ts). Source: docs/fleet.md ("fleet summary").
 */
import { toolInfo } from "../version.js";
import type { FleetDb } from "./db.js";
import { migrate } from "./ingest.js";
import * as SQL from "./sql.js";

/** The `fleet summary --json` document. */
export interface FleetSummary {
  schemaVersion: 1;
  tool: { name: string; version: string };
  totals: { hosts: number; runs: number; findings: number; files: number };
  statuses: Array<{ status: string; hosts: number }>;
  findings: Array<{ checkId: string; severity: string; hosts: number }>;
  connectorVersions: Array<{ version: string | null; hosts: number }>;
  outlookVersions: Array<{ version: string | null; bitness: string | null; hosts: number }>;
  providerHashes: Array<{
    sha256: string;
    verdict: string;
    signatureState: string | null;
    signer: string | null;
    fileVersion: string | null;
    hosts: number;
    outsideInstall: boolean;
    singleHostOutsideInstall: boolean;
    paths: string[];
  }>;
  /** With `notSeenSince`: hosts whose last run was collected before it. */
  notSeenSince?: {
    since: string;
    hosts: Array<{ hostId: string; computerName: string | null; user: string | null; lastSeen: string }>;
  };
}

/** The summary of the store behind `db` (migrated first, so an empty store answers with zeros). */
export async function fleetSummary(
  db: FleetDb,
  options: { notSeenSince?: Date } = {},
): Promise<FleetSummary> {
  await migrate(db);
  const [totals] = await db.query<FleetSummary["totals"]>(SQL.SUMMARY_TOTALS);
  const findings = await db.query<{ check_id: string; severity: string; hosts: number }>(
    SQL.SUMMARY_FINDINGS,
  );
  const hashes = await db.query<{
    sha256: string;
    verdict: string;
    signature_state: string | null;
    signer: string | null;
    file_version: string | null;
    hosts: number;
    outside_install: boolean;
    single_host_outside: boolean;
    paths: string[];
  }>(SQL.SUMMARY_PROVIDER_HASHES);
  const summary: FleetSummary = {
    schemaVersion: 1,
    tool: toolInfo(),
    totals: totals!,
    statuses: await db.query(SQL.SUMMARY_STATUS),
    findings: findings.map((f) => ({ checkId: f.check_id, severity: f.severity, hosts: f.hosts })),
    connectorVersions: await db.query(SQL.SUMMARY_CONNECTOR_VERSIONS),
    outlookVersions: await db.query(SQL.SUMMARY_OUTLOOK_VERSIONS),
    providerHashes: hashes.map((h) => ({
      sha256: h.sha256,
      verdict: h.verdict,
      signatureState: h.signature_state,
      signer: h.signer,
      fileVersion: h.file_version,
      hosts: h.hosts,
      outsideInstall: h.outside_install,
      singleHostOutsideInstall: h.single_host_outside,
      paths: h.paths,
    })),
  };
  if (options.notSeenSince !== undefined) {
    const rows = await db.query<{
      host_id: string;
      computer_name: string | null;
      last_user: string | null;
      last_seen: string;
    }>(SQL.SUMMARY_NOT_SEEN_SINCE, [options.notSeenSince.toISOString()]);
    summary.notSeenSince = {
      since: options.notSeenSince.toISOString(),
      hosts: rows.map((r) => ({
        hostId: r.host_id,
        computerName: r.computer_name,
        user: r.last_user,
        lastSeen: r.last_seen,
      })),
    };
  }
  return summary;
}
