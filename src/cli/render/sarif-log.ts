/**
 * The parts `triage --sarif` and `check --sarif` share: the log around one run, rule
 * descriptors that GitHub code scanning ingests, and locations that never name the analyst's own
 * machine. A file on this machine is a URI relative to `%SRCROOT%` (the directory koff-doctor ran
 * in: the repository checkout in CI); a Windows path of the inspected machine is a URI relative
 * to a base per drive (`WINDOWS_C` = `file:///C:/`) and, verbatim, a logical location.
 *
 * Sources: OASIS "Static Analysis Results Interchange Format (SARIF) Version 2.1.0"
 * (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html): §3.4 URIs, §3.14.14
 * originalUriBaseIds, §3.27.17 partialFingerprints, §3.30 regions, §3.33 logical locations,
 * §3.49 reportingDescriptor; GitHub "SARIF support for code scanning"
 * (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
 * `security-severity`, `tags`, `%SRCROOT%`.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { toolInfo } from "../../version.js";

/** The base of URIs relative to the directory koff-doctor ran in. */
export const SRCROOT = "%SRCROOT%";

/** SARIF `level` of a result. */
export type SarifLevel = "error" | "warning" | "note";

/** What one rule says about itself: the parts of a SARIF `reportingDescriptor` we fill. */
export interface RuleText {
  id: string;
  /** One line, the rule's title. */
  short: string;
  /** What makes the rule fire, in plain words (one paragraph). */
  full: string;
  /** Public page the rule rests on, when there is one. */
  helpUri?: string;
  /** GitHub's 0.0–10.0 scale: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, otherwise low. */
  securitySeverity: number;
  tags: string[];
  /** SARIF `defaultConfiguration.level`. */
  level: SarifLevel;
  /** Where `help` sends the reader; default `koff-doctor explain <id>`. */
  furtherHelp?: string;
}

/** A rule's readable name (SARIF §3.49.7), e.g. "File looks packed" → `FileLooksPacked`. */
function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

/** A `reportingDescriptor` with the fields GitHub's ingestion rules ask for. */
export function ruleDescriptor(rule: RuleText): Record<string, unknown> {
  const further =
    rule.furtherHelp ?? `Run \`koff-doctor explain ${rule.id}\` for what it means and what to do.`;
  return {
    id: rule.id,
    name: pascalCase(rule.short),
    shortDescription: { text: rule.short },
    fullDescription: { text: rule.full },
    ...(rule.helpUri === undefined ? {} : { helpUri: rule.helpUri }),
    help: {
      text: `${rule.full} ${further}`,
      markdown: `**${rule.short}**\n\n${rule.full}\n\n${further}`,
    },
    defaultConfiguration: { level: rule.level },
    properties: {
      "security-severity": rule.securitySeverity.toFixed(1),
      tags: rule.tags,
    },
  };
}

/** A SARIF `artifactLocation`. */
export interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

/** An unpaired UTF-16 surrogate: NTFS names and registry strings may hold one; UTF-8 cannot. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `segment` percent-encoded as UTF-8 (RFC 3986 §2.5). An unpaired surrogate has no UTF-8 form
 * (`encodeURIComponent` throws on one) and becomes U+FFFD in the URI; the result's message and
 * properties keep the name exactly (JSON escapes it as `\udXXX`).
 */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment.replace(LONE_SURROGATE, "\ufffd"));
}

/** A relative URI reference from path segments, each percent-encoded (RFC 3986 §4.2). */
function segmentsUri(segments: string[]): string {
  return segments.map((s) => (s === ".." ? s : encodeSegment(s))).join("/");
}

/**
 * A file on this machine, relative to `%SRCROOT%` (`cwd`), e.g. `examples/img/Users/a.dll`.
 * A file the working directory cannot reach by a relative path (another drive) keeps an
 * absolute `file:` URI.
 */
export function hostArtifact(file: string, cwd: string): ArtifactLocation {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  if (relative === "") return { uri: "./", uriBaseId: SRCROOT };
  if (path.isAbsolute(relative))
    return { uri: pathToFileURL(path.resolve(cwd, file).replace(LONE_SURROGATE, "\ufffd")).href };
  return { uri: segmentsUri(relative.split(path.sep)), uriBaseId: SRCROOT };
}

/** The drive base of a Windows path (`C:\…` → `WINDOWS_C`), or undefined for a UNC or relative path. */
function driveBase(windowsPath: string): string | undefined {
  const m = /^([A-Za-z]):[\\/]/.exec(windowsPath);
  return m ? `WINDOWS_${m[1]!.toUpperCase()}` : undefined;
}

/**
 * A path of the inspected Windows machine as a URI: `C:\Users\a\k.dll` → `Users/a/k.dll`
 * relative to `WINDOWS_C`; a UNC path `\\srv\share\x` → `file://srv/share/x`.
 */
export function windowsArtifact(windowsPath: string): ArtifactLocation {
  const base = driveBase(windowsPath);
  const parts = windowsPath.split(/[\\/]+/).filter((p) => p !== "");
  if (base !== undefined) return { uri: segmentsUri(parts.slice(1)), uriBaseId: base };
  if (windowsPath.startsWith("\\\\") && parts.length > 0)
    return { uri: `file://${encodeSegment(parts[0]!)}/${segmentsUri(parts.slice(1))}` };
  return { uri: segmentsUri(parts) };
}

/**
 * A physical location covering a whole binary: line 1, the form code scanning displays
 * (a binary has no lines; SARIF §3.30.2 lets a viewer show the artifact).
 */
export function physicalLocation(artifact: ArtifactLocation): Record<string, unknown> {
  return { physicalLocation: { artifactLocation: artifact, region: { startLine: 1 } } };
}

/** A SARIF logical location for a Windows path or a registry key, kept verbatim. */
export function logicalLocation(
  fullyQualifiedName: string,
  kind: "module" | "resource",
): Record<string, unknown> {
  const name =
    fullyQualifiedName
      .split(/[\\/]/)
      .filter((p) => p !== "")
      .pop() ?? fullyQualifiedName;
  return { name, fullyQualifiedName, kind };
}

/** A stable fingerprint of a result (SARIF §3.27.17): the SHA-256 of its identifying parts. */
export function fingerprint(...parts: Array<string | undefined>): Record<string, string> {
  const h = createHash("sha256");
  for (const p of parts) h.update(`${p ?? ""}\0`);
  return { "koffDoctor/v1": h.digest("hex") };
}

/** `originalUriBaseIds` for the bases the results use; none of them names this machine's paths. */
function uriBases(results: unknown[]): Record<string, unknown> {
  const used = new Set<string>();
  JSON.stringify(results, (key, value: unknown) => {
    if (key === "uriBaseId" && typeof value === "string") used.add(value);
    return value;
  });
  const bases: Record<string, unknown> = {};
  for (const base of [...used].sort()) {
    bases[base] =
      base === SRCROOT
        ? { description: { text: "The directory koff-doctor ran in (the repository checkout in CI)." } }
        : {
            uri: `file:///${base.slice("WINDOWS_".length)}:/`,
            description: { text: "A drive of the inspected Windows machine." },
          };
  }
  return bases;
}

/** The whole SARIF 2.1.0 document: one run of koff-doctor, its rules and results, as text. */
export function sarifLog(run: {
  rules: RuleText[];
  results: Array<Record<string, unknown>>;
  automationId: string;
  /** SARIF `artifacts`: every file looked at, with its hash, whether or not a result names it. */
  artifacts?: Array<Record<string, unknown>>;
  properties?: Record<string, unknown>;
}): string {
  const tool = toolInfo();
  const bases = uriBases([run.results, run.artifacts ?? []]);
  const doc = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            semanticVersion: tool.version,
            version: tool.version,
            rules: run.rules.map(ruleDescriptor),
          },
        },
        automationDetails: { id: run.automationId },
        ...(Object.keys(bases).length > 0 ? { originalUriBaseIds: bases } : {}),
        ...(run.artifacts === undefined ? {} : { artifacts: run.artifacts }),
        results: run.results,
        columnKind: "utf16CodeUnits",
        ...(run.properties === undefined ? {} : { properties: run.properties }),
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
