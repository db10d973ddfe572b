/**
 * Builds the signature verifier that triage injects: one trust store and one policy per run
 * (so parsed certificates and chain results are cached across files), and the mapping from the
 * full Authenticode result to the summary triage judges.
 */
import {
  AuthenticodeError,
  TrustStore,
  defaultPolicy,
  verifyAuthenticode,
  type AuthenticodeResult,
  type SignatureSelection,
} from "../authenticode/index.js";
import { READ_LIMITS } from "../limits.js";
import type { PeImage } from "../pe/types.js";
import type { SignatureSummary, SignatureVerifier } from "../triage/index.js";
import { readUserFile } from "../util/safe-file.js";

export interface VerifierOptions {
  /** `--trust` files (PEM or DER). */
  trustFiles: readonly string[];
  /** Extra anchors, e.g. an image's Windows ROOT/AuthRoot stores. */
  extraAnchors?: ReadonlyArray<{ der: Uint8Array; source: string }>;
  /** Include Node's bundled roots (default true; `--no-system-roots` turns it off). */
  systemRoots?: boolean;
  /** Verification time (`--at`); default now. */
  at?: Date;
  signatures?: SignatureSelection;
  strict?: boolean;
}

/** The policy as reported in JSON (`policy` object of the triage and check documents). */
import type { ReportedPolicy } from "../report/report-types.js";

/** The policy as reported (src/report/report-types.ts). */
export type { ReportedPolicy };

export interface SignatureVerifierHandle {
  verify: SignatureVerifier;
  policy: ReportedPolicy;
}

/** The summary triage judges, from the verifier's full result. */
export function summarizeAuthenticode(result: AuthenticodeResult): SignatureSummary {
  const decided = result.signatures.find((s) => s.path === result.decidedBy) ?? result.signatures[0];
  const ts = decided?.time.timestamp;
  return {
    state: result.state,
    reason: decided?.reason ?? (result.state === "unsigned" ? "no certificate table" : undefined),
    signer: decided?.signer?.subject,
    issuer: decided?.signer?.issuer,
    digestAlgorithm: decided?.integrity.algorithm,
    timestamp: ts?.valid && ts.time ? { kind: ts.kind, time: ts.time } : undefined,
    signatureCount: result.signatures.length,
    anomalies: result.anomalies.map((a) => ({ code: a.code, message: a.message, offset: a.offset })),
  };
}

/**
 * Adds the certificates of one `--trust` file's bytes (PEM with one or more CERTIFICATE blocks,
 * or one DER certificate) to `store`.
 * @throws AuthenticodeError `bad-trust-file` when it holds no certificate.
 */
function addTrustFile(store: TrustStore, path: string, bytes: Uint8Array): void {
  const source = `file:${path}`;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
  if (text.includes("-----BEGIN CERTIFICATE-----")) {
    if (store.addPem(text, source) > 0) return;
  } else {
    try {
      store.addDer(bytes, source);
      return;
    } catch (cause) {
      throw new AuthenticodeError("bad-trust-file", `${path} is neither PEM nor a DER certificate`, {
        path,
        cause,
      });
    }
  }
  throw new AuthenticodeError("bad-trust-file", `${path} holds no certificate`, { path });
}

/**
 * Builds the verifier. `--trust` files are read through {@link readUserFile}: a FIFO, device,
 * folder or symlink loop is refused unopened, and at most {@link READ_LIMITS}.trustFileBytes are read.
 * @throws InputFileError when a `--trust` path is not a readable regular file within the cap.
 * @throws AuthenticodeError `bad-trust-file` when a `--trust` file holds no certificate.
 */
export async function createSignatureVerifier(options: VerifierOptions): Promise<SignatureVerifierHandle> {
  const systemRoots = options.systemRoots ?? true;
  const trust = new TrustStore();
  if (systemRoots) trust.addNodeRoots();
  for (const file of options.trustFiles)
    addTrustFile(trust, file, await readUserFile(file, { maxBytes: READ_LIMITS.trustFileBytes }));
  for (const a of options.extraAnchors ?? []) trust.addDer(a.der, a.source);
  const policy = defaultPolicy(trust, {
    at: options.at,
    signatures: options.signatures ?? "primary",
    strict: options.strict ?? false,
  });
  const sources = [
    ...(systemRoots ? ["node-bundled-roots"] : []),
    ...options.trustFiles.map((f) => `file:${f}`),
    ...[...new Set((options.extraAnchors ?? []).map((a) => a.source))],
  ];
  return {
    verify: async (bytes: Uint8Array, pe: PeImage) => {
      const result = verifyAuthenticode(bytes, pe, policy);
      return { summary: summarizeAuthenticode(result), details: result };
    },
    policy: { at: (options.at ?? new Date()).toISOString(), trust: sources, signatures: policy.signatures },
  };
}
