/**
 * `triage --sarif`: SARIF 2.1.0 (OASIS), one run, one rule per indicator id, one result per
 * indicator that fired (suspicious → warning, malicious → error) and per unreadable file.
 * Code-scanning dashboards ingest this as they ingest any analyzer's output.
 *
 * Source: OASIS "Static Analysis Results Interchange Format (SARIF) Version 2.1.0".
 */
import { pathToFileURL } from "node:url";
import type { IndicatorId, TriageRecord } from "../../triage/index.js";
import { toolInfo } from "../../version.js";

const RULES: Record<IndicatorId | "unreadable", string> = {
  signature:
    "Authenticode signature is missing, self-signed, untrusted, expired or invalid (seed row Signature).",
  location: "File sits outside the vendor's install folders (seed row Location).",
  "file-size": "File size below 100 KiB or above 5 MiB (seed row File size).",
  packing: "File looks packed (seed row File size, '(packed)').",
  "executable-behavior": "EXE posing as a DLL, or injection/execution/download imports (seed row File size).",
  "dynamic-imports":
    "Imports GetProcAddress and carries injection/execution/download API names (koff-doctor).",
  process: "Loaded by an unexpected process or a script runner (seed row Process loading it).",
  "cpu-network": "High CPU or connections beyond the Kerio server (seed row High CPU / network).",
  "provider-exports":
    "Named like the MAPI provider but lacks its entry points, or forwards them (koff-doctor).",
  identity: "Version resource, file name and signer disagree (koff-doctor).",
  "certificate-table": "Certificate-table anomaly, CVE-2013-3900 class (koff-doctor).",
  unreadable: "The file could not be read or is not a PE image.",
};

export function renderTriageSarif(records: TriageRecord[]): string {
  const ruleIds = Object.keys(RULES) as Array<keyof typeof RULES>;
  const results = records.flatMap((r) => {
    const location = { physicalLocation: { artifactLocation: { uri: pathToFileURL(r.path).href } } };
    if (r.verdict === "error") {
      return [
        {
          ruleId: "unreadable",
          ruleIndex: ruleIds.indexOf("unreadable"),
          level: "note",
          message: { text: `${r.error?.code}: ${r.error?.message}` },
          locations: [location],
        },
      ];
    }
    return r.indicators
      .filter((i) => i.level === "suspicious" || i.level === "malicious")
      .map((i) => ({
        ruleId: i.id,
        ruleIndex: ruleIds.indexOf(i.id),
        level: i.level === "malicious" ? "error" : "warning",
        message: { text: `${i.evidence}${i.cell ? ` [${i.cell}]` : ""}` },
        locations: [location],
        properties: { verdict: r.verdict, sha256: r.sha256 },
      }));
  });
  const tool = toolInfo();
  const doc = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: RULES[id] } })),
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
