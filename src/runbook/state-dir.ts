/**
 * Where a repair keeps its journals, `.reg` exports and lock: outside the inspected image (so
 * `undo` leaves the image byte-identical), one folder per image, under the user's state home.
 * `KOFF_DOCTOR_STATE_DIR` or `--state DIR` override it.
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import type { Exec } from "../ports/exec.js";
import { RunbookError } from "./errors.js";

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

/**
 * Live mode: `%ProgramData%` lets ordinary users create files in new subfolders, and a planted
 * journal must never drive an administrator's repair. The state and quarantine folders are
 * therefore created with an ACL that grants only SYSTEM (S-1-5-18) and Administrators
 * (S-1-5-32-544), inheritance removed. SIDs, not names, so it works in every Windows language.
 * @throws RunbookError `io` when icacls fails.
 */
export async function securePrivateDir(dir: string, exec: Exec, system32: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const icacls = `${system32}\\icacls.exe`;
  // Owner first (a user who created the folder before us must not keep it), recursively, then an
  // ACL that subfolders inherit, replacing whatever was there.
  for (const args of [
    [dir, "/setowner", "*S-1-5-32-544", "/T", "/C"],
    [dir, "/inheritance:r", "/grant:r", "*S-1-5-18:(OI)(CI)F", "*S-1-5-32-544:(OI)(CI)F", "/T", "/C"],
  ]) {
    const r = await exec(icacls, args);
    if (r.code !== 0) {
      throw new RunbookError("io", `could not restrict ${dir} to administrators (icacls exit ${r.code})`, {
        path: dir,
      });
    }
  }
}
