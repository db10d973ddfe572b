import { loadKnowledge } from "../../knowledge/index.js";
import { isUnderWindowsPath, windowsBasename } from "../../paths/windows-path.js";
import type { IndicatorId, SignatureState, TriageRecord, Verdict } from "../../triage/index.js";
import { defineCheck } from "../finding.js";

/** Evidence of `connector-binary-untrusted`: one install-folder binary that triages badly. */
export interface ConnectorBinaryUntrustedEvidence {
  /** The binary (Windows path). */
  path: string;
  /** Its triage verdict: `"suspicious"` or `"malicious"`. */
  verdict: Verdict;
  sha256: string;
  /** Its signature state; absent when it was not verified. */
  signature?: SignatureState;
  /** Whether it presents itself as Kerio's (provider name, Kerio CompanyName or signer). */
  kerios: boolean;
  /** Ids of the suspicious and malicious indicators that fired. */
  indicators: IndicatorId[];
}

/**
 * True when a binary presents itself as Kerio's: the provider's name, a Kerio CompanyName or a
 * Kerio signer. The seed's table is about the connector's own files; third-party files KOFF ships
 * (Firebird's fbclient.dll, runtimes) are often unsigned and small, so for them only a malicious
 * indicator (executable behaviour, a broken signature) counts.
 */
function isKerios(t: TriageRecord): boolean {
  const k = loadKnowledge();
  const company = t.pe?.versionInfo?.strings["CompanyName"] ?? "";
  const signer = t.signature?.signer ?? "";
  return (
    k.providerDllNames.includes(windowsBasename(t.windowsPath ?? t.path).toLowerCase()) ||
    k.companyNamePatterns.some((re) => re.test(company)) ||
    k.signerPatterns.some((re) => re.test(signer))
  );
}

/** A binary in the install folder triages suspicious or malicious (third-party files: malicious only). */
export default defineCheck<ConnectorBinaryUntrustedEvidence>({
  id: "connector-binary-untrusted",
  severity: "error",
  title: "A connector binary is not trustworthy",
  remedy: "rule-out-infection",
  needs: ["triage", "install"],
  run(f) {
    return f.triage
      .filter((t) => t.windowsPath && f.install.folders.some((d) => isUnderWindowsPath(t.windowsPath!, d)))
      .filter((t) => t.verdict === "malicious" || (t.verdict === "suspicious" && isKerios(t)))
      .map((t) => ({
        severity: t.verdict === "malicious" ? ("critical" as const) : undefined,
        message: `${t.windowsPath} triages ${t.verdict}: ${t.indicators
          .filter((i) => i.level === t.verdict)
          .map((i) => i.evidence)
          .join("; ")}`,
        evidence: {
          path: t.windowsPath!,
          verdict: t.verdict,
          sha256: t.sha256,
          signature: t.signature?.state,
          kerios: isKerios(t),
          indicators: t.indicators
            .filter((i) => i.level === "suspicious" || i.level === "malicious")
            .map((i) => i.id),
        } satisfies ConnectorBinaryUntrustedEvidence,
      }));
  },
});
