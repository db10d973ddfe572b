/**
 * Microsoft Defender detected a threat in a provider DLL or a Kerio folder (Defender Operational
 * 1116) or acted on it (1117, e.g. quarantine): which also explains a provider DLL that has
 * "disappeared" from the install folder.
 *
 * Source: Microsoft, "Review event logs and error codes to troubleshoot issues with Microsoft
 * Defender Antivirus" (https://learn.microsoft.com/en-us/defender-endpoint/troubleshoot-microsoft-defender-antivirus);
 * docs/checks/av-detected-provider.md.
 */
import { windowsBasename } from "../../paths/windows-path.js";
import type { EventFact } from "../facts.js";
import { defineCheck } from "../finding.js";

/** Evidence of `av-detected-provider`: the Defender events and what they explain. */
export interface AvDetectedProviderEvidence {
  /** How many Defender detections and actions name the connector (of the records read). */
  count: number;
  /** The files named (`Path`), without Defender's `file:_` prefix. */
  paths: string[];
  /** Threat names reported. */
  threats: string[];
  /** Actions taken (`Quarantine`, `Remove`, …). */
  actions: string[];
  /** Named provider DLLs that are no longer in the install folder: the detection explains them. */
  explainsMissing: string[];
  /** The first ten events, latest first. */
  events: EventFact[];
}

const distinct = (xs: Array<string | undefined>) => [...new Set(xs.filter((x): x is string => !!x))];

/** Defender 1116/1117 on a kofmsp*.dll or in a Kerio folder. */
export default defineCheck<AvDetectedProviderEvidence>({
  id: "av-detected-provider",
  severity: "error",
  title: "Microsoft Defender detected or quarantined a connector file",
  remedy: "rule-out-infection",
  needs: ["events", "install"],
  run(f) {
    const hits = (f.events ?? []).filter((e) => e.kind === "av-detected" || e.kind === "av-action");
    if (hits.length === 0) return [];
    const paths = distinct(
      hits.flatMap((e) => (e.data["Path"] ?? "").split(";")).map((p) => p.replace(/^file:_/, "").trim()),
    );
    const present = new Set(f.install.providerDlls.map((d) => d.path.toLowerCase()));
    const explainsMissing = paths.filter(
      (p) => /^kofmsp\w*\.dll$/i.test(windowsBasename(p)) && !present.has(p.toLowerCase()),
    );
    const actions = distinct(hits.map((e) => (e.id === 1117 ? e.data["Action Name"] : undefined)));
    const missing =
      explainsMissing.length > 0 ? `; it explains the missing ${explainsMissing.join(", ")}` : "";
    return [
      {
        message: `${hits[0]!.summary} (latest at ${hits[0]!.time})${missing}`,
        evidence: {
          count: hits.length,
          paths,
          threats: distinct(hits.map((e) => e.data["Threat Name"])),
          actions,
          explainsMissing,
          events: hits.slice(0, 10),
        } satisfies AvDetectedProviderEvidence,
      },
    ];
  },
});
