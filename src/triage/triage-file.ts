/**
 * Triage of one file: parse the PE (permissively), verify its signature, judge every indicator,
 * combine them into the verdict. Pure: takes bytes and context, returns a record; never throws
 * for bad input (unreadable or non-PE input gives verdict `error` with a typed reason).
 *
 * Source: docs/verdict.md ("The rule", "The indicators").
 */
import { createHash } from "node:crypto";
import type { ConnectorKnowledge } from "../knowledge/index.js";
import { parsePe } from "../pe/index.js";
import type { PeImage } from "../pe/types.js";
import type { WindowsPathOrigin } from "../paths/windows-path.js";
import { certificateTableIndicator } from "./indicators/certificate-table.js";
import { cpuNetworkIndicator } from "./indicators/cpu-network.js";
import { dynamicImportsIndicator } from "./indicators/dynamic-imports.js";
import { executableBehaviorIndicator } from "./indicators/executable-behavior.js";
import { fileSizeIndicator } from "./indicators/file-size.js";
import { identityIndicator } from "./indicators/identity.js";
import { locationIndicator } from "./indicators/location.js";
import { packingIndicator } from "./indicators/packing.js";
import { processIndicator } from "./indicators/process.js";
import { providerExportsIndicator } from "./indicators/provider-exports.js";
import { signatureIndicator } from "./indicators/signature.js";
import { analyzeDynamicImports, type WatchedNames } from "./dynamic-imports.js";
import { analyzePacking } from "./packing.js";
import { summarizePe } from "./pe-summary.js";
import type { SiblingSearch } from "./sibling-loaders.js";
import type { SignatureSummary } from "./signature-summary.js";
import type { LoadingProcess, LoadPosition, TriageSubject } from "./subject.js";
import type { TriageRecord } from "./record.js";
import { verdictOf, type Indicator } from "./types.js";

/** What the signature verifier gives triage: the summary it judges and the full evidence for JSON. */
export interface SignatureVerification {
  summary: SignatureSummary;
  /** Full verifier result (per-signature integrity/time/trust axes and steps); rendered as is. */
  details?: unknown;
}

/** Verifies the Authenticode signature of `bytes` (parsed as `pe`). Injected so triage stays pure. */
export type SignatureVerifier = (bytes: Uint8Array, pe: PeImage) => Promise<SignatureVerification>;

/** One file's record (defined in ./record.ts, a leaf the ports can import). */
export type { TriageRecord };

export interface TriageInput {
  /** Path as given by the caller (host path or Windows path); reported as is. */
  path: string;
  /** File name as found on disk (the basename). */
  fileName: string;
  bytes: Uint8Array;
  windowsPath?: string;
  windowsPathOrigin?: WindowsPathOrigin;
  /** Places that would make Windows load this file (from MAPISVC.INF, profiles, processes, sibling EXEs). */
  loadPositions?: LoadPosition[];
  /** How completely the folder was searched for modules importing the file (see `sibling-loaders.ts`). */
  siblingSearch?: SiblingSearch;
  /** Live mode only: processes that have the file loaded. */
  loadingProcesses?: LoadingProcess[];
  kerioServers?: string[];
  /**
   * The sha256 of `bytes` (lower-case hex), being computed elsewhere (src/util/sha256-thread.ts):
   * called once, when the record is made. Absent: the parser's walk hashes them.
   */
  sha256?: () => string;
  /** The search for watched API names over `bytes`, made by another thread (the same thread); else made here. */
  watchedNames?: () => WatchedNames | undefined;
}

export interface TriageOptions {
  knowledge: ConnectorKnowledge;
  verifySignature: SignatureVerifier;
}

/** The seed's indicators plus ours, in report order. */
function judge(subject: TriageSubject, input: TriageInput): Indicator[] {
  const bytes = input.bytes;
  return [
    signatureIndicator(subject),
    locationIndicator(subject),
    fileSizeIndicator(subject),
    packingIndicator(analyzePacking(subject.pe, bytes)),
    executableBehaviorIndicator(subject),
    dynamicImportsIndicator(analyzeDynamicImports(subject.pe, bytes, input.watchedNames)),
    processIndicator(subject),
    cpuNetworkIndicator(subject),
    providerExportsIndicator(subject),
    identityIndicator(subject),
    certificateTableIndicator(subject),
  ];
}

function errorRecord(input: TriageInput, sha256: string, error: TriageRecord["error"]): TriageRecord {
  return {
    path: input.path,
    windowsPath: input.windowsPath,
    sha256,
    size: input.bytes.length,
    verdict: "error",
    error,
    indicators: [],
  };
}

/**
 * Triage one file.
 * @returns the record; `verdict: "error"` with `error.code` for non-PE or unreadable input.
 */
export async function triageFile(input: TriageInput, options: TriageOptions): Promise<TriageRecord> {
  // The file's sha256 is fed by the parser's one walk over the bytes (with the checksum and the
  // entropies), unless another thread computes it; a file refused at its headers is hashed on
  // its own.
  const fileHash = input.sha256 === undefined ? createHash("sha256") : undefined;
  const sha256 = () => input.sha256?.() ?? fileHash!.digest("hex");
  let pe: PeImage;
  try {
    pe = parsePe(input.bytes, { mode: "permissive", digests: fileHash ? [fileHash] : [] });
  } catch (e) {
    const digest = input.sha256?.() ?? createHash("sha256").update(input.bytes).digest("hex");
    return errorRecord(input, digest, describeError(e));
  }
  let signature: SignatureVerification;
  try {
    signature = await options.verifySignature(input.bytes, pe);
  } catch (e) {
    // The verifier reports bad signatures as states; an exception here is a defect or a resource
    // limit. Report it as a malformed signature rather than losing the rest of the triage.
    const err = describeError(e);
    signature = {
      summary: {
        state: "malformed",
        reason: `${err.code}: ${err.message}`,
        signatureCount: 0,
        anomalies: [],
      },
    };
  }
  const subject: TriageSubject = {
    fileName: input.fileName,
    windowsPath: input.windowsPath,
    windowsPathOrigin: input.windowsPathOrigin,
    size: input.bytes.length,
    pe,
    signature: signature.summary,
    knowledge: options.knowledge,
    loadPositions: input.loadPositions ?? [],
    siblingSearch: input.siblingSearch,
    loadingProcesses: input.loadingProcesses,
    kerioServers: input.kerioServers,
  };
  const indicators = judge(subject, input);
  return {
    path: input.path,
    windowsPath: input.windowsPath,
    sha256: sha256(),
    size: input.bytes.length,
    verdict: verdictOf(indicators),
    signature: { ...signature.summary, details: signature.details },
    indicators,
    pe: summarizePe(pe),
  };
}

/** Typed errors keep their code/offset/structure; anything else becomes `internal`. */
export function describeError(e: unknown): NonNullable<TriageRecord["error"]> {
  if (e instanceof Error && "code" in e && typeof (e as { code: unknown }).code === "string") {
    const f = e as Error & { code: string; offset?: number; structure?: string };
    return { code: f.code, message: f.message, offset: f.offset, structure: f.structure };
  }
  return { code: "internal", message: e instanceof Error ? e.message : String(e) };
}
