/**
 * The state the Authenticode verification steps share: one {@link FileContext} per
 * `verifyAuthenticode` call (bytes, layout, policy, the signatures found so far) and one
 * {@link SignatureContext} per SignedData, which the steps of src/authenticode/steps/ read and
 * fill in order. Also the result recorded for a signature that cannot be decoded.
 *
 * Source: signify's `VerificationContext` (https://github.com/ralphje/signify): all policy in one
 * object handed to every step.
 */
import type { Asn1Node, Asn1Origin } from "./asn1.js";
import type { DigestAlgorithm } from "./algorithms.js";
import { excludedRanges } from "./authentihash.js";
import type { CertificateTableAnomaly } from "./certificate-table.js";
import type { ChainResult } from "./chain.js";
import type { validityProblem } from "./path-validation.js";
import type { PeLayout } from "./pe-layout.js";
import type { VerificationPolicy } from "./policy.js";
import {
  stepRecord,
  type IntegrityEvidence,
  type SignatureResult,
  type StepOutcome,
  type TimeEvidence,
  type TrustEvidence,
  type VerificationStep,
} from "./result.js";
import type { SignedDataModel, SignerInfoModel } from "./signed-data.js";
import type { SignerVerification } from "./signer-verification.js";
import type { SpcIndirectData } from "./spc-indirect-data.js";
import type { TimestampCheck } from "./timestamp.js";
import type { StepName } from "./verification-steps.js";

/** Shared by every signature of one file. */
export interface FileContext {
  /** The whole file. */
  readonly bytes: Uint8Array;
  readonly pe: PeLayout;
  readonly policy: VerificationPolicy;
  /** The policy's verification time (default: now). */
  readonly at: Date;
  /** Every signature verified so far, in file order, nested ones after their parent. */
  readonly signatures: SignatureResult[];
  /** Certificate-table anomalies, then those found while verifying (too many signatures, unknown unsigned attributes). */
  readonly anomalies: CertificateTableAnomaly[];
  /** Authentihash per algorithm, computed once per file. */
  readonly digests: Map<DigestAlgorithm, string>;
  /** Why the table's location makes every entry unusable (past EOF, inside the headers), if so. */
  tableProblem?: string;
}

/** The CMS parts every step after `parse-cms` reads. */
export interface ParsedCms {
  spc: SpcIndirectData;
  /** The one SignerInfo. */
  signer: SignerInfoModel;
}

/** One signature being verified. Fields below `integrity` are filled by the steps named in their comments. */
export interface SignatureContext {
  readonly file: FileContext;
  readonly sd: SignedDataModel;
  /** Maps offsets inside `sd` to file offsets. */
  readonly origin: Asn1Origin;
  /** `"0"`, `"0.nested[0]"`, … */
  readonly path: string;
  readonly entryIndex: number;
  /** Nesting depth (0 = a WIN_CERTIFICATE's own SignedData). */
  readonly depth: number;
  /** Step records for this signature, in order. */
  readonly steps: VerificationStep[];
  /** Integrity and policy failures, in the order found (state-rule input). */
  readonly invalid: string[];
  /** Where MD5 carries the evidence (state-rule input). */
  readonly weak: string[];
  readonly integrity: IntegrityEvidence;
  /** `parse-cms`. */
  cms?: ParsedCms;
  /** `message-digest`: the SignerInfo check (messageDigest attribute, signer certificate, signature). */
  verification?: SignerVerification;
  /** `unsigned-attributes`. */
  readonly timestamps: TimestampCheck[];
  /** `unsigned-attributes`: nested SignedData nodes (1.3.6.1.4.1.311.2.4.1), for `nested`. */
  readonly nested: Asn1Node[];
  /** `timestamp`: the timestamp that can move the verification time (anchored first), if any. */
  usableTimestamp?: TimestampCheck;
  /** `timestamp`: a timestamp discarded for being later than the verification time. */
  futureTimestamp?: TimestampCheck;
  /** `lifetime-signing`, then `validity`: the time the chain is judged at. */
  verifiedAt: Date;
  verifiedAtSource: TimeEvidence["verifiedAtSource"];
  /** `lifetime-signing`. */
  lifetimeSigning: boolean;
  /** `chain`: present when the signer certificate was found. */
  chain?: ChainResult;
  /** `eku`. */
  ekuCodeSigning: TrustEvidence["ekuCodeSigning"];
  /** `validity`. */
  timeProblem?: NonNullable<ReturnType<typeof validityProblem>>;
}

/**
 * Integrity evidence before any digest is checked: every check `skip`, and `pageHashes` as the
 * caller says (`absent` until the SpcIndirectData is read, `skip` for a malformed signature).
 */
function uncheckedIntegrity(
  file: FileContext,
  pageHashes: IntegrityEvidence["pageHashes"],
): IntegrityEvidence {
  return {
    excludedRanges: excludedRanges(file.pe, file.bytes.length),
    imageDigest: "skip",
    algorithmsConsistent: false,
    messageDigest: "skip",
    cmsSignature: "skip",
    pageHashes,
  };
}

/** A fresh context for `sd`, nothing checked yet. */
export function newSignatureContext(
  file: FileContext,
  sd: SignedDataModel,
  origin: Asn1Origin,
  path: string,
  entryIndex: number,
  depth: number,
): SignatureContext {
  return {
    file,
    sd,
    origin,
    path,
    entryIndex,
    depth,
    steps: [],
    invalid: [],
    weak: [],
    integrity: uncheckedIntegrity(file, "absent"),
    timestamps: [],
    nested: [],
    verifiedAt: file.at,
    verifiedAtSource: "policy",
    lifetimeSigning: false,
    ekuCodeSigning: "unknown",
  };
}

/** Records one step outcome for this signature. */
export function record(ctx: SignatureContext, step: StepName, outcome: StepOutcome, detail: string): void {
  ctx.steps.push(stepRecord(step, outcome, detail, ctx.path));
}

/** Records a reason the signature is invalid, and a failing `step` that says the same. */
export function invalidate(ctx: SignatureContext, step: StepName, reason: string): void {
  ctx.invalid.push(reason);
  record(ctx, step, "fail", reason);
}

/**
 * The CMS parts, for the steps that run after `parse-cms`.
 * @throws Error when called before `parse-cms` succeeded (a bug in the step order).
 */
export function parsedCms(ctx: SignatureContext): ParsedCms {
  if (!ctx.cms) throw new Error(`signature ${ctx.path}: a step ran before parse-cms`);
  return ctx.cms;
}

/**
 * The SignerInfo check, for the steps that run after `message-digest`.
 * @throws Error when called before `message-digest` ran (a bug in the step order).
 */
export function signerVerification(ctx: SignatureContext): SignerVerification {
  if (!ctx.verification) throw new Error(`signature ${ctx.path}: a step ran before message-digest`);
  return ctx.verification;
}

/**
 * The result of a signature that cannot be decoded: state `malformed`, nothing checked. Appends a
 * failing `parse-cms` and `state` record to `steps`.
 */
export function malformedResult(
  file: FileContext,
  path: string,
  entryIndex: number,
  offset: number,
  reason: string,
  steps: VerificationStep[] = [],
): SignatureResult {
  steps.push(stepRecord("parse-cms", "fail", reason, path));
  steps.push(stepRecord("state", "fail", `malformed: ${reason}`, path));
  return {
    path,
    entryIndex,
    offset,
    state: "malformed",
    reason,
    integrity: uncheckedIntegrity(file, "skip"),
    time: { verifiedAt: file.at.toISOString(), verifiedAtSource: "policy" },
    trust: {
      chain: [],
      chainComplete: false,
      selfSigned: false,
      ekuCodeSigning: "unknown",
      lifetimeSigning: false,
      revocation: "not-checked",
    },
    steps,
  };
}

/**
 * One per-signature step: reads what earlier steps put in `ctx`, records its outcome(s) and
 * evidence there, and returns `"stop"` when the signature's pipeline must end (the step has then
 * recorded the signature's result itself).
 */
export type SignatureStep = (ctx: SignatureContext) => "stop" | void;
