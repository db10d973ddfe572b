/**
 * The check ids, in report order (install → MAPI → profiles → cache → environment): the `id` of
 * a finding and of a `notRun` entry in `check --json`, and the name of the check's page
 * `docs/checks/<id>.md`. The catalogue lists its definitions in this order (a test proves it),
 * and every map keyed by check id is a `Record<CheckId, …>`, so a new check cannot be forgotten.
 *
 * Source: docs/json-contract.md ("findings", "notRun"), docs/checks/.
 */

/** Every check id, in catalogue (report) order. */
export const CHECK_IDS = [
  "install-missing",
  "provider-dll-missing",
  "connector-binary-untrusted",
  "connector-versions-mixed",
  "stray-provider-dll",
  "mapisvc-not-registered",
  "mapisvc-path-unresolved",
  "mapisvc-path-extra-periods",
  "mapisvc-path-outside-install",
  "office-not-found",
  "bitness-mismatch",
  "profile-none",
  "profile-default-missing",
  "profile-koff-orphaned",
  "cache-missing",
  "cache-orphan",
  "cache-db-invalid",
  "cache-disk-space-low",
  "cache-on-network",
  "av-exclusion-missing",
  "updater-service-missing",
  "outlook-crash-in-provider",
  "mapi-provider-blocked",
  "addin-disabled",
  "av-detected-provider",
] as const;

/** One check id, e.g. `"cache-db-invalid"`. */
export type CheckId = (typeof CHECK_IDS)[number];
