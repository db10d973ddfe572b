/**
 * Our own signal: anomalies of the certificate table (data after it or inside it beyond the DER,
 * CVE-2013-3900; bad wRevision; misaligned dwLength; table in the headers or past EOF). Windows
 * accepts most of these by default, so the signature may still be valid; triage reports them as
 * at least suspicious (Authenticode conformance issue).
 */
import type { TriageSubject } from "../subject.js";
import type { Indicator } from "../types.js";

export function certificateTableIndicator(s: TriageSubject): Indicator {
  const base = { id: "certificate-table", source: "koff-doctor", row: "Certificate table" } as const;
  const anomalies = s.signature.anomalies;
  if (anomalies.length === 0) {
    const what = s.signature.state === "unsigned" ? "no certificate table" : "certificate table well-formed";
    return { ...base, level: "ok", evidence: what, cell: null };
  }
  return {
    ...base,
    level: "suspicious",
    evidence: anomalies.map((a) => a.message).join("; "),
    cell: "koff-doctor × Suspicious: certificate-table anomaly (CVE-2013-3900 class)",
    details: { anomalies },
  };
}
