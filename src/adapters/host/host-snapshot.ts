/**
 * TEMPORARY placeholder, replaced at merge by the host-files adapter (another branch writes
 * `src/adapters/host/`): only the signature {@link openSource} calls is fixed here.
 *
 * Source: src/ports/snapshot.ts (the contract the real adapter fills).
 */
import type { Snapshot } from "../../ports/snapshot.js";

/** Options of {@link createHostSnapshot}: where the host files came from. */
export interface HostSnapshotOptions {
  /** Root of a mounted Windows volume (`--image DIR`); paths inside it map to `C:\…`. */
  imageRoot?: string;
  /** The original Windows path of a single copied file (`--as`). */
  originalWindowsPath?: string;
}

/**
 * TEMPORARY: the host-files snapshot (`triage PATH...`), wired at merge.
 * @throws Error always, until the host-files adapter replaces this file.
 */
export function createHostSnapshot(options: HostSnapshotOptions = {}): Snapshot {
  void options;
  throw new Error("host snapshot: wired at merge");
}
