/**
 * The state rule, as pure functions: how one signature's findings become its state, and how the
 * signatures of a file become the file's state. docs/authenticode.md ("How a state is reached")
 * documents exactly this order; `test/authenticode/state-rule.test.ts` pins it.
 *
 * Sources: docs/authenticode.md ("How a state is reached": self-signed vs untrusted root,
 * not-yet-valid kept apart, wrong EKU is invalid); WinVerifyTrust and sigcheck (the primary
 * signature decides; https://learn.microsoft.com/en-us/sysinternals/downloads/sigcheck).
 */
import { STATES_BY_SEVERITY, type AuthenticodeState, type TimeEvidence } from "./result.js";

/** What the pipeline found for one signature that was decoded (malformed ones never get here). */
export interface SignatureFindings {
  /** Integrity and policy failures, most important first (any → `invalid`). */
  invalid: readonly string[];
  /** The first chain certificate outside its validity window at `verifiedAt`, if any (index 0 = signer). */
  timeProblem?: { subject: string; index?: number; reason: "expired" | "not-yet-valid" };
  /** Where MD5 carries the signature's evidence (file digest, signer digest, certificate signatures). */
  weakDigest?: readonly string[];
  /** The stamped time of a timestamp discarded because it is later than the verification time. */
  futureTimestamp?: Date;
  verifiedAt: Date;
  verifiedAtSource: TimeEvidence["verifiedAtSource"];
  /** A cryptographically valid timestamp exists. */
  validTimestamp: boolean;
  /** The timestamp `verifiedAt` relies on reaches a trust anchor. */
  timestampTrusted: boolean;
  /** Absent when the signer certificate was not found. */
  chain?: {
    anchorSubject?: string;
    complete: boolean;
    selfSigned: boolean;
    leafSubject: string;
    /** Subject and issuer of the last certificate reached. */
    lastSubject: string;
    lastIssuer: string;
  };
}

/**
 * One signature's state: invalid > expired/not-yet-valid (not-yet-valid with a discarded future
 * timestamp is invalid) > weak-digest > valid > self-signed > untrusted-root.
 * @returns the state and the one-line reason shown to users.
 */
export function decideSignatureState(f: SignatureFindings): { state: AuthenticodeState; reason: string } {
  if (f.invalid.length > 0) return { state: "invalid", reason: f.invalid[0]! };
  const at = f.verifiedAt.toISOString();
  const where = f.timeProblem?.index !== undefined ? `chain[${f.timeProblem.index}] ` : "";
  if (f.timeProblem?.reason === "not-yet-valid" && f.futureTimestamp) {
    return {
      state: "invalid",
      reason: `${where}"${f.timeProblem.subject}" is not yet valid at ${at}; the timestamp ${f.futureTimestamp.toISOString()} that would cover it is later than the verification time and is not evidence`,
    };
  }
  if (f.timeProblem) {
    const source =
      f.verifiedAtSource === "timestamp"
        ? "timestamp time"
        : f.verifiedAtSource === "policy-lifetime-signing"
          ? "verification time; lifetime signing ignores the timestamp"
          : f.validTimestamp
            ? "verification time"
            : "verification time; no valid timestamp";
    return {
      state: f.timeProblem.reason,
      reason: `${where}"${f.timeProblem.subject}" is ${f.timeProblem.reason} at ${at} (${source})`,
    };
  }
  if (f.weakDigest && f.weakDigest.length > 0) {
    return {
      state: "weak-digest",
      reason: `${f.weakDigest.join("; ")}: MD5 is not accepted as evidence of integrity or identity`,
    };
  }
  const chain = f.chain;
  if (chain?.anchorSubject !== undefined && (f.verifiedAtSource !== "timestamp" || f.timestampTrusted)) {
    return {
      state: "valid",
      reason: `integrity verified; chain to trust anchor "${chain.anchorSubject}" valid at ${at}`,
    };
  }
  if (chain?.selfSigned) {
    return {
      state: "self-signed",
      reason: `the signer certificate "${chain.leafSubject}" is self-signed and not a trust anchor`,
    };
  }
  const reason = !chain
    ? "the signer certificate was not found"
    : chain.anchorSubject !== undefined
      ? "the signer chain is anchored but the timestamp it relies on comes from a TSA that is not"
      : chain.complete
        ? `the chain ends at "${chain.lastSubject}", which is not a trust anchor`
        : `the chain is incomplete (no issuer for "${chain.lastIssuer}") and reaches no trust anchor`;
  return { state: "untrusted-root", reason };
}

/**
 * The file's state from its signatures (in file order, nested ones after their parent).
 * - `primary`: the first top-level signature (path without ".") decides;
 * - `all`: the most severe state over every signature decides (ties: the first).
 * @returns `undefined` when there is no top-level signature (the caller decides unsigned/malformed).
 */
export function decideFileState(
  signatures: ReadonlyArray<{ path: string; state: AuthenticodeState }>,
  rule: "primary" | "all",
): { state: AuthenticodeState; decidedBy: string } | undefined {
  const topLevel = signatures.filter((s) => !s.path.includes("."));
  if (topLevel.length === 0) return undefined;
  if (rule === "primary") return { state: topLevel[0]!.state, decidedBy: topLevel[0]!.path };
  let worst = signatures[0]!;
  for (const s of signatures) {
    if (STATES_BY_SEVERITY.indexOf(s.state) < STATES_BY_SEVERITY.indexOf(worst.state)) worst = s;
  }
  return { state: worst.state, decidedBy: worst.path };
}
