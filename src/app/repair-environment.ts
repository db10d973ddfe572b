/**
 * The environment a repair runs in (docs/runbook.md "Where state lives"): the machine's
 * snapshot, the state folder that holds journals, and for the live machine the quarantine and
 * the tools a step runs (`reg.exe`, `icacls.exe` through the Exec port). Live mode keeps state
 * and quarantine in one folder, `%ProgramData%\koff-doctor`, secured as a whole (owner and an
 * inherited ACL) before anything is written there; a state folder the caller names is theirs
 * and keeps its rights. An image keeps its state beside the image (`defaultStateDir`).
 *
 * Source: docs/runbook.md.
 */
import path from "node:path";
import { nodeExec } from "../adapters/live/exec.js";
import type { Snapshot } from "../ports/snapshot.js";
import { defaultStateDir, securePrivateDir, type RepairEnvironment } from "../runbook/index.js";

/** Options of {@link repairEnvironment}. */
export interface RepairEnvironmentOptions {
  /** Host root of the mounted image the snapshot reads; absent for the live machine. */
  imageRoot?: string;
  /** State folder (journals, run lock); default as described above. */
  stateDir?: string;
  /** `--trust` files used by the check each plan embeds. */
  trustFiles: string[];
  /** Verify signatures as of this instant; default now. */
  at?: Date;
  /** The process environment (`ProgramData`, `SystemRoot`, and what `defaultStateDir` reads). */
  env: Record<string, string | undefined>;
}

/** Time limit of one tool run during a live repair, in ms. */
const LIVE_TOOL_TIMEOUT_MS = 120_000;

/**
 * The repair environment for `snapshot`.
 * @throws RunbookError when the live home folder cannot be created or secured.
 */
export async function repairEnvironment(
  snapshot: Snapshot,
  options: RepairEnvironmentOptions,
): Promise<RepairEnvironment> {
  const { imageRoot, trustFiles, at, env } = options;
  if (imageRoot !== undefined) {
    return {
      snapshot,
      imageRoot,
      stateDir: options.stateDir ?? defaultStateDir(imageRoot, env),
      trustFiles,
      at,
    };
  }
  const live = {
    exec: nodeExec({ timeoutMs: LIVE_TOOL_TIMEOUT_MS }),
    system32: `${env["SystemRoot"] ?? "C:\\Windows"}\\System32`,
  };
  const home = path.win32.join(env["ProgramData"] ?? "C:\\ProgramData", "koff-doctor");
  await securePrivateDir(home, live.exec, live.system32);
  return {
    snapshot,
    stateDir: options.stateDir ?? path.win32.join(home, "state"),
    quarantineRoot: path.win32.join(home, "quarantine"),
    live,
    trustFiles,
    at,
  };
}
