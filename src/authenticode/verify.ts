/**
 * Authenticode verification of a PE file: a pipeline of named steps over each WIN_CERTIFICATE
 * SignedData and its nested signatures, producing a state per signature with integrity, time
 * and trust evidence, then a file state by the policy's rule. The state rule is documented in
 * docs/authenticode.md (§ "How a state is reached").
 *
 * Sources: "Windows Authenticode Portable Executable Signature Format" v1.0
 * (https://download.microsoft.com/download/9/c/5/9c5b2167-8017-4bae-9fde-d599bac8184a/Authenticode_PE.docx);
 * RFC 5652 §5.4–5.6; signify `SignedData.verify`/`SignerInfo.verify`; osslsigncode
 * `verify_authenticode`; docs/authenticode.md ("How a state is reached", "Where we differ, and
 * why").
 */
import { type Asn1Node, type Asn1Origin } from "./asn1.js";
import { digestAlgorithmFromOid, signatureSchemeFromOid, toHex, type DigestAlgorithm } from "./algorithms.js";
import { authentihash, excludedRanges } from "./authentihash.js";
import type { CertificateInfo } from "./certificate-cache.js";
import {
  scanCertificateTable,
  WIN_CERT_REVISION_2_0,
  WIN_CERT_TYPE_PKCS_SIGNED_DATA,
  type CertificateTableAnomaly,
  type WinCertificateEntry,
} from "./certificate-table.js";
import { buildChain, ekuAllows, type ChainResult } from "./chain.js";
import { issuerProblem, position, validityProblem } from "./path-validation.js";
import { AuthenticodeError } from "./errors.js";
import {
  EKU_CODE_SIGNING,
  EKU_MS_LIFETIME_SIGNING,
  OID_CONTENT_TYPE,
  OID_COUNTERSIGNATURE,
  OID_MS_NESTED_SIGNATURE,
  OID_MS_RFC3161_TIMESTAMP,
  OID_SIGNING_TIME,
  OID_SPC_INDIRECT_DATA,
  OID_SPC_PE_IMAGE_DATA,
} from "./oids.js";
import { computePageHashes } from "./page-hashes.js";
import { certificateTableLocation, type PeLayout } from "./pe-layout.js";
import type { VerificationPolicy } from "./policy.js";
import {
  type AuthenticodeResult,
  type AuthenticodeState,
  type CertificateSummary,
  type IntegrityEvidence,
  type SignatureResult,
  type TimeEvidence,
  type TrustEvidence,
  type VerificationStep,
} from "./result.js";
import { parseContentInfoNode, parseContentInfoSignedData, type SignedDataModel } from "./signed-data.js";
import { parseSpcIndirectData, type SpcIndirectData } from "./spc-indirect-data.js";
import { verifySignerInfo } from "./signer-verification.js";
import {
  checkPkcs9Countersignature,
  checkRfc3161Timestamp,
  parsePool,
  type TimestampCheck,
} from "./timestamp.js";
import { Asn1Reader } from "./asn1.js";
import { decideFileState, decideSignatureState } from "./state-rule.js";

/** At most this many signatures (top-level + nested) are verified per file. */
export const MAX_SIGNATURES = 32;
/** Nested signatures are followed this deep (real files: 1). */
export const MAX_NESTING_DEPTH = 4;

/** Unsigned attributes this verifier interprets; any other one is reported as an anomaly. */
const KNOWN_UNSIGNED_ATTRIBUTES = new Set([
  OID_COUNTERSIGNATURE,
  OID_MS_RFC3161_TIMESTAMP,
  OID_MS_NESTED_SIGNATURE,
]);

interface Run {
  bytes: Uint8Array;
  pe: PeLayout;
  policy: VerificationPolicy;
  at: Date;
  signatures: SignatureResult[];
  anomalies: CertificateTableAnomaly[];
  /** Authentihash per algorithm, computed once per file. */
  digests: Map<DigestAlgorithm, string>;
  /** Why the table's location makes every entry unusable (past EOF, inside the headers), if so. */
  tableProblem?: string;
}

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
  const steps: VerificationStep[] = [];
  const rule = policy.signatures;
  const location = certificateTableLocation(pe);
  if (!location) {
    steps.push({
      step: "certificate-table",
      outcome: "skip",
      detail: "data directory 4 (SECURITY) is empty: no embedded signature",
    });
    return { state: "unsigned", rule, signatures: [], anomalies: [], steps, verifiedAt: at.toISOString() };
  }
  const scan = scanCertificateTable(bytes, location, pe.optionalHeader.sizeOfHeaders);
  steps.push({
    step: "certificate-table",
    outcome: scan.anomalies.length === 0 ? "pass" : "warn",
    detail:
      `table at 0x${location.offset.toString(16)}, ${location.size} bytes, ${scan.entries.length} WIN_CERTIFICATE entr${scan.entries.length === 1 ? "y" : "ies"}` +
      (scan.anomalies.length ? `; anomalies: ${scan.anomalies.map((a) => a.code).join(", ")}` : ""),
  });
  const run: Run = {
    bytes,
    pe,
    policy,
    at,
    signatures: [],
    anomalies: [...scan.anomalies],
    digests: new Map(),
  };
  const locationAnomaly = scan.anomalies.find(
    (a) => a.code === "cert-table-past-eof" || a.code === "cert-table-in-headers",
  );
  if (locationAnomaly) run.tableProblem = locationAnomaly.message;
  for (const entry of scan.entries) {
    if (entry.certificateType !== WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
      steps.push({
        step: "certificate-entry",
        outcome: "skip",
        detail: `entry ${entry.index} has type ${entry.certificateType}, not PKCS#7 SignedData`,
        path: String(entry.index),
      });
      continue;
    }
    verifyEntry(run, entry);
  }

  const decided = decideFileState(run.signatures, rule);
  const state: AuthenticodeState = decided?.state ?? "malformed";
  const decidedBy = decided?.decidedBy;
  if (!decided) {
    steps.push({
      step: "file-state",
      outcome: "fail",
      detail: "a certificate table is declared but holds no readable PKCS#7 SignedData entry",
    });
  } else {
    steps.push({
      step: "file-state",
      outcome: state === "valid" ? "pass" : "fail",
      detail:
        rule === "primary"
          ? `primary signature ${decided.decidedBy} decides (WinVerifyTrust/sigcheck rule): ${state}`
          : `worst of ${run.signatures.length} signature(s) decides: ${decided.decidedBy} is ${state}`,
    });
  }
  for (const signature of run.signatures) steps.push(...signature.steps);
  return {
    state,
    rule,
    ...(decidedBy !== undefined ? { decidedBy } : {}),
    signatures: run.signatures,
    anomalies: run.anomalies,
    steps,
    verifiedAt: at.toISOString(),
  };
}

function verifyEntry(run: Run, entry: WinCertificateEntry): void {
  const path = String(entry.index);
  const origin: Asn1Origin = { base: entry.certificate, fileOffset: entry.certificateOffset };
  let signedData: SignedDataModel;
  try {
    signedData = parseContentInfoSignedData(entry.certificate, origin, "WIN_CERTIFICATE.bCertificate");
  } catch (error) {
    if (!(error instanceof AuthenticodeError)) throw error;
    run.signatures.push(
      malformed(
        run,
        path,
        entry.index,
        entry.certificateOffset,
        `PKCS#7 SignedData cannot be decoded: ${error.message}`,
      ),
    );
    return;
  }
  const first = run.signatures.length;
  verifySignedData(run, signedData, origin, path, entry.index, 0);
  // The signature is verified for evidence, but the entry is not one Windows would use:
  // - only WIN_CERT_REVISION_2_0 entries are read (Windows, signify);
  // - the table must lie inside the file, after the headers (signify `_parse_pe_header_locations`).
  const unusable =
    entry.revision !== WIN_CERT_REVISION_2_0
      ? `WIN_CERTIFICATE wRevision is 0x${entry.revision.toString(16)}, not WIN_CERT_REVISION_2_0 (0x200)`
      : run.tableProblem;
  if (unusable) {
    const reason = `${unusable}; Windows does not use the entry (signature evidence: ${run.signatures[first]?.state ?? "none"})`;
    for (const signature of run.signatures.slice(first)) {
      signature.state = "malformed";
      signature.reason = reason;
      signature.steps.push({
        step: "certificate-entry",
        outcome: "fail",
        detail: reason,
        path: signature.path,
      });
    }
  }
}

/** Verifies one SignedData (top-level or nested) and, recursively, its nested signatures. */
function verifySignedData(
  run: Run,
  sd: SignedDataModel,
  origin: Asn1Origin,
  path: string,
  entryIndex: number,
  depth: number,
): void {
  if (run.signatures.length >= MAX_SIGNATURES) {
    run.anomalies.push({
      code: "cert-table-too-many-entries",
      offset: sd.offset,
      message: `more than ${MAX_SIGNATURES} signatures; ${path} and later ones were not verified`,
    });
    return;
  }
  const { policy, at } = run;
  const cache = policy.trust.cache;
  const steps: VerificationStep[] = [];
  const step = (name: string, outcome: VerificationStep["outcome"], detail: string): void => {
    steps.push({ step: name, outcome, detail, path });
  };
  const fail = (reason: string): SignatureResult =>
    malformed(run, path, entryIndex, sd.offset, reason, steps);

  // 1. Structure: SPC_INDIRECT_DATA content, one SignerInfo.
  if (sd.eContentType !== OID_SPC_INDIRECT_DATA || !sd.eContent) {
    run.signatures.push(
      fail(
        `SignedData content type is ${sd.eContentType}${sd.eContent ? "" : " without content"}, not SpcIndirectDataContent`,
      ),
    );
    return;
  }
  let spc: SpcIndirectData;
  try {
    spc = parseSpcIndirectData(sd.eContent, origin);
  } catch (error) {
    if (!(error instanceof AuthenticodeError)) throw error;
    run.signatures.push(fail(`SpcIndirectDataContent cannot be decoded: ${error.message}`));
    return;
  }
  const signer = sd.signerInfos[0];
  if (!signer || sd.signerInfos.length !== 1) {
    run.signatures.push(
      fail(`SignedData has ${sd.signerInfos.length} SignerInfos; Authenticode requires exactly one`),
    );
    return;
  }
  step(
    "parse-cms",
    "pass",
    `SignedData v${sd.version}, ${sd.certificates.length} certificate(s), SpcIndirectDataContent data type ${spc.dataType}`,
  );
  if (spc.dataType !== OID_SPC_PE_IMAGE_DATA)
    step(
      "spc-data-type",
      "warn",
      `data type ${spc.dataType} is not SpcPeImageData (${OID_SPC_PE_IMAGE_DATA})`,
    );

  const invalid: string[] = [];
  const integrity: IntegrityEvidence = {
    excludedRanges: excludedRanges(run.pe, run.bytes.length),
    imageDigest: "skip",
    algorithmsConsistent: false,
    messageDigest: "skip",
    cmsSignature: "skip",
    pageHashes: "absent",
  };

  // 2. One digest algorithm everywhere (signify: SignedData, SpcIndirectData and SignerInfo equal).
  const spcAlgorithm = digestAlgorithmFromOid(spc.digestAlgorithmOid);
  const signerAlgorithm = digestAlgorithmFromOid(signer.digestAlgorithm.oid);
  const sdAlgorithms = sd.digestAlgorithms.map((a) => digestAlgorithmFromOid(a.oid) ?? a.oid);
  if (spcAlgorithm) integrity.algorithm = spcAlgorithm;
  integrity.algorithmsConsistent =
    spcAlgorithm !== undefined &&
    spcAlgorithm === signerAlgorithm &&
    sdAlgorithms.length === 1 &&
    sdAlgorithms[0] === spcAlgorithm;
  if (!spcAlgorithm || !signerAlgorithm) {
    invalid.push(
      `unsupported digest algorithm (${spcAlgorithm ? signer.digestAlgorithm.oid : spc.digestAlgorithmOid})`,
    );
    step("digest-algorithms", "fail", invalid[invalid.length - 1]!);
  } else if (!integrity.algorithmsConsistent) {
    invalid.push(
      `inconsistent digest algorithms: SignedData [${sdAlgorithms.join(", ")}], SpcIndirectDataContent ${spcAlgorithm}, SignerInfo ${signerAlgorithm}`,
    );
    step("digest-algorithms", "fail", invalid[invalid.length - 1]!);
  } else {
    step(
      "digest-algorithms",
      spcAlgorithm === "md5" || spcAlgorithm === "sha1" ? "warn" : "pass",
      `${spcAlgorithm} in SignedData, SpcIndirectDataContent and SignerInfo${spcAlgorithm === "md5" ? " (MD5: weak digest, see the weak-digest step)" : spcAlgorithm === "sha1" ? " (SHA-1: legacy digest, still accepted by WinVerifyTrust)" : ""}`,
    );
  }
  // MD5 anywhere the signature's own evidence depends on it (docs/authenticode.md "Weak digests").
  const weak: string[] = [];
  if (spcAlgorithm === "md5") weak.push("MD5 file digest (SpcIndirectDataContent.messageDigest)");
  if (signerAlgorithm === "md5") weak.push("MD5 signer digest (SignerInfo.digestAlgorithm)");
  if (signatureSchemeFromOid(signer.signatureAlgorithm.oid)?.hash === "md5")
    weak.push(`MD5 signature algorithm (SignerInfo.signatureAlgorithm ${signer.signatureAlgorithm.oid})`);

  // 3. Image digest (flat authentihash) vs SpcIndirectDataContent.messageDigest.
  if (spcAlgorithm) {
    let computed = run.digests.get(spcAlgorithm);
    if (computed === undefined) {
      computed = authentihash(run.bytes, run.pe, spcAlgorithm).digest;
      run.digests.set(spcAlgorithm, computed);
    }
    integrity.computedDigest = computed;
    integrity.signedDigest = toHex(spc.digest);
    integrity.imageDigest = computed === integrity.signedDigest ? "pass" : "fail";
    if (integrity.imageDigest === "fail")
      invalid.push("the file's authentihash does not match the signed digest (modified after signing)");
    step(
      "image-digest",
      integrity.imageDigest,
      `${spcAlgorithm} authentihash ${computed} ${integrity.imageDigest === "pass" ? "==" : "!="} signed ${integrity.signedDigest}`,
    );
  }

  // 4. Page hashes (optional).
  if (spc.pageHashes) {
    const computed = computePageHashes(run.bytes, run.pe, spc.pageHashes.algorithm);
    integrity.pageHashes =
      computed !== undefined && Buffer.compare(computed, Buffer.from(spc.pageHashes.table)) === 0
        ? "pass"
        : "fail";
    if (integrity.pageHashes === "fail") invalid.push("page hashes do not match the file");
    step(
      "page-hashes",
      integrity.pageHashes,
      `${spc.pageHashes.algorithm} page hashes (${spc.pageHashes.table.length} bytes) ${integrity.pageHashes === "pass" ? "match" : computed ? "differ" : "cannot be recomputed for this layout"}`,
    );
  } else {
    step("page-hashes", "skip", "no page hashes in SpcPeImageData");
  }

  // 5. messageDigest attribute and CMS signature.
  const verification = verifySignerInfo(signer, sd.eContentValue, sd.certificates, cache, origin);
  integrity.messageDigest = verification.messageDigest;
  integrity.cmsSignature = verification.signature;
  step(
    "message-digest",
    verification.messageDigest,
    verification.messageDigest === "pass"
      ? "messageDigest attribute == digest of SpcIndirectDataContent"
      : problemsFor(verification.problems, "messageDigest"),
  );
  if (verification.messageDigest === "fail")
    invalid.push("the messageDigest signed attribute does not match SpcIndirectDataContent");
  const contentTypeAttr = signer.signedAttrs?.attributes.find((a) => a.oid === OID_CONTENT_TYPE);
  if (contentTypeAttr) {
    const r = new Asn1Reader(origin);
    let value: string;
    try {
      value = r.oid(contentTypeAttr.values[0], "contentType");
    } catch {
      value = "(unreadable)";
    }
    if (value !== OID_SPC_INDIRECT_DATA) {
      invalid.push(`contentType signed attribute is ${value}, not SPC_INDIRECT_DATA`);
      step("content-type-attribute", "fail", invalid[invalid.length - 1]!);
    }
  } else if (signer.signedAttrs) {
    step("content-type-attribute", "warn", "no contentType signed attribute");
  }
  if (!verification.signer) {
    invalid.push("the signer certificate is not in the SignedData");
    step("signer-certificate", "fail", invalid[invalid.length - 1]!);
  } else {
    step(
      "signer-certificate",
      "pass",
      `${verification.signer.info.subject} (matched by ${verification.signer.matchedBy})`,
    );
  }
  step(
    "cms-signature",
    verification.signature,
    verification.signature === "pass"
      ? `signature (${signer.signatureAlgorithm.oid}) over the signed attributes verifies`
      : problemsFor(verification.problems, "signature"),
  );
  if (verification.signature === "fail" && verification.signer)
    invalid.push("the CMS signature does not verify");

  // 6. Unsigned attributes: timestamps, nested signatures, unknown blobs.
  const timestamps: TimestampCheck[] = [];
  const nested: Asn1Node[] = [];
  const tsContext = {
    outerSignature: signer.signature,
    outerCertificates: sd.certificates,
    trust: policy.trust,
    cache,
    strict: policy.strict,
    origin,
    at,
  };
  for (const attribute of signer.unsignedAttrs) {
    if (attribute.oid === OID_MS_RFC3161_TIMESTAMP && attribute.values[0])
      timestamps.push(checkRfc3161Timestamp(attribute.values[0], attribute.offset, tsContext));
    else if (attribute.oid === OID_COUNTERSIGNATURE && attribute.values[0])
      timestamps.push(checkPkcs9Countersignature(attribute.values[0], attribute.offset, tsContext));
    else if (attribute.oid === OID_MS_NESTED_SIGNATURE) nested.push(...attribute.values);
    else if (!KNOWN_UNSIGNED_ATTRIBUTES.has(attribute.oid)) {
      run.anomalies.push({
        code: "unauthenticated-attribute-blob",
        offset: attribute.offset,
        message: `signature ${path} carries unsigned attribute ${attribute.oid} (${attribute.values.reduce((n, v) => n + v.valueBeforeDecodeView.length, 0)} bytes) outside what the signature protects`,
      });
      step("unsigned-attributes", "warn", `unknown unsigned attribute ${attribute.oid}`);
    }
  }

  // 7. Time: timestamp unless lifetime signing; otherwise the policy's time.
  const leaf = verification.signer?.info;
  const lifetimeSigning = leaf?.extendedKeyUsage?.includes(EKU_MS_LIFETIME_SIGNING) ?? false;
  const usable = timestamps.find((t) => t.valid && t.trusted) ?? timestamps.find((t) => t.valid);
  for (const t of timestamps) {
    step(
      "timestamp",
      t.valid ? (t.trusted ? "pass" : "warn") : "fail",
      `${t.kind} timestamp ${t.time?.toISOString() ?? "(no time)"}: ${t.valid ? (t.trusted ? "valid, TSA chain anchored" : "valid, TSA chain not anchored") : t.problems.join("; ")}`,
    );
  }
  if (timestamps.length === 0) step("timestamp", "skip", "no timestamp");
  const future = usable ? undefined : timestamps.find((t) => t.fromTheFuture && t.time);
  if (future?.time)
    step(
      "timestamp",
      "fail",
      `the ${future.kind} timestamp ${future.time.toISOString()} is later than the verification time ${at.toISOString()}: not evidence, the signature is judged at the verification time`,
    );
  let verifiedAt = at;
  let verifiedAtSource: TimeEvidence["verifiedAtSource"] = "policy";
  if (lifetimeSigning) {
    verifiedAtSource = "policy-lifetime-signing";
    step(
      "lifetime-signing",
      "warn",
      `signer carries lifetime signing (${EKU_MS_LIFETIME_SIGNING}): the timestamp is ignored, chain judged at ${at.toISOString()}`,
    );
  } else if (usable?.time) {
    verifiedAt = usable.time;
    verifiedAtSource = "timestamp";
  }
  const signingTimeAttr = signer.signedAttrs?.attributes.find((a) => a.oid === OID_SIGNING_TIME);
  let signingTime: string | undefined;
  if (signingTimeAttr) {
    try {
      signingTime = new Asn1Reader(origin).time(signingTimeAttr.values[0], "signingTime").toISOString();
    } catch {
      signingTime = undefined;
    }
  }

  // 8. Chain, EKU, key usage, explicit curves, validity.
  let chain: ChainResult | undefined;
  let ekuCodeSigning: TrustEvidence["ekuCodeSigning"] = "unknown";
  let timeProblem: ReturnType<typeof validityProblem>;
  if (leaf && verification.signer) {
    chain = buildChain(leaf, parsePool(sd.certificates, cache), policy.trust, cache);
    const last = chain.certificates[chain.certificates.length - 1]!;
    step(
      "chain",
      chain.anchor ? "pass" : "warn",
      chain.anchor
        ? `${chain.certificates.length} certificate(s) to anchor "${chain.anchor.certificate.subject}" (${chain.anchor.source})`
        : chain.complete
          ? `ends at root "${last.subject}" that is not a trust anchor${chain.selfSigned ? " (the signer is self-signed)" : ""}`
          : `incomplete: no certificate issued "${last.subject}" (issuer "${last.issuer}")`,
    );
    // RFC 5280 §6.1.4 issuer rules: basicConstraints, pathLenConstraint, keyUsage keyCertSign.
    const broken = issuerProblem(chain);
    if (broken) {
      invalid.push(`RFC 5280 path validation fails (${broken.detail})`);
      step("path-validation", "fail", broken.detail);
    } else {
      step(
        "path-validation",
        "pass",
        chain.certificates.length === 1
          ? "no issuer in the path (single certificate)"
          : `every issuer below the ${chain.anchor ? "trust anchor" : "top of the chain"} is a CA (basicConstraints cA=TRUE) within its pathLenConstraint, with keyCertSign wherever keyUsage is present (RFC 5280 §6.1.4(k)–(n))`,
      );
    }
    // Certificates signed with MD5 below the anchor (Microsoft Security Advisory 2862973).
    for (const [index, certificate] of chain.certificates.entries()) {
      if (chain.anchor && index === chain.certificates.length - 1) continue; // the anchor itself
      if (certificate.profile?.signatureHash === "md5" && !isSelfIssuedRoot(chain, index))
        weak.push(`MD5 certificate signature on ${position(index, certificate)}`);
    }
    ekuCodeSigning = ekuAllows(leaf, EKU_CODE_SIGNING);
    if (ekuCodeSigning === "denied" || (ekuCodeSigning === "absent" && policy.strict)) {
      invalid.push(
        `signer certificate EKU ${ekuCodeSigning === "denied" ? `[${leaf.extendedKeyUsage?.join(", ")}] lacks` : "is absent, strict mode requires"} codeSigning (${EKU_CODE_SIGNING})`,
      );
      step("eku", "fail", invalid[invalid.length - 1]!);
    } else {
      step(
        "eku",
        ekuCodeSigning === "allowed" ? "pass" : "warn",
        ekuCodeSigning === "allowed"
          ? "signer EKU allows codeSigning"
          : "signer has no EKU extension (accepted by WinVerifyTrust; strict mode refuses)",
      );
    }
    // Windows EKU nesting: a CA that restricts EKUs must allow codeSigning too. The anchor is exempt.
    for (const ca of chain.certificates.slice(1)) {
      if (chain.anchor && ca.sha256 === chain.anchor.certificate.sha256) continue;
      if (ekuAllows(ca, EKU_CODE_SIGNING) === "denied") {
        invalid.push(
          `issuing CA "${ca.subject}" restricts EKUs to [${ca.extendedKeyUsage?.join(", ")}] without codeSigning`,
        );
        step("eku", "fail", invalid[invalid.length - 1]!);
      }
    }
    if (
      policy.strict &&
      verification.signer.embedded.keyUsage &&
      !verification.signer.embedded.keyUsage.digitalSignature
    ) {
      invalid.push("strict: signer keyUsage does not allow digitalSignature");
      step("key-usage", "fail", invalid[invalid.length - 1]!);
    }
    // CVE-2020-0601: a CA with explicit EC parameters posing as an issuer. OpenSSL refuses such
    // links, so also look at the would-be issuers of the chain's last certificate.
    const lastIssuer = chain.certificates[chain.certificates.length - 1]!.issuer;
    const explicit =
      chain.certificates.find((c) => c.explicitCurve) ??
      (chain.complete
        ? undefined
        : parsePool(sd.certificates, cache).find((c) => c.explicitCurve && c.subject === lastIssuer));
    if (explicit) {
      invalid.push(`certificate "${explicit.subject}" uses explicit EC parameters (CVE-2020-0601 pattern)`);
      step("explicit-curve", "fail", invalid[invalid.length - 1]!);
    }
    // A timestamp from a TSA we cannot anchor is only needed when the chain is not valid at the
    // policy time anyway; otherwise judge at the policy time and keep the anchored verdict.
    if (
      verifiedAtSource === "timestamp" &&
      usable &&
      !usable.trusted &&
      chain.anchor &&
      !validityProblem(chain.certificates, at)
    ) {
      verifiedAt = at;
      verifiedAtSource = "policy";
      step(
        "timestamp",
        "warn",
        `the TSA chain reaches no anchor, but the signer chain is valid at ${at.toISOString()} without it`,
      );
    }
    timeProblem = validityProblem(chain.certificates, verifiedAt);
    step(
      "validity",
      timeProblem ? "fail" : "pass",
      timeProblem
        ? `${timeProblem.detail}; time from ${verifiedAtSource}`
        : `all ${chain.certificates.length} certificate(s) valid at ${verifiedAt.toISOString()} (time from ${verifiedAtSource})`,
    );
  }
  if (weak.length > 0)
    step(
      "weak-digest",
      "fail",
      `${weak.join("; ")}: MD5 is not accepted as evidence (Microsoft Security Advisory 2862973)`,
    );

  // 9. State (state-rule.ts).
  const last = chain?.certificates[chain.certificates.length - 1];
  const { state, reason } = decideSignatureState({
    invalid,
    ...(timeProblem
      ? {
          timeProblem: {
            subject: timeProblem.certificate.subject,
            index: timeProblem.index,
            reason: timeProblem.reason,
          },
        }
      : {}),
    ...(weak.length > 0 ? { weakDigest: weak } : {}),
    ...(future?.time ? { futureTimestamp: future.time } : {}),
    verifiedAt,
    verifiedAtSource,
    validTimestamp: usable !== undefined,
    timestampTrusted: usable?.trusted ?? false,
    ...(chain && leaf && last
      ? {
          chain: {
            ...(chain.anchor ? { anchorSubject: chain.anchor.certificate.subject } : {}),
            complete: chain.complete,
            selfSigned: chain.selfSigned,
            leafSubject: leaf.subject,
            lastSubject: last.subject,
            lastIssuer: last.issuer,
          },
        }
      : {}),
  });
  step("state", state === "valid" ? "pass" : "fail", `${state}: ${reason}`);

  const usableEvidence = usable ?? timestamps[0];
  const time: TimeEvidence = {
    ...(signingTime ? { signingTime } : {}),
    ...(usableEvidence ? { timestamp: timestampEvidence(usableEvidence) } : {}),
    verifiedAt: verifiedAt.toISOString(),
    verifiedAtSource,
    ...(leaf
      ? { leafValidity: { notBefore: leaf.notBefore.toISOString(), notAfter: leaf.notAfter.toISOString() } }
      : {}),
  };
  const trust: TrustEvidence = {
    chain: (chain?.certificates ?? []).map(summary),
    ...(chain?.anchor
      ? {
          anchor: {
            subject: chain.anchor.certificate.subject,
            sha256: chain.anchor.certificate.sha256,
            source: chain.anchor.source,
          },
        }
      : {}),
    chainComplete: chain?.complete ?? false,
    selfSigned: chain?.selfSigned ?? false,
    ekuCodeSigning,
    lifetimeSigning,
    revocation: "not-checked",
  };
  run.signatures.push({
    path,
    entryIndex,
    offset: sd.offset,
    state,
    reason,
    ...(verification.signer
      ? {
          signer: {
            subject: verification.signer.info.subject,
            issuer: verification.signer.info.issuer,
            serial: verification.signer.embedded.serial,
          },
        }
      : {}),
    integrity,
    time,
    trust,
    steps,
  });

  // 10. Nested signatures (1.3.6.1.4.1.311.2.4.1), depth-first, capped.
  nested.forEach((node, k) => {
    const childPath = `${path}.nested[${k}]`;
    if (depth + 1 > MAX_NESTING_DEPTH) {
      steps.push({
        step: "nested",
        outcome: "skip",
        detail: `nesting deeper than ${MAX_NESTING_DEPTH} not followed`,
        path: childPath,
      });
      return;
    }
    let child: SignedDataModel;
    try {
      child = parseContentInfoNode(node, origin, "NestedSignature");
    } catch (error) {
      if (!(error instanceof AuthenticodeError)) throw error;
      run.signatures.push(
        malformed(
          run,
          childPath,
          entryIndex,
          error.offset ?? sd.offset,
          `nested signature cannot be decoded: ${error.message}`,
        ),
      );
      return;
    }
    verifySignedData(run, child, origin, childPath, entryIndex, depth + 1);
  });
}

/** The chain's last certificate is a self-issued root (its self-signature's hash proves nothing). */
function isSelfIssuedRoot(chain: ChainResult, index: number): boolean {
  return index === chain.certificates.length - 1 && chain.certificates[index]!.selfIssued;
}

function problemsFor(problems: readonly string[], topic: string): string {
  const relevant = problems.filter(
    (p) => p.toLowerCase().includes(topic.toLowerCase()) || p.includes("certificate"),
  );
  return (relevant.length ? relevant : problems).join("; ") || `${topic} not checked`;
}

function malformed(
  run: Run,
  path: string,
  entryIndex: number,
  offset: number,
  reason: string,
  steps: VerificationStep[] = [],
): SignatureResult {
  steps.push({ step: "parse-cms", outcome: "fail", detail: reason, path });
  steps.push({ step: "state", outcome: "fail", detail: `malformed: ${reason}`, path });
  return {
    path,
    entryIndex,
    offset,
    state: "malformed",
    reason,
    integrity: {
      excludedRanges: excludedRanges(run.pe, run.bytes.length),
      imageDigest: "skip",
      algorithmsConsistent: false,
      messageDigest: "skip",
      cmsSignature: "skip",
      pageHashes: "skip",
    },
    time: { verifiedAt: run.at.toISOString(), verifiedAtSource: "policy" },
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

function summary(c: CertificateInfo): CertificateSummary {
  return {
    subject: c.subject,
    issuer: c.issuer,
    sha256: c.sha256,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
  };
}

function timestampEvidence(t: TimestampCheck): NonNullable<TimeEvidence["timestamp"]> {
  return {
    kind: t.kind,
    ...(t.time ? { time: t.time.toISOString() } : {}),
    valid: t.valid,
    trusted: t.trusted,
    tsaChain: (t.chain?.certificates ?? []).map(summary),
    problems: t.problems,
  };
}
