/**
 * A {@link RegistryPort} over the live registry through `reg.exe` — no native addon (`reg query`,
 * https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/reg-query). Two
 * ways to read:
 *
 * - `getKey(path)` runs `reg query <key>` (one key: its values, then its subkeys as key lines) and
 *   parses the text with {@link parseRegQueryOutput};
 * - `prefetch(path)` runs `reg query <key> /s` once and serves the whole subtree from memory
 *   (one process instead of one per key — use it before walking an Outlook profile);
 * - `prefetchExport(path)` runs `reg export <key> <file> /y` instead and parses the UTF-16LE
 *   `.reg` file with the registry area's `.reg` parser: lossless for non-ASCII names and data,
 *   which `reg query` output (OEM code page text) is not.
 *
 * Registry view: on 64-bit Windows a 32-bit reg.exe sees the WOW64 view of HKLM\SOFTWARE; pass
 * `view: "64"` (`/reg:64`) so `HKLM\SOFTWARE\...` and `HKLM\SOFTWARE\WOW6432Node\...` mean the same
 * as in an offline hive. Exit code 1 means "key not found" (or access denied); the port returns
 * `undefined` and records the failure in {@link RegExeRegistry.failures}.
 */
import type { Exec } from "../../ports/exec.js";
import type { HiveHealth, RegKey, RegValue } from "../../ports/registry.js";
import type { PrefetchingRegistryPort } from "../../windows/prefetch.js";
import { WindowsStateError } from "../../windows/errors.js";
import { isBlank, noAnswer } from "../../windows/tool-output/no-answer.js";
import { decodeOem, isKnownOemCodePage, type OemCodePage } from "../../windows/tool-output/oem-code-page.js";
import {
  parseRegQueryOutput,
  toLongRootPath,
  toShortRootPath,
  type RegQueryWarning,
} from "../../windows/tool-output/reg-query-output.js";
import { trimCharEnd } from "../../util/trim-char.js";
import { createRegFileRegistryPort } from "../bundle/reg-file-registry-port.js";

/** A key that holds values on every Windows version and on Wine: {@link RegExeRegistry.probe} reads it. */
export const PROBE_KEY = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";

/** Options of {@link RegExeRegistry}. */
export interface RegExeRegistryOptions {
  /** How to run programs. */
  exec: Exec;
  /** The reg.exe to run. Default `reg.exe` (found through PATH / the system directory). */
  regExe?: string;
  /** Registry view flag: `"64"` → `/reg:64`, `"32"` → `/reg:32`, undefined → none. */
  view?: "64" | "32";
  /**
   * Code page of reg.exe's redirected output when `exec` returns bytes: the console's OEM code
   * page (437 by default: US and Wine; 850, 852, 866, 932…), or `"utf-8"` (after `chcp 65001`).
   */
  outputCodePage?: OemCodePage | "utf-8";
  /** User roots reported by `users()`. Default: the current user as `HKCU`. */
  users?: Array<{ user: string; root: string }>;
  /**
   * For `prefetchExport`: a fresh temporary Windows path for `reg export`, and how to read it
   * back and remove it. Without these, `prefetchExport` throws `exec-failed`.
   */
  tempFile?: {
    create(): Promise<string>;
    read(path: string): Promise<Uint8Array>;
    remove(path: string): Promise<void>;
  };
}

/** A `reg` invocation that did not succeed, kept as evidence (access denied vs. missing). */
export interface RegExeFailure {
  args: string[];
  code: number;
  stderr: string;
}

/**
 * The live registry port over `reg.exe` (see the module header). Implements the optional
 * {@link PrefetchingRegistryPort} capability so domain readers can load a subtree in one run.
 */
export class RegExeRegistry implements PrefetchingRegistryPort {
  readonly #o: RegExeRegistryOptions;
  /** Prefetched subtrees: lowercase short root path → key. */
  readonly #cache = new Map<string, RegKey>();
  /** Lowercase short root paths whose whole subtree is in the cache. */
  readonly #complete: string[] = [];
  /** Failed invocations (non-zero exit), most recent last. Capped at 1000 entries. */
  readonly failures: RegExeFailure[] = [];
  /** Parser warnings of every invocation, with the key asked for. */
  readonly warnings: Array<RegQueryWarning & { query: string }> = [];

  constructor(options: RegExeRegistryOptions) {
    this.#o = options;
  }

  describe(): string {
    return `live reg.exe${this.#o.view === undefined ? "" : ` (/reg:${this.#o.view})`}`;
  }

  /** `[]`: the live registry is read through `reg.exe`, not from hive files. */
  async health(): Promise<HiveHealth[]> {
    return [];
  }

  async users(): Promise<Array<{ user: string; root: string }>> {
    return this.#o.users ?? [{ user: process.env["USERNAME"] ?? "current", root: "HKCU" }];
  }

  async getKey(path: string): Promise<RegKey | undefined> {
    const short = toShortRootPath(trimCharEnd(path, "\\"));
    const lower = short.toLowerCase();
    if (this.#covered(lower)) {
      const hit = this.#cache.get(lower);
      return hit === undefined
        ? undefined
        : { ...hit, path, values: [...hit.values], subkeys: [...hit.subkeys] };
    }
    const text = await this.#run(["query", toLongRootPath(short)]);
    if (text === undefined) return undefined;
    const parsed = parseRegQueryOutput(text);
    this.#warn(short, parsed.warnings);
    const [first, ...rest] = parsed.blocks;
    // Exit code 0 means the key exists, even when nothing is printed (no values, no subkeys).
    if (first === undefined) return { path, name: lastComponent(short), values: [], subkeys: [] };
    const ownIsFirst = toShortRootPath(first.path).toLowerCase() === lower;
    const subBlocks = ownIsFirst ? rest : parsed.blocks;
    return {
      path,
      name: lastComponent(ownIsFirst ? first.path : short),
      values: ownIsFirst ? first.values : [],
      subkeys: subBlocks.map((b) => lastComponent(b.path)),
    };
  }

  /**
   * Loads the whole subtree under `path` with one `reg query /s`. Later `getKey` calls inside it
   * are answered from memory (a key not in the output does not exist). Returns the number of keys
   * loaded (0 when `path` does not exist). Inside an already prefetched subtree nothing runs.
   */
  async prefetch(path: string): Promise<number> {
    const short = toShortRootPath(trimCharEnd(path, "\\"));
    if (this.#covered(short.toLowerCase())) return this.#countUnder(short.toLowerCase());
    const text = await this.#run(["query", toLongRootPath(short), "/s"]);
    const lower = short.toLowerCase();
    if (text === undefined) {
      this.#complete.push(lower);
      return 0;
    }
    const parsed = parseRegQueryOutput(text);
    this.#warn(short, parsed.warnings);
    const keys = parsed.blocks.map((b) => ({ path: toShortRootPath(b.path), values: b.values }));
    // Wine omits the queried key's own line when it has no values; exit code 0 says it exists.
    if (!keys.some((k) => k.path.toLowerCase() === lower)) keys.unshift({ path: short, values: [] });
    return this.#store(lower, keys);
  }

  /**
   * Like {@link prefetch} but through `reg export` and the `.reg` parser (lossless text).
   * @throws {@link WindowsStateError} `exec-failed` without `tempFile`; RegistryError when the export does not parse.
   */
  async prefetchExport(path: string): Promise<number> {
    const tmp = this.#o.tempFile;
    if (tmp === undefined)
      throw new WindowsStateError("exec-failed", "prefetchExport needs the tempFile option", { path });
    const short = toShortRootPath(trimCharEnd(path, "\\"));
    const lower = short.toLowerCase();
    const file = await tmp.create();
    try {
      const ok = await this.#run(["export", toLongRootPath(short), file, "/y"]);
      if (ok === undefined) {
        this.#complete.push(lower);
        return 0;
      }
      const port = createRegFileRegistryPort([{ name: file, content: await tmp.read(file) }]);
      // Walk the parsed tree from `short` down, breadth-first; the tree is finite and acyclic,
      // and `seen` guards against a port that reports a key twice.
      const keys: Array<{ path: string; values: RegValue[] }> = [];
      const queue = [short];
      const seen = new Set<string>();
      for (let head = 0; head < queue.length; head++) {
        const p = queue[head]!;
        if (seen.has(p.toLowerCase())) continue;
        seen.add(p.toLowerCase());
        const k = await port.getKey(p);
        if (k === undefined) continue;
        keys.push({ path: p, values: k.values });
        for (const s of k.subkeys) queue.push(`${p}\\${s}`);
      }
      return this.#store(lower, keys);
    } finally {
      await tmp.remove(file).catch(() => undefined);
    }
  }

  /**
   * Proves that reg.exe answers before any of its silences is read as "no such key": the key
   * {@link PROBE_KEY} holds values on every Windows (and on Wine), so a `reg query` of it that
   * exits 0 without them, or reports it missing, comes from a stub or a refused tool.
   * @throws {@link WindowsStateError} `no-answer` then; `exec-failed` when reg.exe fails otherwise.
   */
  async probe(): Promise<void> {
    const command = `reg query "${PROBE_KEY}"`;
    const text = await this.#run(["query", PROBE_KEY]);
    if (text === undefined) throw noAnswer(command, "reported a key every Windows has as missing");
    if (isBlank(text)) throw noAnswer(command, "printed nothing");
    const want = toShortRootPath(PROBE_KEY).toLowerCase();
    const own = parseRegQueryOutput(text).blocks.find((b) => toShortRootPath(b.path).toLowerCase() === want);
    if (own === undefined || own.values.length === 0)
      throw noAnswer(command, "printed none of the key's values (CurrentVersion, SystemRoot…)");
  }

  /** True when `lower` lies inside a prefetched subtree. */
  #covered(lower: string): boolean {
    return this.#complete.some((root) => lower === root || lower.startsWith(`${root}\\`));
  }

  #countUnder(lower: string): number {
    let n = 0;
    for (const k of this.#cache.keys()) if (k === lower || k.startsWith(`${lower}\\`)) n++;
    return n;
  }

  #store(rootLower: string, keys: Array<{ path: string; values: RegValue[] }>): number {
    for (const k of this.#cache.keys())
      if (k === rootLower || k.startsWith(`${rootLower}\\`)) this.#cache.delete(k);
    for (const k of keys) {
      const lower = k.path.toLowerCase();
      const existing = this.#cache.get(lower);
      if (existing !== undefined) {
        for (const v of k.values) existing.values.push(v);
        continue;
      }
      this.#cache.set(lower, {
        path: k.path,
        name: lastComponent(k.path),
        values: [...k.values],
        subkeys: [],
      });
    }
    // Link children to parents (keys with no values are printed too, so every level is present;
    // a missing intermediate is created so the subtree stays navigable). Each key's chain is
    // walked up only until it meets a key already linked, and each parent keeps the set of its
    // children's lower-cased names, so linking n keys costs O(n) lookups.
    const linked = new Set<string>([rootLower]);
    const childNames = new Map<RegKey, Set<string>>();
    for (const k of [...this.#cache.values()]) {
      let child = k.path;
      let childLower = child.toLowerCase();
      // Terminates: each step strips one path component, stopping at the prefetched root.
      while (!linked.has(childLower) && childLower.startsWith(`${rootLower}\\`)) {
        linked.add(childLower);
        const cut = child.lastIndexOf("\\");
        const parentPath = child.slice(0, cut);
        const parentLower = parentPath.toLowerCase();
        const parent =
          this.#cache.get(parentLower) ??
          (() => {
            const created: RegKey = {
              path: parentPath,
              name: lastComponent(parentPath),
              values: [],
              subkeys: [],
            };
            this.#cache.set(parentLower, created);
            return created;
          })();
        let names = childNames.get(parent);
        if (names === undefined) {
          names = new Set(parent.subkeys.map((n) => n.toLowerCase()));
          childNames.set(parent, names);
        }
        const name = child.slice(cut + 1);
        const nameLower = name.toLowerCase();
        if (!names.has(nameLower)) {
          names.add(nameLower);
          parent.subkeys.push(name);
        }
        child = parentPath;
        childLower = parentLower;
      }
    }
    this.#complete.push(rootLower);
    return keys.length;
  }

  async #run(args: string[]): Promise<string | undefined> {
    const full = this.#o.view === undefined ? args : [...args, `/reg:${this.#o.view}`];
    const r = await this.#o.exec(this.#o.regExe ?? "reg.exe", full);
    if (r.code === 0) return this.#decode(r.stdout);
    if (r.code === 1) {
      if (this.failures.length < 1000)
        this.failures.push({ args: full, code: r.code, stderr: this.#decode(r.stderr).trim() });
      return undefined;
    }
    throw new WindowsStateError(
      "exec-failed",
      `reg ${full.join(" ")} exited with ${r.code}: ${this.#decode(r.stderr).trim()}`,
      {
        structure: "reg.exe",
        path: args[1] ?? "",
      },
    );
  }

  #decode(out: Uint8Array | string): string {
    if (typeof out === "string") return out;
    const cp = this.#o.outputCodePage ?? 437;
    if (cp === "utf-8") return new TextDecoder("utf-8").decode(out);
    return isKnownOemCodePage(cp) ? decodeOem(out, cp) : decodeOem(out, 437);
  }

  #warn(query: string, warnings: RegQueryWarning[]): void {
    for (const w of warnings) if (this.warnings.length < 1000) this.warnings.push({ ...w, query });
  }
}

function lastComponent(path: string): string {
  return path.slice(path.lastIndexOf("\\") + 1);
}
