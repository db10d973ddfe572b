/** Runs `koff-doctor repair --step STEP --apply` in a child process killed after its k-th journal record. */
import { spawn } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "./repo.js";

/** @returns `"SIGKILL"` when the hook fired, otherwise `"exit N: <output>"`. */
export function killedRun(
  image: string,
  state: string,
  step: string,
  k: number,
  at = "2026-11-21T00:00:00Z",
): Promise<string> {
  return new Promise((resolve) => {
    const args = [
      path.join(REPO_ROOT, "bin", "koff-doctor.js"),
      "repair",
      "--image",
      image,
      "--state",
      state,
      "--step",
      step,
      "--apply",
      "--at",
      at,
    ];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, KOFF_DOCTOR_TEST_KILL_AFTER: String(k) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", (code, signal) => resolve(signal ?? `exit ${code}: ${output}`));
  });
}
