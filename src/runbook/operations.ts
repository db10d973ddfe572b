/**
 * Performing and reverting operations. Both are idempotent, judged from the disk rather than
 * from memory, so a run killed at any point is completed by re-running it and reverted by
 * `undo`, whatever the operation had reached:
 *
 * - move: one atomic rename. Exactly one of `from` / `to` exists at any time.
 * - hive-edit: the original hive is copied to `backup` (durably, under a temporary name first),
 *   the merge runs on a temporary copy, and the copy is renamed over the hive. Undo renames the
 *   backup back. At any time the hive is either the original or the edited one.
 * - mkdir: create an empty folder; undo removes it only while it is still empty.
 */
import { execFile } from "node:child_process";
import { copyFile, lstat, mkdtemp, open, readdir, rm, rmdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Exec } from "../ports/exec.js";
import { durableRename, fsyncDir, mkdirp, sha256File } from "./durable-fs.js";
import { crashPoint } from "./journal.js";
import { RunbookError } from "./errors.js";
import type { Operation, OperationResult } from "./model.js";

const run = promisify(execFile);
const exists = async (p: string) => (await lstat(p).catch(() => undefined)) !== undefined;

async function syncFile(file: string): Promise<void> {
  const h = await open(file, "r+");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** hivexregedit, or a typed refusal when it is not installed. */
export async function requireHivexregedit(): Promise<void> {
  const ok = await run("hivexregedit", ["--help"]).then(
    () => true,
    (e: NodeJS.ErrnoException) => e.code !== "ENOENT",
  );
  if (!ok) {
    throw new RunbookError(
      "tool-missing",
      "editing an image's registry needs hivexregedit (Debian package libwin-hivex-perl)",
    );
  }
}

async function mergeInto(hive: string, prefix: string, reg: string): Promise<void> {
  // The .reg text goes to a private temporary folder (mode 0700), never into the image.
  const dir = await mkdtemp(path.join(tmpdir(), "koff-doctor-"));
  const regFile = path.join(dir, "merge.reg");
  await writeFile(regFile, reg, { mode: 0o600 });
  try {
    await run("hivexregedit", ["--merge", "--prefix", prefix, hive, regFile]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Where live operations run their commands (reg.exe, PowerShell). */
export interface LiveTools {
  exec: Exec;
  /** `%SystemRoot%\System32`. */
  system32: string;
}

async function tool(
  tools: LiveTools | undefined,
  what: string,
  cmd: string,
  args: string[],
  okCodes = [0],
): Promise<number> {
  if (!tools) throw new RunbookError("usage", `${what} needs live mode (Windows)`);
  const r = await tools.exec(cmd, args);
  if (!okCodes.includes(r.code)) {
    const err = typeof r.stderr === "string" ? r.stderr : Buffer.from(r.stderr).toString("utf8");
    throw new RunbookError("io", `${what} failed (${cmd} exit ${r.code}): ${err.trim()}`);
  }
  return r.code;
}

const reg = (t: LiveTools | undefined) => `${t?.system32 ?? "C:\\Windows\\System32"}\\reg.exe`;
const powershell = (t: LiveTools | undefined) =>
  `${t?.system32 ?? "C:\\Windows\\System32"}\\WindowsPowerShell\\v1.0\\powershell.exe`;
const psQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;
async function keyExists(t: LiveTools | undefined, key: string): Promise<boolean> {
  return (await tool(t, "reg query", reg(t), ["query", key], [0, 1])) === 0;
}
async function valueExists(t: LiveTools | undefined, key: string, name: string): Promise<boolean> {
  return (await tool(t, "reg query", reg(t), ["query", key, "/v", name], [0, 1])) === 0;
}
/**
 * Printed after the exclusion list, so a PowerShell that exits 0 without running the script (Wine
 * ships such a stub) is told from a machine with no exclusions.
 */
const MP_LIST_END = "koff-doctor:end-of-list";
async function mpPaths(t: LiveTools | undefined): Promise<string[]> {
  if (!t) throw new RunbookError("usage", "Defender exclusions need live mode (Windows)");
  const script = `$ErrorActionPreference = 'Stop'; (Get-MpPreference).ExclusionPath -join "\`n"; '${MP_LIST_END}'`;
  const r = await t.exec(powershell(t), ["-NoProfile", "-NonInteractive", "-Command", script]);
  const out = typeof r.stdout === "string" ? r.stdout : Buffer.from(r.stdout).toString("utf8");
  const lines = out
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (r.code !== 0 || lines.at(-1) !== MP_LIST_END)
    throw new RunbookError(
      "io",
      `Defender exclusions are unknown: powershell.exe Get-MpPreference ${r.code === 0 ? "exited 0 without printing its answer" : `exited with ${r.code}`}`,
    );
  return lines.slice(0, -1).map((l) => l.toLowerCase());
}

/** Applies `op` unless the machine shows it already applied; returns what undo must know. */
/**
 * @param resuming - the journal already has a `begin` for this operation (an earlier attempt may
 *   have done part of it before the process died).
 */
export async function perform(op: Operation, tools?: LiveTools, resuming = false): Promise<OperationResult> {
  switch (op.kind) {
    case "move": {
      const [src, dst] = [await exists(op.from), await exists(op.to)];
      if (!src && dst) return {}; // already moved
      if (!src)
        throw new RunbookError("io", `${op.windowsPath} is gone and not in quarantine`, { path: op.from });
      if (dst) throw new RunbookError("io", `quarantine target already exists: ${op.to}`, { path: op.to });
      await mkdirp(path.dirname(op.to));
      await durableRename(op.from, op.to);
      return {};
    }
    case "hive-edit": {
      const current = await sha256File(op.hive);
      const backedUp = (await exists(op.backup)) && (await sha256File(op.backup)) === op.beforeSha256;
      if (current !== op.beforeSha256) {
        if (backedUp) return { afterSha256: current }; // the edited hive is in place
        throw new RunbookError("io", `hive ${op.hive} changed since the plan was made`, { path: op.hive });
      }
      if (!backedUp) {
        await mkdirp(path.dirname(op.backup));
        const tmp = `${op.backup}.partial`;
        await copyFile(op.hive, tmp);
        await syncFile(tmp);
        crashPoint("hive-edit:partial-copied");
        await durableRename(tmp, op.backup);
        crashPoint("hive-edit:backed-up");
      }
      const work = `${op.hive}.koff-doctor-edit`;
      await copyFile(op.hive, work);
      await mergeInto(work, op.prefix, op.reg);
      await syncFile(work);
      crashPoint("hive-edit:merged");
      const afterSha256 = await sha256File(work);
      await durableRename(work, op.hive);
      return { afterSha256 };
    }
    case "mkdir":
      if (!(await exists(op.path))) {
        await mkdirp(op.path);
        await fsyncDir(path.dirname(op.path));
      }
      return {};
    case "reg-delete-key": {
      if (!(await keyExists(tools, op.key))) return {}; // already deleted (the export was written before)
      if (!(await exists(op.exportFile))) {
        // Exported under a temporary name and renamed: a half-written export never counts as the backup.
        const partial = `${op.exportFile}.partial`;
        await tool(tools, "reg export", reg(tools), ["export", op.key, partial, "/y"]);
        await syncFile(partial);
        await durableRename(partial, op.exportFile);
      }
      await tool(tools, "reg delete", reg(tools), ["delete", op.key, "/f"]);
      return {};
    }
    case "reg-delete-value":
      if (await valueExists(tools, op.key, op.name))
        await tool(tools, "reg delete", reg(tools), ["delete", op.key, "/v", op.name, "/f"]);
      return {};
    case "defender-exclusion": {
      // Present already: when resuming, the earlier attempt may have added it (the plan listed it
      // as missing), so it counts as ours and undo removes it.
      if ((await mpPaths(tools)).includes(op.path.toLowerCase())) return { added: resuming };
      const script = `Add-MpPreference -ExclusionPath ${psQuote(op.path)}`;
      await tool(tools, "Add-MpPreference", powershell(tools), [
        "-NoProfile",
        "-NonInteractive",
        "-Command",
        script,
      ]);
      return { added: true };
    }
  }
}

/**
 * Reverts `op` to the state before it, whatever it had reached. `done` is the operation's `done`
 * record when it has one (then everything it moved must still be somewhere).
 */
export async function revert(
  op: Operation,
  tools?: LiveTools,
  done?: { result?: OperationResult },
): Promise<void> {
  switch (op.kind) {
    case "move": {
      const [src, dst] = [await exists(op.from), await exists(op.to)];
      if (!dst && !src && done) {
        throw new RunbookError(
          "io",
          `${op.windowsPath} is neither in place nor in quarantine (${op.to}); was the image moved?`,
          { path: op.to },
        );
      }
      if (!dst) return; // never moved (or already restored)
      if (src) {
        // Something was created at the original place since (e.g. our own mkdir, or KOFF rebuilt
        // the cache). Only an empty folder may be replaced; anything else is kept and reported.
        const entries = await readdir(op.from).catch(() => undefined);
        if (entries === undefined || entries.length > 0) {
          throw new RunbookError(
            "io",
            `cannot restore ${op.windowsPath}: something new is there; the original stays in ${op.to}`,
            { path: op.from },
          );
        }
        await rmdir(op.from);
      }
      await mkdirp(path.dirname(op.from));
      await durableRename(op.to, op.from);
      return;
    }
    case "hive-edit": {
      await rm(`${op.hive}.koff-doctor-edit`, { force: true });
      await rm(`${op.backup}.partial`, { force: true });
      const current = await sha256File(op.hive).catch(() => undefined);
      if (!(await exists(op.backup))) {
        if (done && current !== op.beforeSha256) {
          throw new RunbookError(
            "io",
            `the backup of ${op.hive} is missing (${op.backup}); was the image moved?`,
            { path: op.backup },
          );
        }
        return; // the hive was never touched
      }
      if ((await sha256File(op.backup)) !== op.beforeSha256) {
        throw new RunbookError("journal-corrupt", `backup ${op.backup} does not hold the original hive`, {
          path: op.backup,
        });
      }
      const edited = done?.result?.afterSha256;
      if (current !== op.beforeSha256 && edited !== undefined && current !== edited) {
        // Someone changed the hive after this run: restoring the backup would silently lose that.
        throw new RunbookError(
          "refused-precondition",
          `${op.hive} changed after this run edited it; undo would discard those later changes (the original stays in ${op.backup})`,
          { path: op.hive },
        );
      }
      await durableRename(op.backup, op.hive);
      return;
    }
    case "mkdir": {
      const entries = await readdir(op.path).catch(() => undefined);
      if (entries && entries.length === 0) {
        await rmdir(op.path);
        await fsyncDir(path.dirname(op.path));
      }
      return;
    }
    case "reg-delete-key":
      if ((await exists(op.exportFile)) && !(await keyExists(tools, op.key))) {
        await tool(tools, "reg import", reg(tools), ["import", op.exportFile]);
      }
      return;
    case "reg-delete-value":
      if (!(await valueExists(tools, op.key, op.name))) {
        await tool(tools, "reg add", reg(tools), [
          "add",
          op.key,
          "/v",
          op.name,
          "/t",
          op.type,
          "/d",
          op.data,
          "/f",
        ]);
      }
      return;
    case "defender-exclusion":
      // Only what this run added is removed (the plan listed only missing exclusions; a `done`
      // record says whether it was still missing when the run got there).
      if (done?.result?.added !== false && (await mpPaths(tools)).includes(op.path.toLowerCase())) {
        await tool(tools, "Remove-MpPreference", powershell(tools), [
          "-NoProfile",
          "-NonInteractive",
          "-Command",
          `Remove-MpPreference -ExclusionPath ${psQuote(op.path)}`,
        ]);
      }
      return;
  }
}
