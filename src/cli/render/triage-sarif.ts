/**
 * `triage --sarif`: SARIF 2.1.0, one run. Each file whose verdict is suspicious or malicious is
 * a result of its own (rule `file-suspicious` / `file-malicious`); each indicator that fired is a
 * result of its indicator's rule; an unreadable file is an `unreadable` result. Every result
 * points at the file relative to `%SRCROOT%` (or, from a bundle, relative to the Windows drive)
 * and carries the file's Windows path as a logical location. Clean files are results of no rule
 * and are listed as artifacts with their SHA-256, so the log still says what was looked at.
 *
 * Sources: OASIS SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html);
 * GitHub "SARIF support for code scanning"
 * (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning);
 * docs/verdict.md for what each indicator measures.
 */
import type { IndicatorId, TriageRecord } from "../../triage/index.js";
import {
  fingerprint,
  hostArtifact,
  logicalLocation,
  physicalLocation,
  sarifLog,
  windowsArtifact,
  type ArtifactLocation,
  type RuleText,
} from "./sarif-log.js";

const ATTACK_SIDE_LOADING = "https://attack.mitre.org/techniques/T1574/001/";
const PE_FORMAT = "https://learn.microsoft.com/en-us/windows/win32/debug/pe-format";

const VERDICT_HELP =
  "The message lists the indicators that fired; run `koff-doctor explain ID` for each of them, and `koff-doctor explain rule-out-infection` for what to do.";

type TriageRuleId = IndicatorId | "file-malicious" | "file-suspicious" | "unreadable";

/** A rule that can reach `malicious` is high (8.0); a suspicious-only signal is medium (5.0). */
function indicatorRule(
  id: IndicatorId,
  short: string,
  full: string,
  reaches: "malicious" | "suspicious",
  helpUri: string,
): RuleText & { id: IndicatorId } {
  const high = reaches === "malicious";
  return {
    id,
    short,
    full,
    helpUri,
    securitySeverity: high ? 8.0 : 5.0,
    tags: ["security", "triage", "indicator"],
    level: high ? "error" : "warning",
  };
}

/** Every triage rule, in the order the log lists them. */
export const TRIAGE_RULES: readonly RuleText[] = [
  {
    id: "file-malicious",
    short: "The file triages malicious",
    full: "At least one indicator of the file is malicious: an invalid or expired signature, a provider-named DLL outside the install folders in a load position, injection, execution or download imports, or a script runner loading it.",
    helpUri: ATTACK_SIDE_LOADING,
    securitySeverity: 9.5,
    tags: ["security", "triage", "verdict"],
    level: "error",
    furtherHelp: VERDICT_HELP,
  },
  {
    id: "file-suspicious",
    short: "The file triages suspicious",
    full: "At least one indicator of the file is suspicious and none is malicious: for example unsigned, outside the install folders, packed, or an unexpected size.",
    helpUri: ATTACK_SIDE_LOADING,
    securitySeverity: 6.0,
    tags: ["security", "triage", "verdict"],
    level: "warning",
    furtherHelp: VERDICT_HELP,
  },
  indicatorRule(
    "signature",
    "Authenticode signature missing, untrusted or invalid",
    "Suspicious when the file is unsigned, self-signed, chains to an untrusted root or uses an MD5 digest; malicious when the signature is invalid, expired, not yet valid, has the wrong EKU or is malformed.",
    "malicious",
    "https://learn.microsoft.com/en-us/windows-hardware/drivers/install/authenticode",
  ),
  indicatorRule(
    "location",
    "File outside the vendor's install folders",
    "Suspicious when the file sits outside the connector's and Kerio's install folders (Temp, Downloads, Roaming); malicious when it is also in a load position: registered in MAPISVC.INF or an Outlook profile, loaded by a process, or beside a program that imports it.",
    "malicious",
    ATTACK_SIDE_LOADING,
  ),
  indicatorRule(
    "file-size",
    "File size outside 100 KiB to 5 MiB",
    "Suspicious when the file is smaller than 100 KiB or larger than 5 MiB; the genuine provider DLL is neither.",
    "suspicious",
    PE_FORMAT,
  ),
  indicatorRule(
    "packing",
    "File looks packed",
    "Suspicious on one strong packing signal (entry point outside executable code, a writable and executable section, high-entropy code over half the image) or on two weak ones (packer section names, UPX magic, a loader-stub import table, high-entropy sections).",
    "suspicious",
    PE_FORMAT,
  ),
  indicatorRule(
    "executable-behavior",
    "Executable behaviour in a DLL",
    "Malicious when an EXE is named .dll, or the imports inject into another process (WriteProcessMemory with CreateRemoteThread, an APC or a thread context), run a command line (WinExec) or download a URL to a file (URLDownloadToFile).",
    "malicious",
    "https://attack.mitre.org/techniques/T1055/",
  ),
  indicatorRule(
    "dynamic-imports",
    "Resolves injection, execution or download APIs at run time",
    "Suspicious when the file imports GetProcAddress (or LdrGetProcedureAddress) and carries the names of injection, execution or download APIs as ASCII or UTF-16 strings.",
    "suspicious",
    "https://learn.microsoft.com/en-us/windows/win32/api/libloaderapi/nf-libloaderapi-getprocaddress",
  ),
  indicatorRule(
    "process",
    "Loaded by an unexpected process",
    "Suspicious when a process other than OUTLOOK.EXE, KoffBackend.exe or the search indexer loaded the DLL; malicious when a script runner (PowerShell, wscript, cscript, mshta, cmd) loaded it. Live mode only.",
    "malicious",
    ATTACK_SIDE_LOADING,
  ),
  indicatorRule(
    "cpu-network",
    "Unexpected outbound connection of a loading process",
    "Suspicious when a process other than Outlook that loaded the DLL has an outbound connection beyond the Kerio Connect server. Live mode only; CPU use is not sampled.",
    "suspicious",
    "https://learn.microsoft.com/windows-server/administration/windows-commands/netstat",
  ),
  indicatorRule(
    "provider-exports",
    "Named like the MAPI provider without its entry points, or a proxy",
    "Suspicious when a file presents itself as kofmsp*.dll without MSProviderInit and XPProviderInit, or when either entry point is forwarded to another module (a proxy DLL).",
    "suspicious",
    "https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/msproviderinit",
  ),
  indicatorRule(
    "identity",
    "Version resource, file name and signer disagree",
    "Suspicious when OriginalFilename differs from the file name; for a provider-named file also when the version resource is missing, or CompanyName or the signer is not the vendor.",
    "suspicious",
    "https://learn.microsoft.com/en-us/windows/win32/menurc/stringfileinfo-block",
  ),
  indicatorRule(
    "certificate-table",
    "Certificate-table anomaly (CVE-2013-3900 class)",
    "Suspicious on any certificate-table anomaly: bytes after the signature or after the table, a bad wRevision, a misaligned dwLength, or a table in the headers or past the end of the file.",
    "suspicious",
    "https://msrc.microsoft.com/update-guide/vulnerability/CVE-2013-3900",
  ),
  {
    id: "unreadable",
    short: "The file could not be read or is not a PE image",
    full: "The input could not be judged: it is not a regular readable file, is too large, or is not a well-formed PE image. The result's message gives the typed reason.",
    helpUri: PE_FORMAT,
    securitySeverity: 2.0,
    tags: ["triage", "input"],
    level: "note",
    furtherHelp: "Run `koff-doctor triage --json FILE` to see the error code and the offset it names.",
  },
] satisfies Array<RuleText & { id: TriageRuleId }>;

const RULE_INDEX = new Map(TRIAGE_RULES.map((r, i) => [r.id, i]));

/** Where a triaged file is: its host path relative to `%SRCROOT%`, or (bundle) its Windows path. */
function artifactOf(r: TriageRecord, cwd: string): ArtifactLocation {
  return r.windowsPath !== undefined && r.path === r.windowsPath
    ? windowsArtifact(r.windowsPath)
    : hostArtifact(r.path, cwd);
}

/** How a result names the file: its Windows path, else its path relative to `%SRCROOT%`. */
function nameOf(r: TriageRecord, cwd: string): string {
  if (r.windowsPath !== undefined) return r.windowsPath;
  const artifact = artifactOf(r, cwd);
  return artifact.uriBaseId === undefined ? r.path : decodeURIComponent(artifact.uri);
}

/** The locations of every result about `r`: the file, and its Windows path as a logical location. */
function locationsOf(r: TriageRecord, cwd: string): Array<Record<string, unknown>> {
  const where = physicalLocation(artifactOf(r, cwd));
  if (r.windowsPath === undefined) return [where];
  return [{ ...where, logicalLocations: [logicalLocation(r.windowsPath, "module")] }];
}

function result(
  ruleId: TriageRuleId,
  level: "error" | "warning" | "note",
  text: string,
  r: TriageRecord,
  cwd: string,
  properties: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ruleId,
    ruleIndex: RULE_INDEX.get(ruleId),
    level,
    message: { text },
    locations: locationsOf(r, cwd),
    partialFingerprints: fingerprint(ruleId, r.sha256, nameOf(r, cwd)),
    properties: {
      verdict: r.verdict,
      sha256: r.sha256,
      ...(r.windowsPath === undefined ? {} : { windowsPath: r.windowsPath }),
      ...properties,
    },
  };
}

/** The results about one file: its verdict, then each indicator that fired; or why it is unreadable. */
function fileResults(r: TriageRecord, cwd: string): Array<Record<string, unknown>> {
  const name = nameOf(r, cwd);
  if (r.verdict === "error")
    return [result("unreadable", "note", `${name}: ${r.error?.code}: ${r.error?.message}`, r, cwd, {})];
  if (r.verdict === "clean") return [];
  const fired = r.indicators.filter((i) => i.level === "suspicious" || i.level === "malicious");
  const carried = r.carried ? { carried: r.carried } : {};
  const verdict = result(
    r.verdict === "malicious" ? "file-malicious" : "file-suspicious",
    r.verdict === "malicious" ? "error" : "warning",
    `${name} triages ${r.verdict}: ${fired.map((i) => i.id).join(", ")}`,
    r,
    cwd,
    { size: r.size, signature: r.signature?.state ?? null, ...carried },
  );
  return [
    verdict,
    ...fired.map((i) =>
      result(
        i.id,
        i.level === "malicious" ? "error" : "warning",
        `${i.evidence}${i.cell ? ` [${i.cell}]` : ""}`,
        r,
        cwd,
        { indicatorLevel: i.level, cell: i.cell },
      ),
    ),
  ];
}

/**
 * SARIF 2.1.0 for `triage --sarif`.
 *
 * @param records - the triage records, in the order triage reported them.
 * @param cwd - the directory koff-doctor ran in; host paths are written relative to it (`%SRCROOT%`).
 * @returns the log as text, ending in a newline.
 */
export function renderTriageSarif(records: TriageRecord[], cwd: string): string {
  return sarifLog({
    rules: [...TRIAGE_RULES],
    results: records.flatMap((r) => fileResults(r, cwd)),
    automationId: "koff-doctor/triage/",
    artifacts: records.map((r) => ({
      location: artifactOf(r, cwd),
      ...(r.size > 0 || r.sha256 !== "" ? { length: r.size } : {}),
      ...(r.sha256 === "" ? {} : { hashes: { "sha-256": r.sha256 } }),
      properties: {
        verdict: r.verdict,
        ...(r.windowsPath === undefined ? {} : { windowsPath: r.windowsPath }),
      },
    })),
  });
}
