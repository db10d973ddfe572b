/**
 * Building blocks for step plans: quarantine moves of Windows paths, hive edits of an image's
 * registry, and the profile/cache pickers that `--profile` and `--user` narrow.
 */
import path from "node:path";
import type { CacheFact, ProfileFact } from "../check/facts.js";
import { normalizeWindowsPath, windowsPathKey } from "../paths/windows-path.js";
import { manifestOf, refusedInput, sha256File } from "./durable-fs.js";
import { quoteArg, shellStyleOf } from "../report/next-step.js";
import { RunbookError } from "./errors.js";
import { isDirtyBaseBlock } from "../registry/hive/base-block.js";
import { InputFileError } from "../util/input-file-error.js";
import { readUserFileHead } from "../util/safe-file.js";
import type { Operation, StepContext } from "./model.js";

/** `C:\Users\alice\x` → `C/Users/alice/x` (a relative host path inside the quarantine). */
export function quarantineRelative(windowsPath: string): string {
  return normalizeWindowsPath(windowsPath)
    .replace(/^([A-Za-z]):\\?/, "$1\\")
    .split("\\")
    .filter(Boolean)
    .join(path.sep);
}

export type MoveOperation = Extract<Operation, { kind: "move" }>;

/** A move of `windowsPath` into the run's quarantine, with the manifest of every file it holds. */
export async function quarantineMove(
  ctx: StepContext,
  windowsPath: string,
  what: string,
): Promise<MoveOperation | undefined> {
  const from = await ctx.hostPath(windowsPath);
  if (from === undefined) return undefined;
  const to = path.join(ctx.quarantine, "files", quarantineRelative(windowsPath));
  let manifest;
  try {
    manifest = await manifestOf(from);
  } catch (cause) {
    throw new RunbookError(
      "refused-precondition",
      `cannot quarantine ${windowsPath}: ${(cause as Error).message}`,
      { path: from, cause },
    );
  }
  return { kind: "move", what, windowsPath: normalizeWindowsPath(windowsPath), from, to, manifest };
}

/** The hive file behind a registry key of an image, and the `.reg` root that stands for it. */
export function hiveOfKey(key: string): { windowsPath: string; prefix: string; rest: string } {
  const m = /^(HKLM|HKEY_LOCAL_MACHINE)\\(SOFTWARE|SYSTEM)(?:\\(.*))?$/i.exec(key);
  if (m) {
    const hive = m[2]!.toUpperCase();
    return {
      windowsPath: `C:\\Windows\\System32\\config\\${hive}`,
      prefix: `HKEY_LOCAL_MACHINE\\${hive}`,
      rest: m[3] ?? "",
    };
  }
  const u = /^(HKU|HKEY_USERS)\\([^\\]+)(?:\\(.*))?$/i.exec(key);
  if (u)
    return { windowsPath: `C:\\Users\\${u[2]}\\NTUSER.DAT`, prefix: "HKEY_CURRENT_USER", rest: u[3] ?? "" };
  throw new RunbookError("usage", `no image hive holds ${key}`);
}

/** An edit of the image hive holding `key`: `reg` is `.reg` text whose keys start with the hive's prefix. */
/** Key paths pasted into `.reg` text: control characters or `]` would start new lines or keys. */
function assertRegSafe(key: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\]]/.test(key)) {
    throw new RunbookError(
      "refused-precondition",
      `the registry key ${JSON.stringify(key)} holds characters a .reg file cannot carry safely`,
    );
  }
}

export async function hiveEdit(
  ctx: StepContext,
  key: string,
  what: string,
  body: (prefix: string, rest: string) => string,
): Promise<Operation> {
  if (ctx.snapshot.mode !== "image") {
    throw new RunbookError(
      "usage",
      "registry edits are implemented for --image mode; on a live machine follow the printed guidance",
    );
  }
  assertRegSafe(key);
  const { windowsPath, prefix, rest } = hiveOfKey(key);
  const hive = await ctx.hostPath(windowsPath);
  if (hive === undefined)
    throw new RunbookError("refused-precondition", `hive ${windowsPath} not found in the image`);
  await refuseDirtyHive(hive, windowsPath);
  return {
    kind: "hive-edit",
    what,
    key,
    hive,
    backup: path.join(ctx.quarantine, "registry", quarantineRelative(windowsPath)),
    reg: `Windows Registry Editor Version 5.00\r\n\r\n${body(prefix, rest)}`,
    prefix,
    beforeSha256: await sha256File(hive),
  };
}

/**
 * Refuses to plan an edit of a hive whose file is dirty (base block sequence numbers differ, or a
 * bad checksum): its latest changes are in its `.LOG1`/`.LOG2`, what `check` read was replayed
 * from them, and an edit of the file would be lost or corrupt the hive when Windows replays the
 * logs over it at its next load (docs/registry.md, "Transaction logs").
 * @throws RunbookError `refused-precondition`.
 */
async function refuseDirtyHive(hive: string, windowsPath: string): Promise<void> {
  // A hive that is not a readable regular file is refused as every input is (refusedInput).
  const head = await readUserFileHead(hive, 512).catch((e: unknown) => {
    throw e instanceof InputFileError ? refusedInput(e) : e;
  });
  if (isDirtyBaseBlock(head)) {
    throw new RunbookError(
      "refused-precondition",
      `hive ${windowsPath} is dirty on disk (its latest changes are only in its .LOG1/.LOG2 transaction logs): not editing it; boot the machine once so Windows replays its logs, then repair again`,
      { path: hive },
    );
  }
}

/** `.reg` string literal. */
export const regString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** `--profile NAME --user USER` of one profile or cache, quoted for the host's shell. */
function targetFlags(t: { name: string; user: string }): string {
  const q = (s: string) => quoteArg(s, shellStyleOf(process.platform));
  return `--profile ${q(t.name)} --user ${q(t.user)}`;
}

function pick<T>(items: T[], target: (t: T) => { name: string; user: string }, what: string): T {
  if (items.length === 1) return items[0]!;
  if (items.length === 0) throw new RunbookError("refused-precondition", `no ${what} to act on`);
  const described = items.map((t) => `${target(t).user}/${target(t).name}`).join(", ");
  throw new RunbookError(
    "usage",
    `several ${what}s: ${described}; choose one with ${items.map((t) => targetFlags(target(t))).join(" or ")}`,
  );
}

/** The KOFF profile `--profile`/`--user` name (or the only one). */
export function pickProfile(ctx: StepContext, any = false): ProfileFact {
  const byName = (p: ProfileFact) =>
    (ctx.profile === undefined || p.name.toLowerCase() === ctx.profile.toLowerCase()) &&
    (ctx.user === undefined || p.user.toLowerCase() === ctx.user.toLowerCase());
  const candidates = ctx.facts.profiles.filter(
    (p) => byName(p) && (any || ctx.profile !== undefined || p.hasKoff),
  );
  return pick(candidates, (p) => p, "Outlook profile");
}

/** The cache `--profile`/`--user` name (or the only one). */
export function pickCache(ctx: StepContext): CacheFact {
  const candidates = ctx.facts.caches.filter(
    (c) =>
      (ctx.profile === undefined || c.profile.toLowerCase() === ctx.profile.toLowerCase()) &&
      (ctx.user === undefined || c.user.toLowerCase() === ctx.user.toLowerCase()),
  );
  return pick(candidates, (c) => ({ name: c.profile, user: c.user }), "KOFF cache");
}

export const sameWindowsPath = (a: string, b: string) => windowsPathKey(a) === windowsPathKey(b);
