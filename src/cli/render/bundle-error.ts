/**
 * The stderr line for a refused or tampered bundle: code, member and message (docs/bundle.md
 * "Reading is safe"; docs/exit-codes.md).
 */
import type { BundleError } from "../../index.js";

/** Renders a bundle error for stderr: code, member and message. */
export function describeBundleError(e: BundleError): string {
  const what = e.code === "tampered" ? "tampered" : "refused";
  return `bundle ${what} (${e.code}${e.path === undefined ? "" : `, member ${e.path}`}): ${e.message}`;
}
