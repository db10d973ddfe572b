/**
 * The names of the Authenticode verification steps, defined once. They are the `step` ids of
 * {@link VerificationStep} in the JSON output and the `--explain` text (docs/authenticode.md,
 * § "How a state is reached"), so they are part of the JSON contract: add names, never rename.
 *
 * Source: the pipeline of named steps in signify's `SignedData.verify` / `SignerInfo.verify`
 * (https://github.com/ralphje/signify).
 */

/** File-level steps, in the order `verifyAuthenticode` runs them. */
export const FILE_STEPS = ["certificate-table", "certificate-entry", "file-state"] as const;

/**
 * Per-signature steps, in the order the driver runs them for each SignedData (top-level or
 * nested). A step may record its outcome under an earlier step's name when it revisits that
 * question (the `validity` step records a `timestamp` warning when it sets an unanchored timestamp
 * aside); see each step's contract in src/authenticode/steps/.
 */
export const SIGNATURE_STEPS = [
  "parse-cms",
  "spc-data-type",
  "digest-algorithms",
  "image-digest",
  "page-hashes",
  "message-digest",
  "content-type-attribute",
  "signer-certificate",
  "cms-signature",
  "unsigned-attributes",
  "timestamp",
  "lifetime-signing",
  "chain",
  "path-validation",
  "eku",
  "key-usage",
  "explicit-curve",
  "validity",
  "weak-digest",
  "state",
  "nested",
] as const;

/** Every step name the output can report: file-level ones first, then per-signature ones. */
export const VERIFICATION_STEPS = [...FILE_STEPS, ...SIGNATURE_STEPS] as const;

/** A file-level step. */
export type FileStepName = (typeof FILE_STEPS)[number];
/** A per-signature step. */
export type SignatureStepName = (typeof SIGNATURE_STEPS)[number];
/** Any step `VerificationStep.step` can name. */
export type StepName = (typeof VERIFICATION_STEPS)[number];
