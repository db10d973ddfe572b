/**
 * Where a repair keeps its journals, `.reg` exports and lock: outside the inspected image (so
 * `undo` leaves the image byte-identical), one folder per image, under the user's state home.
 * `KOFF_DOCTOR_STATE_DIR` or `--state DIR` override it.
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export function defaultStateDir(imageRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env["KOFF_DOCTOR_STATE_DIR"]) return path.resolve(env["KOFF_DOCTOR_STATE_DIR"]);
  const base = env["XDG_STATE_HOME"] || path.join(homedir(), ".local", "state");
  let real = path.resolve(imageRoot);
  try {
    real = realpathSync(real);
  } catch {
    // keep the resolved path
  }
  const id = createHash("sha256").update(real).digest("hex").slice(0, 12);
  return path.join(base, "koff-doctor", "images", `${path.basename(real)}-${id}`);
}
