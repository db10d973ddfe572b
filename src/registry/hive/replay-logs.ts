/**
 * Log replay: the in-memory recovery of a dirty hive from its transaction logs, as Windows does
 * when it loads one. A hive is dirty when its base block's sequence numbers differ or its checksum
 * is wrong; a clean hive's logs are ignored. The hive's bytes and the logs are never written: the
 * recovered hive is a new buffer.
 *
 * New format (`HvLE` entries, preferred when any log has it): with a valid base block, every log
 * whose base block sequence is not older than the hive's secondary sequence number is replayed,
 * earliest first, each from its base block's sequence number on, entry after entry while each
 * continues the sequence and passes its checks; a second log is replayed only when its first entry
 * continues the first log's last. With an invalid base block, only the log with the latest entries
 * is replayed, and its base block copy stands in for the hive's. Replay stops at the first entry
 * whose hash, size or references are wrong; the entries before it stay applied.
 * Old format (base block copy, `DIRT` vector, 512-byte pages): the log whose base block has the
 * latest timestamp (`.LOG1` on a tie) and, with a valid hive base block, the same timestamp as the
 * hive's, is applied whole or not at all.
 *
 * Memory: the recovered hive is one buffer of at most the larger of the hive file and 4 096 + the
 * hive bins data size an applied entry declares, which is capped by `maxHiveBytes` and by the hive's
 * own size plus the logs' (every byte past the hive must come from a log); everything else is a view
 * into the given bytes.
 *
 * Source: M. Suhanov, "Windows registry file format specification", sections "Format of
 * transaction log files", "Dirty state of a hive" and "Multiple transaction log files"
 * (https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md).
 */
import { ByteReader } from "../../util/byte-reader.js";
import type { InputFileErrorCode } from "../../util/input-file-error.js";
import { RegistryError, registryOutOfBounds, type RegistryErrorCode } from "../errors.js";
import {
  BASE_BLOCK_SIZE,
  CHECKSUM_OFFSET,
  computeBaseBlockChecksum,
  parseBaseBlock,
  type BaseBlock,
} from "./base-block.js";
import { readDirtyVector } from "./dirty-vector.js";
import { HBIN_ALIGNMENT } from "./hbin.js";
import {
  LOG_BASE_BLOCK_SIZE,
  parseLogBaseBlock,
  type HiveLogFormat,
  type LogBaseBlock,
} from "./log-base-block.js";
import { isLogEntryAt, parseLogEntry, type DirtyPage, type LogEntry } from "./log-entry.js";

/** One transaction log beside the hive: its bytes, or why it could not be read. */
export type HiveLogInput = { name: string; bytes: Uint8Array } | { name: string; problem: HiveLogProblem };

/** Why a log was not used, or why its replay stopped. */
export interface HiveLogProblem {
  code: RegistryErrorCode | InputFileErrorCode;
  message: string;
  /** Offset in the log file of the offending structure, when known. */
  offset?: number;
}

/** What one log contributed. */
export interface HiveLogOutcome {
  /** The log's file name, e.g. `NTUSER.DAT.LOG1`. */
  name: string;
  /** Its format, when its base block is valid. */
  format?: HiveLogFormat;
  /** Log entries applied (new format); 1 for an applied old-format log. */
  entries: number;
  /** Pages written from it. */
  pages: number;
  /** Sequence numbers of the first and last entry applied. */
  firstSequence?: number;
  lastSequence?: number;
  /** Why it was not used, or where its replay stopped (entries before it stay applied). */
  problem?: HiveLogProblem;
}

/** The outcome of replaying a dirty hive's logs. */
export interface HiveRecovery {
  /** True when at least one log entry (or an old-format log) was applied. */
  recovered: boolean;
  /** Format of the logs applied. */
  format?: HiveLogFormat;
  /** The sequence number of the recovered hive. */
  sequence?: number;
  /** Each log given, in the order given. */
  logs: HiveLogOutcome[];
  /** One line for people: `recovered from NTUSER.DAT.LOG1 (3 entries)`, or why not. */
  summary: string;
}

/** Options of {@link replayHiveLogs}. */
export interface ReplayOptions {
  /** Largest recovered hive, in bytes (the hive read cap, src/limits.ts `hiveFileBytes`). */
  maxHiveBytes: number;
}

/** A log whose base block is valid. */
interface ParsedLog {
  outcome: HiveLogOutcome;
  reader: ByteReader;
  base: LogBaseBlock;
}

/** The pages to write, in order, and the base block fields they leave. */
interface ReplayPlan {
  format: HiveLogFormat;
  /** Source of the recovered base block's first 508 bytes. */
  baseFrom: Uint8Array;
  writes: Array<{ reader: ByteReader; pages: DirtyPage[] }>;
  sequence: number;
  hiveBinsDataSize: number;
  /** Largest hive bins data size any applied step declared (sizes the buffer). */
  largestHiveBinsDataSize: number;
  /** Bit 0 of the base block flags, from the last entry applied (new format). */
  flags?: number;
}

const problemOf = (e: RegistryError): HiveLogProblem =>
  e.offset === undefined
    ? { code: e.code, message: e.message }
    : { code: e.code, message: e.message, offset: e.offset };

/** True when sequence number `a` comes at or after `b`, modulo 2³² (sequence numbers wrap). */
const serialAtLeast = (a: number, b: number): boolean => (a - b) >>> 0 <= 0x7fffffff;

/**
 * Replays the logs of the hive `primary` when it is dirty.
 * @returns `undefined` when the hive is clean (or has no readable base block: opening it will say
 * why); otherwise the recovery report, and the recovered hive's bytes when `recovery.recovered`.
 * Never throws for bad logs: each one's problem is in the report.
 */
export function replayHiveLogs(
  primary: Uint8Array,
  logs: readonly HiveLogInput[],
  options: ReplayOptions,
): { bytes?: Uint8Array; recovery: HiveRecovery } | undefined {
  let hive: BaseBlock;
  let hiveStamp: bigint;
  try {
    const reader = new ByteReader(primary, registryOutOfBounds);
    hive = parseBaseBlock(reader);
    hiveStamp = reader.u64(12, "base block");
  } catch (e) {
    if (e instanceof RegistryError) return undefined;
    throw e;
  }
  if (!hive.dirty && hive.checksumValid) return undefined;
  const totalLogBytes = logs.reduce((n, l) => n + ("bytes" in l ? l.bytes.length : 0), 0);
  const onDisk = Math.max(
    hive.checksumValid ? hive.hiveBinsDataSize : 0,
    primary.length - BASE_BLOCK_SIZE,
    0,
  );
  const cap = Math.min(options.maxHiveBytes - BASE_BLOCK_SIZE, onDisk + totalLogBytes);
  const maxHiveBinsDataSize = Math.max(0, cap - (cap % HBIN_ALIGNMENT));

  const outcomes: HiveLogOutcome[] = [];
  const parsed: ParsedLog[] = [];
  for (const log of logs) {
    const outcome: HiveLogOutcome = { name: log.name, entries: 0, pages: 0 };
    outcomes.push(outcome);
    if ("problem" in log) {
      outcome.problem = log.problem;
      continue;
    }
    try {
      const base = parseLogBaseBlock(log.bytes);
      outcome.format = base.format;
      parsed.push({ outcome, base, reader: new ByteReader(log.bytes, registryOutOfBounds) });
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      outcome.problem = problemOf(e);
    }
  }
  const newLogs = parsed.filter((l) => l.base.format === "new");
  const plan =
    newLogs.length > 0
      ? planNewFormat(hive, newLogs, maxHiveBinsDataSize)
      : planOldFormat(hive, hiveStamp, parsed, maxHiveBinsDataSize);
  for (const l of parsed) {
    if (l.base.format === "old" && newLogs.length > 0 && l.outcome.problem === undefined) {
      l.outcome.problem = {
        code: "stale-log",
        message: "an old-format log beside new-format ones; not used",
      };
    }
  }
  if (plan === undefined) {
    return { recovery: { recovered: false, logs: outcomes, summary: notRecoveredSummary(outcomes) } };
  }
  const bytes = applyPlan(primary, plan);
  const recovery: HiveRecovery = {
    recovered: true,
    format: plan.format,
    sequence: plan.sequence,
    logs: outcomes,
    summary: recoveredSummary(outcomes),
  };
  return { bytes, recovery };
}

/** The new-format replay (see the module comment), or `undefined` when no entry applies. */
function planNewFormat(
  hive: BaseBlock,
  logs: ParsedLog[],
  maxHiveBinsDataSize: number,
): ReplayPlan | undefined {
  let chosen: ParsedLog[];
  if (hive.checksumValid) {
    chosen = [];
    for (const l of logs) {
      if (serialAtLeast(l.base.sequence, hive.secondarySequence)) chosen.push(l);
      else
        l.outcome.problem = {
          code: "stale-log",
          message: `log starts at sequence ${l.base.sequence}, older than the hive's ${hive.secondarySequence}: its changes are already in the hive`,
          offset: 4,
        };
    }
    chosen.sort((a, b) =>
      a.base.sequence === b.base.sequence ? 0 : serialAtLeast(a.base.sequence, b.base.sequence) ? 1 : -1,
    );
  } else {
    // With a damaged base block, Windows replays only the log holding the latest entries.
    const latest = logs.reduce((a, b) =>
      serialAtLeast(b.base.sequence, a.base.sequence) && b.base.sequence !== a.base.sequence ? b : a,
    );
    for (const l of logs)
      if (l !== latest)
        l.outcome.problem = {
          code: "stale-log",
          message: "the hive's base block is damaged: only the log with the latest entries is replayed",
        };
    chosen = [latest];
  }
  const writes: ReplayPlan["writes"] = [];
  let last: LogEntry | undefined;
  let baseFrom: Uint8Array | undefined;
  let largest = 0;
  for (const log of chosen) {
    if (last !== undefined && log.base.sequence !== (last.sequence + 1) >>> 0) {
      log.outcome.problem = {
        code: "stale-log",
        message: `log starts at sequence ${log.base.sequence}, not ${(last.sequence + 1) >>> 0} where the replay stopped`,
        offset: 4,
      };
      continue;
    }
    const entries = scanEntries(log, maxHiveBinsDataSize);
    if (entries.length === 0) continue;
    baseFrom ??= log.reader.buffer.subarray(0, LOG_BASE_BLOCK_SIZE);
    for (const e of entries) {
      writes.push({ reader: log.reader, pages: e.pages });
      log.outcome.pages += e.pages.length;
      largest = Math.max(largest, e.hiveBinsDataSize);
    }
    log.outcome.entries = entries.length;
    log.outcome.firstSequence = entries[0]!.sequence;
    last = entries[entries.length - 1]!;
    log.outcome.lastSequence = last.sequence;
  }
  if (last === undefined || baseFrom === undefined) return undefined;
  return {
    format: "new",
    baseFrom,
    writes,
    sequence: last.sequence,
    hiveBinsDataSize: last.hiveBinsDataSize,
    largestHiveBinsDataSize: largest,
    flags: last.flags & 1,
  };
}

/**
 * The entries of `log` that apply, from its base block's sequence number on; records in its
 * outcome why the scan stopped when it stopped at anything but the end of the entries.
 */
function scanEntries(log: ParsedLog, maxHiveBinsDataSize: number): LogEntry[] {
  const out: LogEntry[] = [];
  let expected = log.base.sequence;
  // Terminates: each step moves past a whole entry of at least 512 bytes inside the log.
  for (let at = LOG_BASE_BLOCK_SIZE; isLogEntryAt(log.reader, at);) {
    let entry: LogEntry;
    try {
      entry = parseLogEntry(log.reader, at, maxHiveBinsDataSize);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      log.outcome.problem = problemOf(e);
      return out;
    }
    if (entry.sequence !== expected) {
      // Entries of an earlier round of writes follow the last current one: the normal end of a log.
      if (out.length === 0)
        log.outcome.problem = {
          code: "stale-log",
          message: `first log entry has sequence ${entry.sequence}, expected ${expected}`,
          offset: at + 12,
        };
      return out;
    }
    out.push(entry);
    at += entry.size;
    expected = (expected + 1) >>> 0;
  }
  if (out.length === 0)
    log.outcome.problem = {
      code: "bad-log",
      message: "no log entry after the base block",
      offset: LOG_BASE_BLOCK_SIZE,
    };
  return out;
}

/** The old-format replay (see the module comment), or `undefined` when no log applies. */
function planOldFormat(
  hive: BaseBlock,
  hiveStamp: bigint,
  logs: ParsedLog[],
  maxHiveBinsDataSize: number,
): ReplayPlan | undefined {
  const candidates = logs.filter((l) => {
    if (!hive.checksumValid || l.base.lastWritten === hiveStamp) return true;
    l.outcome.problem = {
      code: "stale-log",
      message: "log base block timestamp differs from the hive's: the log belongs to another write",
      offset: 12,
    };
    return false;
  });
  // The latest log first; `.LOG1` (given first) wins a tie.
  const ordered = [...candidates].sort((a, b) =>
    a.base.lastWritten < b.base.lastWritten ? 1 : a.base.lastWritten > b.base.lastWritten ? -1 : 0,
  );
  for (const log of ordered) {
    try {
      if (log.base.hiveBinsDataSize > maxHiveBinsDataSize) {
        throw new RegistryError(
          "count-over-limit",
          `log hive bins data size ${log.base.hiveBinsDataSize} exceeds the ${maxHiveBinsDataSize} bytes this hive and its logs can hold`,
          { offset: 40, structure: "log base block" },
        );
      }
      const pages = readDirtyVector(log.reader, log.base.hiveBinsDataSize);
      log.outcome.entries = 1;
      log.outcome.pages = pages.length;
      log.outcome.firstSequence = log.outcome.lastSequence = log.base.sequence;
      for (const other of ordered)
        if (other !== log && other.outcome.problem === undefined)
          other.outcome.problem = {
            code: "stale-log",
            message: `not used: ${log.outcome.name} is as recent or more`,
          };
      return {
        format: "old",
        baseFrom: log.reader.buffer.subarray(0, LOG_BASE_BLOCK_SIZE),
        writes: [{ reader: log.reader, pages }],
        sequence: log.base.sequence,
        hiveBinsDataSize: log.base.hiveBinsDataSize,
        largestHiveBinsDataSize: log.base.hiveBinsDataSize,
      };
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      log.outcome.problem = problemOf(e);
    }
  }
  return undefined;
}

/** A new buffer: the hive, the pages written over it in order, and the recovered base block. */
function applyPlan(primary: Uint8Array, plan: ReplayPlan): Uint8Array {
  const out = new Uint8Array(Math.max(primary.length, BASE_BLOCK_SIZE + plan.largestHiveBinsDataSize));
  out.set(primary);
  for (const { reader, pages } of plan.writes) {
    for (const p of pages)
      out.set(reader.buffer.subarray(p.logOffset, p.logOffset + p.size), BASE_BLOCK_SIZE + p.hiveOffset);
  }
  out.set(plan.baseFrom.subarray(0, CHECKSUM_OFFSET), 0);
  const view = new DataView(out.buffer, out.byteOffset, BASE_BLOCK_SIZE);
  view.setUint32(4, plan.sequence, true);
  view.setUint32(8, plan.sequence, true);
  view.setUint32(28, 0, true); // file type: primary
  view.setUint32(40, plan.hiveBinsDataSize, true);
  if (plan.flags !== undefined) view.setUint32(144, (view.getUint32(144, true) & ~1) | plan.flags, true);
  view.setUint32(CHECKSUM_OFFSET, computeBaseBlockChecksum(out.subarray(0, CHECKSUM_OFFSET)), true);
  return out;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function recoveredSummary(outcomes: HiveLogOutcome[]): string {
  const applied = outcomes
    .filter((o) => o.entries > 0)
    .sort((a, b) =>
      a.firstSequence === b.firstSequence ? 0 : serialAtLeast(a.firstSequence!, b.firstSequence!) ? 1 : -1,
    );
  const parts = applied.map((o) =>
    o.format === "old"
      ? `${o.name} (old format, ${plural(o.pages, "page", "pages")})`
      : `${o.name} (${plural(o.entries, "entry", "entries")})`,
  );
  const stopped = applied
    .filter((o) => o.problem !== undefined)
    .map(
      (o) =>
        `; replay stopped in ${o.name}${o.problem!.offset === undefined ? "" : ` at offset ${o.problem!.offset}`}: ${o.problem!.message}`,
    );
  return `recovered from ${parts.join(" and ")}${stopped.join("")}`;
}

function notRecoveredSummary(outcomes: HiveLogOutcome[]): string {
  if (outcomes.length === 0) return "not recovered: no transaction log beside the hive";
  const why = outcomes.map(
    (o) =>
      `${o.name}: ${o.problem ? `${o.problem.message}${o.problem.offset === undefined ? "" : ` (offset ${o.problem.offset})`}` : "not applicable"}`,
  );
  return `not recovered: ${why.join("; ")}`;
}
