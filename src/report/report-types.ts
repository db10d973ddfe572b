/**
 * The results the report layer serializes, as the library's callers hand them over: a checked
 * machine ({@link CheckReport}) and the signature policy every document states
 * ({@link ReportedPolicy}). They are defined here, below the app services that produce them, so
 * the report layer needs nothing above it.
 *
 * Source: docs/json-contract.md ("policy", "findings").
 */
import type { SignatureSelection } from "../authenticode/index.js";
import type { MachineFacts } from "../check/facts.js";
import type { CheckRun } from "../check/run-checks.js";

/** The verification policy as reported in every JSON document. */
export interface ReportedPolicy {
  /** ISO 8601: the time signatures were judged at. */
  at: string;
  /** Trust sources in use, e.g. `node-bundled-roots`, `windows-ROOT`, `file:<path>`. */
  trust: string[];
  signatures: SignatureSelection;
}

/** One `check` run: the findings of the catalogue, the facts they were judged on, and the policy. */
export interface CheckReport extends CheckRun {
  facts: MachineFacts;
  policy: ReportedPolicy;
  /** The collection's id (a UUID): new for a live or image check, the bundle's own for a bundle. */
  runId: string;
  /** ISO 8601 UTC: when the facts were collected (the bundle's creation time for a bundle), apart from `policy.at`. */
  collectedAt: string;
}
