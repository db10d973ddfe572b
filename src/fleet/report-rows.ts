/**
 * A host report (`check --json`, schema version 2, already validated against
 * schemas/check.schema.json) as the rows of the fleet store: one host, one run, its findings,
 * and the files it triaged (keyed by SHA-256, each with where this run saw it and whether that is
 * inside the connector's install folders). Pure: no database, no file. Layout: docs/fleet.md
 * "The store".
 */
import type { CheckJsonDocument } from "../report/check-json.js";
import { isUnderWindowsPath, windowsBasename } from "../paths/windows-path.js";
import { loadKnowledge } from "../knowledge/index.js";

/** The rows one host report becomes. */
export interface ReportRows {
  host: {
    hostId: string;
    idSource: string;
    computerName: string | null;
    domain: string | null;
    osProduct: string | null;
    osBuild: string | null;
    osVersion: string | null;
    user: string | null;
  };
  run: {
    runId: string;
    collectedAt: string;
    /** The file or bundle it came from. */
    origin: string;
    mode: string;
    source: string;
    toolVersion: string;
    schemaVersion: number;
    status: string;
    exitCode: number;
    connectorVersion: string | null;
    outlookVersion: string | null;
    outlookBitness: string | null;
  };
  findings: Array<{
    ordinal: number;
    checkId: string;
    severity: string;
    title: string;
    message: string;
    remedy: string | null;
    /** JSON text. */
    evidence: string;
  }>;
  files: Array<{
    path: string;
    sha256: string;
    size: number;
    verdict: string;
    signatureState: string | null;
    signer: string | null;
    fileVersion: string | null;
    machine: string | null;
    /** A MAPI provider DLL (`kofmsp*.dll`) by name. */
    provider: boolean;
    inInstall: boolean;
  }>;
}

const PROVIDER_NAMES = new Set(loadKnowledge().providerDllNames.map((n) => n.toLowerCase()));

/** The connector version: the Uninstall entry's, else the provider DLL's file version. */
function connectorVersion(doc: CheckJsonDocument): string | null {
  const entry = doc.facts.install.uninstallEntries.find((e) => e.displayVersion !== undefined);
  return (
    entry?.displayVersion ?? doc.facts.install.providerDlls.find((d) => d.fileVersion)?.fileVersion ?? null
  );
}

/** The rows of `doc`, read from `origin` (a file or bundle path, for the record). */
export function reportRows(doc: CheckJsonDocument, origin: string): ReportRows {
  const h = doc.host;
  const folders = doc.facts.install.folders;
  const seen = new Set<string>();
  const files: ReportRows["files"] = [];
  for (const t of doc.triage) {
    const where = t.windowsPath ?? t.path;
    // One row per path; a file that could not be read has no trustworthy hash to key it by.
    if (seen.has(where.toLowerCase()) || t.verdict === "error") continue;
    seen.add(where.toLowerCase());
    files.push({
      path: where,
      sha256: t.sha256,
      size: t.size,
      verdict: t.verdict,
      signatureState: t.signature?.state ?? null,
      signer: t.signature?.signer ?? null,
      fileVersion: t.pe?.versionInfo?.fileVersion ?? null,
      machine: t.pe?.machine ?? null,
      provider: PROVIDER_NAMES.has(windowsBasename(where).toLowerCase()),
      inInstall: folders.some((f) => isUnderWindowsPath(where, f)),
    });
  }
  return {
    host: {
      hostId: h.id,
      idSource: h.idSource,
      computerName: h.computerName ?? null,
      domain: h.domain ?? null,
      osProduct: h.osProduct ?? null,
      osBuild: h.osBuild ?? null,
      osVersion: h.osVersion ?? null,
      user: h.user ?? null,
    },
    run: {
      runId: doc.runId,
      collectedAt: doc.collectedAt,
      origin,
      mode: doc.mode,
      source: doc.source,
      toolVersion: doc.tool.version,
      schemaVersion: doc.schemaVersion,
      status: doc.summary.status,
      exitCode: doc.summary.exitCode,
      connectorVersion: connectorVersion(doc),
      outlookVersion: doc.facts.office.version ?? null,
      outlookBitness: doc.facts.office.bitness ?? null,
    },
    findings: doc.findings.map((f, ordinal) => ({
      ordinal,
      checkId: f.id,
      severity: f.severity,
      title: f.title,
      message: f.message,
      remedy: f.remedy,
      evidence: JSON.stringify(f.evidence),
    })),
    files,
  };
}
