/**
 * `check --sarif`: SARIF 2.1.0, one run, one rule per check of the catalogue (docs/checks/), one
 * result per finding. A result points at the Windows files and registry keys its evidence names:
 * the first one is its location, the others related locations, each also a logical location with
 * the Windows path or key verbatim. A key is located in the hive file that holds it
 * (`HKLM\SOFTWARE` → `C:\Windows\System32\config\SOFTWARE`, `HKU\<user>` →
 * `C:\Users\<user>\NTUSER.DAT`). From an image, a path of drive C is the file inside the image,
 * relative to `%SRCROOT%`; otherwise it is relative to its drive (`WINDOWS_C`).
 *
 * Sources: OASIS SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html);
 * GitHub "SARIF support for code scanning"
 * (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning);
 * docs/checks/ (each rule's full description is its page's "Fires when", a test keeps them equal).
 */
import path from "node:path";
import type { CheckReport } from "../../app/check-machine.js";
import { CATALOGUE } from "../../check/catalogue.js";
import type { Finding, Severity } from "../../check/finding.js";
import { isWindowsPath } from "../../paths/windows-path.js";
import type { CheckId } from "../../vocabulary/index.js";
import {
  fingerprint,
  hostArtifact,
  logicalLocation,
  sarifLog,
  windowsArtifact,
  type ArtifactLocation,
  type RuleText,
  type SarifLevel,
} from "./sarif-log.js";

/** Each check's "Fires when" paragraph of docs/checks/<id>.md, as plain text. */
export const CHECK_FIRES_WHEN = {
  "install-missing":
    "No Uninstall entry (64- or 32-bit view) matches the connector and none of the install folders in src/knowledge/koff.json exists.",
  "provider-dll-missing":
    "An install folder exists but holds neither kofmsp.dll nor kofmsp32.dll (MAPI's on-disk name).",
  "connector-binary-untrusted":
    "A .dll or .exe inside an install folder triages suspicious or malicious (see verdict.md). The evidence carries the verdict, the signature state and the indicators that fired.",
  "connector-versions-mixed":
    "Binaries in the install folder whose CompanyName names Kerio carry more than one FileVersion.",
  "stray-provider-dll":
    "A kofmsp*.dll exists outside the vendor folders: in a user's AppData\\Roaming, AppData\\Local\\Temp, Downloads, Desktop, ProgramData, C:\\Windows\\Temp and similar places. The evidence carries its triage verdict.",
  "mapisvc-not-registered":
    "The connector is installed, but no MAPISVC.INF at any known location (Click-to-Run VFS, Common Files\\System\\MSMAPI\\<lcid>, System32/SysWOW64) registers a service whose DLL name matches kofmsp.",
  "mapisvc-path-unresolved":
    'A KOFF registration\'s DLL, after MAPI\'s "32" rule ("32" inserted before the first period), does not exist.',
  "mapisvc-path-extra-periods":
    "A registered full path contains a period before the file name (e.g. C:\\Kerio.old\\kofmsp.dll).",
  "mapisvc-path-outside-install":
    "A KOFF registration makes MAPI load a DLL outside the connector's install folders. The evidence carries that file's triage verdict.",
  "office-not-found": "Neither ClickToRun\\Configuration nor an Outlook\\Bitness value was found.",
  "bitness-mismatch":
    "A provider DLL's PE Machine (x86/x64) differs from Outlook's bitness (ClickToRun\\Configuration\\Platform or Office\\<ver>\\Outlook\\Bitness).",
  "profile-none":
    "The connector is installed but no Outlook profile (Office 16.0, 15.0 or the Windows Messaging Subsystem layout) contains a service whose PR_SERVICE_DLL_NAME matches kofmsp.",
  "profile-default-missing": "DefaultProfile names a profile that does not exist in the same layout.",
  "profile-koff-orphaned": "The connector is not installed, yet a profile still contains the KOFF service.",
  "cache-missing":
    "A profile with the KOFF service has no folder named after it under %LOCALAPPDATA%\\Kerio\\Outlook Connector.",
  "cache-orphan": "A folder under the cache root is named after no existing Outlook profile of that user.",
  "cache-db-invalid":
    "A *.fdb in a cache folder lacks a valid Firebird header page: page type 1, a page size of 1\u201332 KiB, the Firebird ODS flag with a known ODS major, and a file size that is a whole number of pages.",
  "cache-disk-space-low":
    "Free space on the system drive is below twice the total size of the cache databases. Not judged in image and bundle modes unless the free space is known.",
  "cache-on-network": "The user's Local AppData (and so the cache root) is redirected to a UNC path.",
  "av-exclusion-missing":
    "One of the three paths GFI recommends is not covered by a Microsoft Defender exclusion (local or policy): the install folder, %LOCALAPPDATA%\\Kerio\\Outlook Connector per user, and Kerio\\UpdaterService.",
  "updater-service-missing": "No Uninstall entry or folder of the Kerio Updater Service.",
  "outlook-crash-in-provider":
    'The Application event log holds event 1000 (source "Application Error") whose faulting module is kofmsp*.dll, fbclient.dll, fbembed.dll or a Firebird engine1x.dll, typically with Outlook or KoffBackend as the faulting application. The data fields are read by name (AppName, ModuleName, ModuleVersion, ExceptionCode) or, in classic records without names, by position (0, 3, 4, 6).',
  "mapi-provider-blocked":
    'An Outlook (or MAPI) record in the Application log names kofmsp and is not one of Outlook\'s add-in records (45, 59): e.g. "MAPI was unable to load the information service KOFMSP.DLL" or a KB 4498413 blocked-provider error with the DLL\'s path. A record that reports a load failure ("unable to load") counts here whatever its id.',
  "addin-disabled":
    'The Application log holds event 59 from source "Outlook" naming the connector (Kerio Outlook Connector, KOFF, kofmsp): Outlook\'s add-in resiliency disabled it. Event 45 (the add-ins Outlook loaded, with their boot times) is shown in the timeline but never fires.',
  "av-detected-provider":
    "The Defender Operational log holds event 1116 (malware or unwanted software detected) or 1117 (action taken) whose data names a kofmsp*.dll or a path in a Kerio folder (\\Kerio\\).",
} satisfies Record<CheckId, string>;

const MAPISVC_FORMAT =
  "https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/file-format-of-mapisvc-inf";
const MAPISVC_REGISTERING =
  "https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/registering-services-and-service-providers-in-mapisvc-inf";
const MAPI_PROFILES = "https://learn.microsoft.com/office/client-developer/outlook/mapi/mapi-profiles";
const UNINSTALL_KEY = "https://learn.microsoft.com/windows/win32/msi/uninstall-registry-key";
const KNOWN_FOLDERS = "https://learn.microsoft.com/windows/win32/shell/knownfolderid";
const SIDE_LOADING = "https://attack.mitre.org/techniques/T1574/001/";

/** The public page each check rests on, when there is one. */
const HELP_URI: Record<CheckId, string | undefined> = {
  "install-missing": UNINSTALL_KEY,
  "provider-dll-missing": MAPISVC_REGISTERING,
  "connector-binary-untrusted":
    "https://learn.microsoft.com/en-us/windows-hardware/drivers/install/authenticode",
  "connector-versions-mixed": "https://learn.microsoft.com/en-us/windows/win32/menurc/stringfileinfo-block",
  "stray-provider-dll": SIDE_LOADING,
  "mapisvc-not-registered": MAPISVC_REGISTERING,
  "mapisvc-path-unresolved": MAPISVC_FORMAT,
  "mapisvc-path-extra-periods": MAPISVC_FORMAT,
  "mapisvc-path-outside-install": SIDE_LOADING,
  "office-not-found":
    "https://learn.microsoft.com/office/troubleshoot/office-suite-issues/click-to-run-office-msi",
  "bitness-mismatch": "https://learn.microsoft.com/en-us/windows/win32/debug/pe-format",
  "profile-none": MAPI_PROFILES,
  "profile-default-missing": MAPI_PROFILES,
  "profile-koff-orphaned": MAPI_PROFILES,
  "cache-missing": KNOWN_FOLDERS,
  "cache-orphan": KNOWN_FOLDERS,
  "cache-db-invalid":
    "https://firebirdsql.org/file/documentation/html/en/firebirddocs/firebirdinternals/firebird-internals.html",
  "cache-disk-space-low": undefined,
  "cache-on-network": KNOWN_FOLDERS,
  "av-exclusion-missing":
    "https://learn.microsoft.com/defender-endpoint/configure-exclusions-microsoft-defender-antivirus",
  "updater-service-missing": UNINSTALL_KEY,
  "outlook-crash-in-provider":
    "https://learn.microsoft.com/troubleshoot/windows-client/application-management/application-error-event-1000",
  "mapi-provider-blocked": undefined,
  "addin-disabled":
    "https://learn.microsoft.com/en-us/outlook/troubleshoot/performance/add-ins-are-user-re-enabled-after-being-disabled",
  "av-detected-provider":
    "https://learn.microsoft.com/en-us/defender-endpoint/troubleshoot-microsoft-defender-antivirus",
};

/** GitHub's security-severity for a check's default severity. */
const SECURITY_SEVERITY: Record<Severity, number> = { critical: 9.5, error: 7.5, warning: 5.0, info: 2.0 };

/** The SARIF level of a severity: critical and error fail, a warning warns, info is a note. */
export function sarifLevel(severity: Severity): SarifLevel {
  return severity === "info" ? "note" : severity === "warning" ? "warning" : "error";
}

/** Every check as a SARIF rule, in catalogue order. */
export const CHECK_RULES: readonly RuleText[] = CATALOGUE.map((c) => ({
  id: c.id,
  short: c.title,
  full: CHECK_FIRES_WHEN[c.id],
  helpUri: HELP_URI[c.id],
  securitySeverity: SECURITY_SEVERITY[c.severity],
  tags: [c.remedy === "rule-out-infection" ? "security" : "reliability", "koff", c.id.split("-")[0]!],
  level: sarifLevel(c.severity),
}));

const RULE_INDEX = new Map(CHECK_RULES.map((r, i) => [r.id, i]));

/** How many places one result names at most (the evidence of a check can list many). */
const MAX_PLACES = 20;

/** A place the evidence names: a Windows file or folder, or a registry key. */
interface Place {
  name: string;
  kind: "path" | "key";
}

const REGISTRY_KEY = /^(HKLM|HKCU|HKU|HKCR|HKEY_[A-Z_]+)\\/;

/** The Windows paths and registry keys in a finding's evidence, in order, each once. */
export function evidencePlaces(evidence: unknown): Place[] {
  const seen = new Set<string>();
  const out: Place[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (out.length >= MAX_PLACES || depth > 6) return;
    if (typeof v === "string") {
      const kind = REGISTRY_KEY.test(v) ? "key" : isWindowsPath(v) ? "path" : undefined;
      if (kind !== undefined && !seen.has(v.toLowerCase())) {
        seen.add(v.toLowerCase());
        out.push({ name: v, kind });
      }
    } else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (v !== null && typeof v === "object") for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(evidence, 0);
  return out;
}

/** The hive file holding a registry key, as a Windows path; undefined when it cannot be named. */
export function hiveFileOf(key: string): string | undefined {
  const parts = key.split("\\");
  const root = parts[0]!.toUpperCase();
  const hive = (parts[1] ?? "").toUpperCase();
  if (
    (root === "HKLM" || root === "HKEY_LOCAL_MACHINE") &&
    ["SOFTWARE", "SYSTEM", "SAM", "SECURITY"].includes(hive)
  )
    return `C:\\Windows\\System32\\config\\${hive}`;
  if ((root === "HKU" || root === "HKEY_USERS") && parts[1] && !parts[1].startsWith("S-1-"))
    return `C:\\Users\\${parts[1]}\\NTUSER.DAT`;
  return undefined;
}

/** Where the run read the machine: an image folder, a bundle, or this Windows machine. */
export interface CheckSarifSource {
  /** `--image DIR` as given. */
  image?: string;
  /** `--bundle FILE.zip` as given. */
  bundle?: string;
  /** The directory koff-doctor ran in: host paths are written relative to it (`%SRCROOT%`). */
  cwd: string;
}

/** The artifact of a Windows path: the file inside the image for drive C, else relative to its drive. */
function artifactOf(windowsPath: string, source: CheckSarifSource): ArtifactLocation {
  const m = /^[Cc]:[\\/](.*)$/.exec(windowsPath);
  if (source.image !== undefined && m)
    return hostArtifact(
      path.join(source.image, ...m[1]!.split(/[\\/]+/).filter((p) => p !== "")),
      source.cwd,
    );
  return windowsArtifact(windowsPath);
}

function location(place: Place, source: CheckSarifSource): Record<string, unknown> | undefined {
  const file = place.kind === "path" ? place.name : hiveFileOf(place.name);
  const logical = logicalLocation(
    place.name,
    place.kind === "key" ? "resource" : /\.(dll|exe)$/i.test(place.name) ? "module" : "resource",
  );
  if (file === undefined) return { logicalLocations: [logical] };
  return {
    physicalLocation: { artifactLocation: artifactOf(file, source), region: { startLine: 1 } },
    logicalLocations: [logical],
  };
}

/**
 * The machine as a whole, for a finding whose evidence names no file: the image folder, the
 * bundle file, or (live) drive C.
 */
function machineLocation(source: CheckSarifSource): Record<string, unknown> {
  let artifact: ArtifactLocation = { uri: "./", uriBaseId: "WINDOWS_C" };
  if (source.image !== undefined) {
    const image = hostArtifact(source.image, source.cwd);
    artifact = { ...image, uri: image.uri.endsWith("/") ? image.uri : `${image.uri}/` };
  } else if (source.bundle !== undefined) artifact = hostArtifact(source.bundle, source.cwd);
  return { physicalLocation: { artifactLocation: artifact } };
}

function findingResult(f: Finding, source: CheckSarifSource): Record<string, unknown> {
  const places = evidencePlaces(f.evidence);
  const located = places.map((p) => location(p, source)).filter((l) => l !== undefined);
  const primary = located.find((l) => l["physicalLocation"] !== undefined) ?? machineLocation(source);
  const related = located.filter((l) => l !== primary).map((l, i) => ({ id: i + 1, ...l }));
  return {
    ruleId: f.id,
    ruleIndex: RULE_INDEX.get(f.id),
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [primary],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    partialFingerprints: fingerprint(f.id, ...places.map((p) => p.name)),
    properties: {
      severity: f.severity,
      remedy: f.remedy,
      windowsLocations: places.map((p) => p.name),
      evidence: f.evidence,
    },
  };
}

/**
 * SARIF 2.1.0 for `check --sarif`.
 *
 * @param report - the check run.
 * @param source - the image folder (when `--image`) and the working directory.
 * @returns the log as text, ending in a newline; `properties.notRun` lists the checks this mode
 *   could not run, so a clean log is never read as "all checks passed".
 */
export function renderCheckSarif(report: CheckReport, source: CheckSarifSource): string {
  return sarifLog({
    rules: [...CHECK_RULES],
    results: report.findings.map((f) => findingResult(f, source)),
    automationId: "koff-doctor/check/",
    properties: { mode: report.facts.mode, notRun: report.notRun },
  });
}
