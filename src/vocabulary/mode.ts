/**
 * The ways koff-doctor reads a machine: a mounted Windows image (`--image DIR`), the running
 * Windows host (live), or a diagnostics bundle (`--bundle FILE.zip`). The value is the `mode`
 * field of `check --json` (docs/json-contract.md) and of a snapshot.
 *
 * Source: docs/json-contract.md ("mode"), docs/bundle.md.
 */

/** Every mode, as `check --json` spells it. */
export const MODES = ["image", "live", "bundle"] as const;

/** How one run reads its machine: `"image"`, `"live"` or `"bundle"`. */
export type Mode = (typeof MODES)[number];
