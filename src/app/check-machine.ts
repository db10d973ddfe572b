/**
 * `check` as a library call: snapshot → facts → catalogue → report. The image's own Windows
 * root stores (ROOT, AuthRoot) join the trust anchors in image mode.
 */
import type { CheckRun } from "../check/run-checks.js";
import { runChecks } from "../check/run-checks.js";
import { gatherFacts } from "../check/gather.js";
import type { MachineFacts } from "../check/facts.js";
import { loadKnowledge } from "../knowledge/index.js";
import type { Snapshot } from "../ports/snapshot.js";
import { readCertificateStores } from "../windows/index.js";
import { createSignatureVerifier, type ReportedPolicy } from "./signature-verifier.js";

export interface CheckOptions {
  trustFiles?: string[];
  at?: Date;
  /** Trust the snapshot's Windows ROOT/AuthRoot stores (default true for image and bundle modes). */
  windowsRoots?: boolean;
  systemRoots?: boolean;
  /** Kerio Connect server address(es), to judge the connections of loading processes (live mode). */
  kerioServers?: string[];
}

export interface CheckReport extends CheckRun {
  facts: MachineFacts;
  policy: ReportedPolicy;
}

/** Windows ROOT/AuthRoot certificates of the snapshot, as trust anchors. */
export async function windowsRootAnchors(
  snapshot: Snapshot,
): Promise<Array<{ der: Uint8Array; source: string }>> {
  const stores = await readCertificateStores(snapshot.registry, { stores: ["ROOT", "AuthRoot"] });
  return stores.certificates.map((c) => ({ der: c.der, source: `windows-${c.store}` }));
}

export async function checkMachine(snapshot: Snapshot, options: CheckOptions = {}): Promise<CheckReport> {
  const extraAnchors = options.windowsRoots === false ? [] : await windowsRootAnchors(snapshot);
  const verifier = await createSignatureVerifier({
    trustFiles: options.trustFiles ?? [],
    at: options.at,
    systemRoots: options.systemRoots,
    extraAnchors,
  });
  const facts = await gatherFacts(snapshot, {
    knowledge: loadKnowledge(),
    verifySignature: verifier.verify,
    kerioServers: options.kerioServers,
  });
  return { ...runChecks(facts), facts, policy: verifier.policy };
}
