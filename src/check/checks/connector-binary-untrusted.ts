import { isUnderWindowsPath } from "../../paths/windows-path.js";
import { defineCheck } from "../finding.js";

/** A binary in the install folder triages suspicious or malicious. */
export default defineCheck({
  id: "connector-binary-untrusted",
  severity: "error",
  title: "A connector binary is not trustworthy",
  remedy: "rule-out-infection",
  run(f) {
    return f.triage
      .filter((t) => t.windowsPath && f.install.folders.some((d) => isUnderWindowsPath(t.windowsPath!, d)))
      .filter((t) => t.verdict === "suspicious" || t.verdict === "malicious")
      .map((t) => ({
        severity: t.verdict === "malicious" ? ("critical" as const) : undefined,
        message: `${t.windowsPath} triages ${t.verdict}: ${t.indicators
          .filter((i) => i.level === t.verdict)
          .map((i) => i.evidence)
          .join("; ")}`,
        evidence: {
          path: t.windowsPath,
          verdict: t.verdict,
          sha256: t.sha256,
          signature: t.signature?.state,
          indicators: t.indicators
            .filter((i) => i.level === "suspicious" || i.level === "malicious")
            .map((i) => i.id),
        },
      }));
  },
});
