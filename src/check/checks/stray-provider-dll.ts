import { windowsPathKey } from "../../paths/windows-path.js";
import type { SignatureState, TriageRecord, Verdict } from "../../triage/index.js";
import { defineCheck } from "../finding.js";

/** Evidence of `stray-provider-dll`: one provider DLL outside the install folders. */
export interface StrayProviderDllEvidence {
  /** The DLL (Windows path). */
  path: string;
  /** Where it sits, e.g. `"Downloads"`. */
  location: string;
  /** Its size in bytes. */
  size: number;
  /** Its SHA-256; absent when it was not triaged. */
  sha256?: string;
  /** Its triage verdict, or `"not triaged"`. */
  verdict: Verdict | "not triaged";
  /** Its signature state; absent when not triaged or not verified. */
  signature?: SignatureState;
}

/** The evidence of the indicators at the record's verdict level, e.g. ": writes into another process…". */
function why(t: TriageRecord | undefined): string {
  const fired = t?.indicators.filter((i) => i.level === t.verdict) ?? [];
  return fired.length > 0 ? `: ${fired.map((i) => i.evidence).join("; ")}` : "";
}

/** A kofmsp*.dll outside the vendor install folders (Roaming, Temp, Downloads, …). */
export default defineCheck<StrayProviderDllEvidence>({
  id: "stray-provider-dll",
  severity: "warning",
  title: "A copy of the provider DLL sits outside the install folder",
  remedy: "rule-out-infection",
  needs: ["strays", "triage"],
  run(f) {
    const byPath = new Map(
      f.triage.filter((t) => t.windowsPath).map((t) => [windowsPathKey(t.windowsPath!), t]),
    );
    return f.strays.map((s) => {
      const t = byPath.get(windowsPathKey(s.path));
      const verdict = t?.verdict ?? "not triaged";
      return {
        severity: t?.verdict === "malicious" ? ("critical" as const) : undefined,
        message: `${s.path} (${s.location}) triages ${verdict}${why(t)}`,
        evidence: {
          path: s.path,
          location: s.location,
          size: s.size,
          sha256: t?.sha256,
          verdict,
          signature: t?.signature?.state,
        } satisfies StrayProviderDllEvidence,
      };
    });
  },
});
