/**
 * Bundle member `snapshot/pe-facts.json` (redacted bundles): what a bundle carries instead of the
 * bytes of a PE file that holds a redacted value — hashes, imports, and a triage record made
 * on the real bytes.
 *
 * Source: docs/bundle.md ("Binaries are never edited").
 */
import { windowsRootAnchors, type CheckReport } from "../../app/check-machine.js";
import { createSignatureVerifier } from "../../app/signature-verifier.js";
import { loadKnowledge, type ConnectorKnowledge } from "../../knowledge/index.js";
import { windowsPathKey } from "../../paths/windows-path.js";
import type { CarriedPeFacts } from "../../ports/file-system.js";
import type { Snapshot } from "../../ports/snapshot.js";
import type { SignatureVerifier } from "../../triage/index.js";
import { MEMBER } from "../layout.js";
import { jsonRecord, peFactsOf, type PeFactsDoc } from "../pe-facts.js";
import type { Redactor } from "../redaction.js";
import { triageCarriedFile } from "../triage-bundle.js";
import { jsonBytes, type BundleMembers } from "./bundle-members.js";
import type { WithheldFile } from "./redact-recording.js";

/** How the embedded check verified signatures; a PE it did not triage is verified the same way. */
export interface TriageSettings {
  /** Signature verification time (default now). */
  at?: Date;
  /** Extra trust anchors (PEM/DER files). */
  trustFiles?: string[];
}

/** Triage options for a withheld PE `check` did not triage: the knowledge plus the install folders found. */
async function siblingTriageOptions(
  source: Snapshot,
  report: CheckReport,
  settings: TriageSettings,
): Promise<{ knowledge: ConnectorKnowledge; verifySignature: SignatureVerifier }> {
  const k = loadKnowledge();
  const verifier = await createSignatureVerifier({
    trustFiles: settings.trustFiles ?? [],
    at: settings.at,
    extraAnchors: await windowsRootAnchors(source),
  });
  return {
    knowledge: {
      ...k,
      installFolders: [...new Set([...k.installFolders, ...report.facts.install.folders])],
    },
    verifySignature: verifier.verify,
  };
}

/**
 * The facts carried for each withheld PE file, sorted by redacted path: hashes, imports, and
 * the triage record `check` made of it, or, for a PE `check` did not triage (a sibling EXE),
 * one made now the way `triage --bundle` would, reading `source.fs` for the EXEs next to it as
 * possible loaders (and, once, `source.registry` for the ROOT and AuthRoot certificate stores the
 * verifier trusts). Records are redacted as text.
 */
async function withheldPeFacts(
  source: Snapshot,
  report: CheckReport,
  withheld: ReadonlyMap<string, WithheldFile>,
  r: Redactor,
  settings: TriageSettings,
): Promise<PeFactsDoc> {
  const byPath = new Map(
    report.facts.triage.map((t) => [windowsPathKey(r.redactText(t.windowsPath ?? t.path)), t]),
  );
  let triageOptions: { knowledge: ConnectorKnowledge; verifySignature: SignatureVerifier } | undefined;
  const files: CarriedPeFacts[] = [];
  for (const [path, { real, bytes }] of [...withheld].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let record = byPath.get(windowsPathKey(path));
    if (record === undefined) {
      triageOptions ??= await siblingTriageOptions(source, report, settings);
      record = await triageCarriedFile(source.fs, real, bytes, triageOptions);
    }
    files.push({ path, ...peFactsOf(bytes), triage: r.redactJson(jsonRecord(record)) });
  }
  return { version: 1, files };
}

/**
 * Writes `snapshot/pe-facts.json` when redaction withheld a PE file; nothing otherwise (nor
 * without a redactor). Reads `source.fs` and `source.registry` only for a withheld PE
 * `check` did not triage.
 */
export async function writePeFactsMember(
  out: BundleMembers,
  source: Snapshot,
  report: CheckReport,
  withheld: ReadonlyMap<string, WithheldFile>,
  settings: TriageSettings,
): Promise<void> {
  const r = out.redactor;
  if (r === undefined || withheld.size === 0) return;
  out.put(MEMBER.peFacts, jsonBytes(await withheldPeFacts(source, report, withheld, r, settings)));
}
