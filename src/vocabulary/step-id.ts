/**
 * The runbook's step ids, least invasive first: the ladder `repair` walks, the values of
 * `repair --step`, of a journal header's `step` and of a finding's `remedy`. Every list or map of
 * steps derives from this one.
 *
 * Source: docs/runbook.md ("Steps").
 */

/** Every step the runbook knows, least invasive first (the ladder order). */
export const STEP_IDS = [
  "rule-out-infection",
  "clear-cache",
  "recreate-profile",
  "reset-cache",
  "av-exclusions",
  "remove-leftovers",
  "collect-diagnostics",
  "system-file-check",
  "reinstall-koff",
] as const;

/** One runbook step id, e.g. `"clear-cache"`. */
export type StepId = (typeof STEP_IDS)[number];
