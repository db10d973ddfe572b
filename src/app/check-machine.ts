/**
 * `check` as a library call: snapshot → facts → catalogue → report. The image's own Windows
 * root stores (ROOT, AuthRoot) join the trust anchors in image mode.
 */
import { randomUUID } from "node:crypto";
import type { CheckReport } from "../report/report-types.js";
import { runChecks } from "../check/run-checks.js";
import { gatherFacts } from "../check/gather.js";
import { loadKnowledge } from "../knowledge/index.js";
import type { Snapshot } from "../ports/snapshot.js";
import { readCertificateStores } from "../windows/index.js";
import { createSignatureVerifier } from "./signature-verifier.js";

export interface CheckOptions {
  trustFiles?: string[];
  at?: Date;
  /** Trust the snapshot's Windows ROOT/AuthRoot stores (default true for image and bundle modes). */
  windowsRoots?: boolean;
  systemRoots?: boolean;
  /** Kerio Connect server address(es), to judge the connections of loading processes (live mode). */
  kerioServers?: string[];
  /** Read only the event-log records created at or after this instant (`check --since`). */
  eventsSince?: Date;
  /** The run id to report (default: the snapshot's provenance, else a new random UUID). */
  runId?: string;
  /** The collection time to report (default: the snapshot's provenance, else the start of this call). */
  collectedAt?: Date;
}

/** `snapshot` whose event-log queries read only records created at or after `since`. */
function withEventsSince(snapshot: Snapshot, since: Date | undefined): Snapshot {
  const port = snapshot.eventLog;
  if (since === undefined || port === undefined) return snapshot;
  return { ...snapshot, eventLog: { query: (log, query) => port.query(log, { ...query, since }) } };
}

/** One check run (src/report/report-types.ts). */
export type { CheckReport };

/** Windows ROOT/AuthRoot certificates of the snapshot, as trust anchors. */
export async function windowsRootAnchors(
  snapshot: Snapshot,
): Promise<Array<{ der: Uint8Array; source: string }>> {
  const stores = await readCertificateStores(snapshot.registry, { stores: ["ROOT", "AuthRoot"] });
  return stores.certificates.map((c) => ({ der: c.der, source: `windows-${c.store}` }));
}

/**
 * Diagnoses KOFF on the machine behind `snapshot`: gathers the facts (install, Office, profiles,
 * MAPISVC.INF, caches, Defender, triage of every connector binary and provider DLL found), runs
 * the check catalogue over them (docs/checks/), and reports.
 *
 * @param snapshot - the machine as ports: a mounted image, a replayed bundle, or live Windows.
 * @param options - trust files and verification time for the embedded triage; whether the
 *   snapshot's own Windows ROOT/AuthRoot stores are trusted (default yes); Kerio server addresses;
 *   the earliest event-log record read (`eventsSince`).
 * @returns the `runId` and `collectedAt` of the collection, `findings` sorted by severity (critical first), `notRun` for checks whose facts this
 *   mode cannot see, the `facts` (the `check --json` document's `facts` and `triage`), and the
 *   signature `policy` used. Never reports a check it could not run as passing.
 * @throws InputFileError when a trust file is not a readable regular file; AuthenticodeError
 *   `bad-trust-file` when it holds no certificate. Failures of the snapshot's ports propagate
 *   (e.g. RegistryError for a system hive that is not a readable hive); a user's damaged
 *   NTUSER.DAT is reported in `facts.damagedUserHives` instead.
 */
export async function checkMachine(snapshot: Snapshot, options: CheckOptions = {}): Promise<CheckReport> {
  const collectedAt = options.collectedAt ?? snapshot.provenance?.collectedAt ?? new Date();
  const runId = options.runId ?? snapshot.provenance?.runId ?? randomUUID();
  const extraAnchors = options.windowsRoots === false ? [] : await windowsRootAnchors(snapshot);
  const verifier = await createSignatureVerifier({
    trustFiles: options.trustFiles ?? [],
    at: options.at,
    systemRoots: options.systemRoots,
    extraAnchors,
  });
  const facts = await gatherFacts(withEventsSince(snapshot, options.eventsSince), {
    knowledge: loadKnowledge(),
    verifySignature: verifier.verify,
    kerioServers: options.kerioServers,
  });
  return {
    ...runChecks(facts),
    facts,
    policy: verifier.policy,
    runId,
    collectedAt: collectedAt.toISOString(),
  };
}
