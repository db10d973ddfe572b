/**
 * Indicator-table row "Signature": Suspicious = missing or self-signed; Malicious = invalid or expired.
 * Our reading (docs/verdict.md): untrusted root counts as suspicious; not-yet-valid, wrong EKU and a
 * malformed signature count as invalid; an MD5 digest (weak-digest) counts as suspicious: the
 * signature is intact but MD5 proves neither integrity nor identity (docs/verdict.md).
 */
import { seedCell } from "../seed-table.js";
import type { SignatureState } from "../signature-summary.js";
import type { TriageSubject } from "../subject.js";
import type { Indicator, Level } from "../types.js";

const RULES: Record<SignatureState, { level: Exclude<Level, "unknown">; reading?: string; words: string }> = {
  valid: { level: "ok", words: "valid Authenticode signature" },
  unsigned: { level: "suspicious", reading: "missing", words: "no Authenticode signature" },
  "self-signed": {
    level: "suspicious",
    reading: "self-signed",
    words: "signed with a self-signed certificate",
  },
  "untrusted-root": {
    level: "suspicious",
    reading: "chain ends at a root that is not trusted",
    words: "signature intact but its root is not trusted",
  },
  expired: {
    level: "malicious",
    reading: "expired",
    words: "signing certificate expired and no valid timestamp",
  },
  "not-yet-valid": {
    level: "malicious",
    reading: "not-yet-valid counts as invalid",
    words: "signing certificate not yet valid",
  },
  "weak-digest": {
    level: "suspicious",
    reading: "MD5 digest is no evidence",
    words: "signature relies on the weak MD5 digest",
  },
  invalid: { level: "malicious", reading: "invalid", words: "signature does not verify" },
  malformed: {
    level: "malicious",
    reading: "malformed signature counts as invalid",
    words: "signature data is malformed",
  },
};

export function signatureIndicator(s: TriageSubject): Indicator {
  const sig = s.signature;
  const rule = RULES[sig.state];
  const who = sig.signer ? `; signer ${sig.signer}` : "";
  const why = sig.reason && rule.level !== "ok" ? `: ${sig.reason}` : "";
  const ts = sig.timestamp ? `; timestamped ${sig.timestamp.time}` : "";
  return {
    id: "signature",
    source: "seed",
    row: "Signature",
    level: rule.level,
    evidence: `${rule.words}${why}${who}${ts}`,
    cell: rule.level === "ok" ? null : seedCell("Signature", rule.level, rule.reading),
    details: { state: sig.state, digestAlgorithm: sig.digestAlgorithm, signer: sig.signer },
  };
}
