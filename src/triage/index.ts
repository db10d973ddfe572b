export { triageFile, describeError } from "./triage-file.js";
export type {
  TriageRecord,
  TriageInput,
  TriageOptions,
  SignatureVerifier,
  SignatureVerification,
} from "./triage-file.js";
export type { Indicator, IndicatorId, Level, Verdict } from "./types.js";
export { verdictOf } from "./types.js";
export type { SignatureSummary, SignatureState } from "./signature-summary.js";
export type { LoadPosition, LoadingProcess } from "./subject.js";
export { classifyLocation } from "./location.js";
export type { LocationKind, LocationClass } from "./location.js";
export { analyzePacking } from "./packing.js";
export { claimsToBeProvider, sameProviderName } from "./provider-name.js";
export { summarizePe } from "./pe-summary.js";
export type { PeSummary } from "./pe-summary.js";
