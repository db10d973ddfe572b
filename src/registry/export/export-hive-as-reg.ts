/**
 * Export of a hive (or a subtree) as `.reg` format 5.00 text, the way regedit exports a loaded
 * hive: each key as `[<rootName>\<path>]` in stored (sorted) subkey order, values in stored order,
 * formatted by {@link formatRegText}. This is what `koff-doctor registry export HIVE_FILE [KEY_PATH]`
 * prints.
 *
 * Source: regedit's export layout (KB 310516); docs/registry.md ("Export", "Transaction logs").
 */
import { READ_LIMITS } from "../../limits.js";
import { RegistryError } from "../errors.js";
import type { RegTreeKey } from "../model/reg-tree.js";
import { isDirtyBaseBlock } from "../hive/base-block.js";
import { openHive, walkHive, type Hive } from "../hive/hive.js";
import type { HiveMode } from "../hive/hive-context.js";
import { replayHiveLogs, type HiveLogInput } from "../hive/replay-logs.js";
import { formatRegText, type FormatRegOptions, type RegExportKey } from "../reg-file/write-reg-file.js";
import { trimCharEnd } from "../../util/trim-char.js";
import { defaultHiveRoot } from "./hive-root-name.js";

/** Options of {@link exportHiveAsReg}. */
export interface ExportHiveOptions extends FormatRegOptions {
  /** Key to export, relative to the hive root (case-insensitive, `\`-separated). Default: the whole hive. */
  keyPath?: string;
  /**
   * What stands for the hive root in key lines, e.g. `HKEY_LOCAL_MACHINE\SOFTWARE`. A trailing `\`
   * is dropped. Default: the root key's stored name (`$$$PROTO.HIV`, `ROOT`, …).
   */
  rootName?: string;
}

/** The keys of `hive` (from `start`), depth-first in stored order, with full paths. */
function collectKeys(hive: Hive, options: ExportHiveOptions): RegExportKey[] {
  const rootName = trimCharEnd(options.rootName ?? hive.root.name, "\\");
  const start = options.keyPath === undefined ? hive.root : hive.getKey(options.keyPath);
  if (start === undefined) {
    throw new RegistryError("not-found", `key ${JSON.stringify(options.keyPath)} not found in the hive`, {
      path: options.keyPath ?? "",
    });
  }
  const out: RegExportKey[] = [];
  walkHive(
    hive,
    ({ key }) => {
      const path = key.path === "" ? rootName : rootName === "" ? key.path : `${rootName}\\${key.path}`;
      out.push({
        path,
        values: key.valueRecords().map((v) => ({ name: v.name, type: v.type, data: v.data })),
      });
    },
    { start },
  );
  return out;
}

/**
 * The `.reg` format 5.00 text (CRLF line endings, no BOM: encode with
 * {@link import("../reg-file/reg-text-encoding.js").encodeRegText}) of `hive` or of its subtree `keyPath`.
 * Keys and values whose name holds a line break are left out ({@link formatRegText}).
 * @throws RegistryError `not-found` when `keyPath` does not exist; in strict mode, any parse error met.
 */
export function exportHiveAsReg(hive: Hive, options: ExportHiveOptions = {}): string {
  return formatRegText(collectKeys(hive, options), options);
}

/** Options of {@link exportHiveFileAsReg}. */
export interface ExportHiveFileOptions extends ExportHiveOptions {
  /** Parse mode; default `"permissive"`: damaged parts are skipped and listed as `;` comments at the end. */
  mode?: HiveMode;
  /**
   * The hive's file name or path. When given and `rootName` is not, keys are written under
   * {@link defaultHiveRoot} of it (and of the name the base block records), e.g.
   * `HKEY_LOCAL_MACHINE\SOFTWARE`, so the file imports where Windows loads that hive.
   */
  fileName?: string;
  /**
   * The hive's transaction logs (`.LOG1`, `.LOG2` beside it, or why each could not be read). When
   * given and the hive is dirty, they are replayed in memory as `check --image` replays them
   * ({@link replayHiveLogs}) and the recovered hive is exported; a comment says whether they were.
   * When absent, a dirty hive is exported as it is on disk.
   */
  logs?: readonly HiveLogInput[];
  /** Largest recovered hive a replay may build, in bytes. Default {@link READ_LIMITS}.hiveFileBytes (1 GiB). */
  maxHiveBytes?: number;
}

/**
 * What a comment must not hold as it is: a line break would end it (the next line could be a
 * forged `[key]`), and a control character (ESC, BEL: C0 and C1), bidirectional control or line
 * separator would act on the terminal the `.reg` text is printed on unfiltered
 * (src/report/terminal-text.ts). Hive and log file names, key paths and messages may hold any of them.
 */
const UNSAFE_IN_COMMENT =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One comment line, each character of {@link UNSAFE_IN_COMMENT} shown as a visible `\uXXXX`. */
const comment = (text: string): string =>
  `; ${text.replace(UNSAFE_IN_COMMENT, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)}`;

/**
 * `bytes` opened as they are, or with `logs` replayed when the hive is dirty and logs are given;
 * with the comment lines saying which.
 */
function openForExport(bytes: Uint8Array, options: ExportHiveFileOptions): { hive: Hive; notes: string[] } {
  const mode = options.mode ?? "permissive";
  const dirtyOnDisk = options.logs !== undefined && bytes.length >= 512 && isDirtyBaseBlock(bytes);
  const replayed = dirtyOnDisk
    ? replayHiveLogs(bytes, options.logs ?? [], {
        maxHiveBytes: options.maxHiveBytes ?? READ_LIMITS.hiveFileBytes,
      })
    : undefined;
  if (replayed?.bytes !== undefined && replayed.recovery.recovered) {
    const hive = openHive(replayed.bytes, { mode, recovery: replayed.recovery });
    return {
      hive,
      notes: [
        comment(
          `hive is dirty on disk; exported with its transaction logs replayed in memory (${replayed.recovery.summary}); the file itself is unchanged`,
        ),
      ],
    };
  }
  const hive = openHive(bytes, { mode, ...(replayed ? { recovery: replayed.recovery } : {}) });
  const notes: string[] = [];
  if (hive.dirty) {
    notes.push(
      `; hive is dirty (sequence numbers ${hive.baseBlock.primarySequence} != ${hive.baseBlock.secondarySequence}): recent changes may be only in its .LOG1/.LOG2 files`,
    );
  }
  if (replayed)
    notes.push(comment(`no usable transaction log; exported as it is on disk: ${replayed.recovery.summary}`));
  return { hive, notes };
}

/**
 * Opens hive file `bytes` and exports it (or `keyPath`) as `.reg` text, ready to print. In
 * permissive mode, the anomalies met (at most 50 listed) follow as `; anomaly …` comment lines,
 * which `.reg` readers ignore. A dirty hive with `logs` is exported recovered, with a `; hive is
 * dirty on disk; exported with its transaction logs replayed …` comment, or as it is with a
 * `; hive is dirty …` and a `; no usable transaction log …` comment saying why each log was not
 * used; without `logs`, with the `; hive is dirty …` comment only.
 * @throws RegistryError when the hive cannot be opened at all, or `keyPath` is missing.
 */
export function exportHiveFileAsReg(bytes: Uint8Array, options: ExportHiveFileOptions = {}): string {
  const { hive, notes } = openForExport(bytes, options);
  const rootName =
    options.rootName ??
    (options.fileName === undefined ? undefined : defaultHiveRoot(options.fileName, hive.baseBlock.fileName));
  let text = exportHiveAsReg(hive, { ...options, rootName });
  for (const a of hive.anomalies.slice(0, 50)) {
    notes.push(
      comment(
        `anomaly ${a.code}${a.offset === undefined ? "" : ` at offset ${a.offset}`}${a.path ? ` in ${a.path}` : ""}: ${a.message}`,
      ),
    );
  }
  const more = hive.anomalies.length - 50 + hive.anomaliesDropped;
  if (more > 0) notes.push(`; ${more} more anomalies not listed`);
  if (notes.length > 0) text += notes.join("\r\n") + "\r\n";
  return text;
}

/**
 * The keys of an in-memory tree as {@link RegExportKey}s, depth-first in stored order, with
 * paths `rootPath\…` (`tree` itself is `rootPath`; with `rootPath` `""`, the tree's top is not
 * written and its subkeys are the roots, as in a tree built by `applyRegOperations`).
 * Terminates: a tree is finite and acyclic by construction; depth is capped at 512 below `tree`.
 */
export function regTreeToExportKeys(tree: RegTreeKey, rootPath: string): RegExportKey[] {
  const out: RegExportKey[] = [];
  const visit = (key: RegTreeKey, path: string, depth: number): void => {
    if (depth > 512) throw new RegistryError("too-deep", "key tree deeper than 512", { path });
    if (path !== "") out.push({ path, values: key.values });
    for (const child of key.subkeys)
      visit(child, path === "" ? child.name : `${path}\\${child.name}`, depth + 1);
  };
  visit(tree, rootPath, 0);
  return out;
}
