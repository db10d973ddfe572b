/** Runs `koff-doctor repair --step STEP --apply` in a child process killed at a journal record or a named point. */
import { spawn } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "./repo.js";

/** @returns `"SIGKILL"` when the hook fired, otherwise `"exit N: <output>"`. */
export function killedRun(
  image: string,
  state: string,
  step: string,
  k: number | string,
  at = "2026-11-21T00:00:00Z",
): Promise<string> {
  return new Promise((resolve) => {
    const args = [
      path.join(REPO_ROOT, "bin", "koff-doctor.cjs"),
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
      // A number kills after that journal record; a label kills at that point inside an operation.
      env: {
        ...process.env,
        ...(typeof k === "number"
          ? { KOFF_DOCTOR_TEST_KILL_AFTER: String(k) }
          : { KOFF_DOCTOR_TEST_KILL_AT: k }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", (code, signal) => resolve(signal ?? `exit ${code}: ${output}`));
  });
}
