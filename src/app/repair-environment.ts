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
import { SourceError } from "../adapters/errors.js";
import { defaultStateDir, RunbookError, securePrivateDir, type RepairEnvironment } from "../runbook/index.js";

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
 * The repair environment for `snapshot`. The snapshot's mode decides: an image snapshot needs
 * its `imageRoot`; a live snapshot runs only on Windows; a bundle is a record, never repaired.
 * Nothing is created before these checks pass.
 * @throws RunbookError `usage` for a bundle snapshot, an image snapshot without `imageRoot`, or
 *   a live snapshot given an `imageRoot`; `io` when the live home folder cannot be secured.
 * @throws SourceError `live-unsupported` for a live snapshot off Windows.
 */
export async function repairEnvironment(
  snapshot: Snapshot,
  options: RepairEnvironmentOptions,
): Promise<RepairEnvironment> {
  const { imageRoot, trustFiles, at, env } = options;
  if (snapshot.mode === "bundle")
    throw new RunbookError("usage", "a bundle is a record of a machine: it cannot be repaired");
  if (snapshot.mode === "image") {
    if (imageRoot === undefined)
      throw new RunbookError(
        "usage",
        "an image snapshot needs imageRoot (the image's host folder) to be repaired",
      );
    return {
      snapshot,
      imageRoot,
      stateDir: options.stateDir ?? defaultStateDir(imageRoot, env),
      trustFiles,
      at,
    };
  }
  if (imageRoot !== undefined)
    throw new RunbookError("usage", "imageRoot was given for a live snapshot: open the image instead");
  if (process.platform !== "win32")
    throw new SourceError("live-unsupported", "live mode runs on Windows only");
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
