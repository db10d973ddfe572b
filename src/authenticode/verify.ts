/**
 * Authenticode verification of a PE file: a pipeline of named steps (src/authenticode/
 * verification-steps.ts) over each WIN_CERTIFICATE SignedData and its nested signatures,
 * producing a state per signature with integrity, time and trust evidence, then a file state by
 * the policy's rule. The state rule is documented in docs/authenticode.md (§ "How a state is
 * reached"); each step's contract is on its function in src/authenticode/steps/.
 *
 * Sources: "Windows Authenticode Portable Executable Signature Format" v1.0
 * (https://download.microsoft.com/download/9/c/5/9c5b2167-8017-4bae-9fde-d599bac8184a/Authenticode_PE.docx);
 * RFC 5652 §5.4–5.6; signify `SignedData.verify`/`SignerInfo.verify`; osslsigncode
 * `verify_authenticode`; docs/authenticode.md ("How a state is reached", "Where we differ, and
 * why").
 */
import { WIN_CERT_REVISION_2_0, WIN_CERT_TYPE_PKCS_SIGNED_DATA } from "../pe/index.js";
import type { Asn1Origin } from "./asn1.js";
import {
  scanCertificateTable,
  type CertificateTableLocation,
  type WinCertificateEntry,
} from "./certificate-table.js";
import { AuthenticodeError } from "./errors.js";
import { certificateTableLocation, type PeLayout } from "./pe-layout.js";
import type { VerificationPolicy } from "./policy.js";
import {
  stepRecord,
  type AuthenticodeResult,
  type AuthenticodeState,
  type VerificationStep,
} from "./result.js";
import { parseContentInfoNode, parseContentInfoSignedData, type SignedDataModel } from "./signed-data.js";
import { decideFileState } from "./state-rule.js";
import {
  contentTypeAttributeStep,
  digestAlgorithmsStep,
  imageDigestStep,
  messageDigestStep,
  pageHashesStep,
  signerCertificateStep,
  cmsSignatureStep,
} from "./steps/integrity.js";
import { parseCmsStep, spcDataTypeStep } from "./steps/structure.js";
import { lifetimeSigningStep, timestampStep, unsignedAttributesStep } from "./steps/time.js";
import {
  chainStep,
  ekuStep,
  explicitCurveStep,
  keyUsageStep,
  pathValidationStep,
  validityStep,
} from "./steps/trust.js";
import { stateStep, weakDigestStep } from "./steps/verdict.js";
import {
  malformedResult,
  newSignatureContext,
  type FileContext,
  type SignatureContext,
  type SignatureStep,
} from "./verification-context.js";
import {
  FILE_STEPS,
  SIGNATURE_STEPS,
  type FileStepName,
  type SignatureStepName,
} from "./verification-steps.js";

/** At most this many signatures (top-level + nested) are verified per file. */
export const MAX_SIGNATURES = 32;
/** Nested signatures are followed this deep (real files: 1). */
export const MAX_NESTING_DEPTH = 4;

/** The function behind each per-signature step; the driver runs them in {@link SIGNATURE_STEPS} order. */
const SIGNATURE_STEP_FUNCTIONS = {
  "parse-cms": parseCmsStep,
  "spc-data-type": spcDataTypeStep,
  "digest-algorithms": digestAlgorithmsStep,
  "image-digest": imageDigestStep,
  "page-hashes": pageHashesStep,
  "message-digest": messageDigestStep,
  "content-type-attribute": contentTypeAttributeStep,
  "signer-certificate": signerCertificateStep,
  "cms-signature": cmsSignatureStep,
  "unsigned-attributes": unsignedAttributesStep,
  timestamp: timestampStep,
  "lifetime-signing": lifetimeSigningStep,
  chain: chainStep,
  "path-validation": pathValidationStep,
  eku: ekuStep,
  "key-usage": keyUsageStep,
  "explicit-curve": explicitCurveStep,
  validity: validityStep,
  "weak-digest": weakDigestStep,
  state: stateStep,
  nested: nestedStep,
} satisfies Record<SignatureStepName, SignatureStep>;

/** The file-level run: the shared context plus what the file-level steps produce. */
interface FileRun extends FileContext {
  /** Data directory 4, when not empty. */
  readonly location: CertificateTableLocation | undefined;
  /** File-level step records, in order. */
  readonly steps: VerificationStep[];
  /** `certificate-table`: the WIN_CERTIFICATE entries. */
  entries: WinCertificateEntry[];
  /** `file-state`. */
  state: AuthenticodeState;
  decidedBy?: string;
}

/** A file-level step: like a {@link SignatureStep}, `"stop"` ends the file's pipeline. */
type FileStep = (run: FileRun) => "stop" | void;

/** The function behind each file-level step, run in {@link FILE_STEPS} order. */
const FILE_STEP_FUNCTIONS = {
  "certificate-table": certificateTableStep,
  "certificate-entry": certificateEntryStep,
  "file-state": fileStateStep,
} satisfies Record<FileStepName, FileStep>;

/**
 * Verifies the Authenticode signatures of a PE file.
 *
 * @param bytes - the whole file.
 * @param pe - its parsed image (`parsePe(bytes)`), or any {@link PeLayout}.
 * @param policy - time, trust anchors, primary/all, strictness.
 * @returns the file state, per-signature evidence, certificate-table anomalies and steps. Never
 *   throws for malformed signatures (they become state `malformed`); throws only on programming
 *   errors.
 */
export function verifyAuthenticode(
  bytes: Uint8Array,
  pe: PeLayout,
  policy: VerificationPolicy,
): AuthenticodeResult {
  const at = policy.at ?? new Date();
  const run: FileRun = {
    bytes,
    pe,
    policy,
    at,
    signatures: [],
    anomalies: [],
    digests: new Map(),
    location: certificateTableLocation(pe),
    steps: [],
    entries: [],
    state: "malformed",
  };
  for (const name of FILE_STEPS) if (FILE_STEP_FUNCTIONS[name](run) === "stop") break;
  for (const signature of run.signatures) run.steps.push(...signature.steps);
  return {
    state: run.state,
    rule: policy.signatures,
    ...(run.decidedBy !== undefined ? { decidedBy: run.decidedBy } : {}),
    signatures: run.signatures,
    anomalies: run.anomalies,
    steps: run.steps,
    verifiedAt: at.toISOString(),
  };
}

/**
 * `certificate-table`: walks the table data directory 4 declares (`run.entries`) and records its
 * anomalies. An empty directory means an unsigned file: the state is `unsigned` and the pipeline
 * stops. A table past EOF or inside the headers makes every entry unusable (`run.tableProblem`).
 */
function certificateTableStep(run: FileRun): "stop" | void {
  const { location } = run;
  if (!location) {
    run.steps.push(
      stepRecord("certificate-table", "skip", "data directory 4 (SECURITY) is empty: no embedded signature"),
    );
    run.state = "unsigned";
    return "stop";
  }
  const scan = scanCertificateTable(run.bytes, location, run.pe.optionalHeader.sizeOfHeaders);
  const { entries, anomalies } = scan;
  run.steps.push(
    stepRecord(
      "certificate-table",
      anomalies.length === 0 ? "pass" : "warn",
      `table at 0x${location.offset.toString(16)}, ${location.size} bytes, ${entries.length} WIN_CERTIFICATE entr${entries.length === 1 ? "y" : "ies"}` +
        (anomalies.length ? `; anomalies: ${anomalies.map((a) => a.code).join(", ")}` : ""),
    ),
  );
  run.entries = entries;
  run.anomalies.push(...anomalies);
  const locationAnomaly = anomalies.find(
    (a) => a.code === "cert-table-past-eof" || a.code === "cert-table-in-headers",
  );
  if (locationAnomaly) run.tableProblem = locationAnomaly.message;
}

/** `certificate-entry`: verifies each PKCS#7 SignedData entry; any other type is recorded as skipped. */
function certificateEntryStep(run: FileRun): void {
  for (const entry of run.entries) {
    if (entry.certificateType !== WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
      run.steps.push(
        stepRecord(
          "certificate-entry",
          "skip",
          `entry ${entry.index} has type ${entry.certificateType}, not PKCS#7 SignedData`,
          String(entry.index),
        ),
      );
      continue;
    }
    verifyEntry(run, entry);
  }
}

/** `file-state`: the policy's rule (primary signature, or worst of all) decides the file's state. */
function fileStateStep(run: FileRun): void {
  const rule = run.policy.signatures;
  const decided = decideFileState(run.signatures, rule);
  if (!decided) {
    run.steps.push(
      stepRecord(
        "file-state",
        "fail",
        "a certificate table is declared but holds no readable PKCS#7 SignedData entry",
      ),
    );
    return;
  }
  run.state = decided.state;
  run.decidedBy = decided.decidedBy;
  run.steps.push(
    stepRecord(
      "file-state",
      decided.state === "valid" ? "pass" : "fail",
      rule === "primary"
        ? `primary signature ${decided.decidedBy} decides (WinVerifyTrust/sigcheck rule): ${decided.state}`
        : `worst of ${run.signatures.length} signature(s) decides: ${decided.decidedBy} is ${decided.state}`,
    ),
  );
}

/**
 * Decodes one WIN_CERTIFICATE's SignedData and verifies it with its nested signatures. An entry
 * Windows would not use (not WIN_CERT_REVISION_2_0, or a table outside the file or in the headers;
 * Windows and signify `_parse_pe_header_locations`) is still verified for evidence, then each of
 * its signatures is marked `malformed` with a failing `certificate-entry` record.
 */
function verifyEntry(file: FileContext, entry: WinCertificateEntry): void {
  const path = String(entry.index);
  const origin: Asn1Origin = { base: entry.certificate, fileOffset: entry.certificateOffset };
  let signedData: SignedDataModel;
  try {
    signedData = parseContentInfoSignedData(entry.certificate, origin, "WIN_CERTIFICATE.bCertificate");
  } catch (error) {
    if (!(error instanceof AuthenticodeError)) throw error;
    const reason = `PKCS#7 SignedData cannot be decoded: ${error.message}`;
    file.signatures.push(malformedResult(file, path, entry.index, entry.certificateOffset, reason));
    return;
  }
  const first = file.signatures.length;
  verifySignedData(file, signedData, origin, path, entry.index, 0);
  const unusable =
    entry.revision !== WIN_CERT_REVISION_2_0
      ? `WIN_CERTIFICATE wRevision is 0x${entry.revision.toString(16)}, not WIN_CERT_REVISION_2_0 (0x200)`
      : file.tableProblem;
  if (!unusable) return;
  const reason = `${unusable}; Windows does not use the entry (signature evidence: ${file.signatures[first]?.state ?? "none"})`;
  for (const signature of file.signatures.slice(first)) {
    signature.state = "malformed";
    signature.reason = reason;
    signature.steps.push(stepRecord("certificate-entry", "fail", reason, signature.path));
  }
}

/**
 * The per-signature driver: runs every step of {@link SIGNATURE_STEPS} in order on one SignedData
 * (top-level or nested) until one stops the pipeline. Past {@link MAX_SIGNATURES} signatures it
 * records a `cert-table-too-many-entries` anomaly instead.
 */
function verifySignedData(
  file: FileContext,
  sd: SignedDataModel,
  origin: Asn1Origin,
  path: string,
  entryIndex: number,
  depth: number,
): void {
  if (file.signatures.length >= MAX_SIGNATURES) {
    file.anomalies.push({
      code: "cert-table-too-many-entries",
      offset: sd.offset,
      message: `more than ${MAX_SIGNATURES} signatures; ${path} and later ones were not verified`,
    });
    return;
  }
  const ctx = newSignatureContext(file, sd, origin, path, entryIndex, depth);
  for (const name of SIGNATURE_STEPS) if (SIGNATURE_STEP_FUNCTIONS[name](ctx) === "stop") return;
}

/**
 * `nested`: verifies each nested signature (1.3.6.1.4.1.311.2.4.1) that `unsigned-attributes`
 * collected, depth-first after its parent, down to {@link MAX_NESTING_DEPTH} (deeper ones are
 * recorded as skipped); one that cannot be decoded is recorded as `malformed`.
 */
function nestedStep(ctx: SignatureContext): void {
  const { file, origin, entryIndex, depth } = ctx;
  ctx.nested.forEach((node, k) => {
    const childPath = `${ctx.path}.nested[${k}]`;
    if (depth + 1 > MAX_NESTING_DEPTH) {
      ctx.steps.push(
        stepRecord("nested", "skip", `nesting deeper than ${MAX_NESTING_DEPTH} not followed`, childPath),
      );
      return;
    }
    let child: SignedDataModel;
    try {
      child = parseContentInfoNode(node, origin, "NestedSignature");
    } catch (error) {
      if (!(error instanceof AuthenticodeError)) throw error;
      const reason = `nested signature cannot be decoded: ${error.message}`;
      file.signatures.push(
        malformedResult(file, childPath, entryIndex, error.offset ?? ctx.sd.offset, reason),
      );
      return;
    }
    verifySignedData(file, child, origin, childPath, entryIndex, depth + 1);
  });
}
