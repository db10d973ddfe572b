/**
 * The registry area's typed error. Every failure of the regf hive parser, the hive writer, the
 * `.reg` parser and the registry port adapters is a {@link RegistryError} with a literal
 * {@link RegistryErrorCode}, so callers branch on `code`, never on message text.
 *
 * Source: docs/registry.md ("Errors"); src/util/coded-error.ts (the base class).
 */
import { CodedError } from "../util/coded-error.js";

/**
 * Why a registry operation failed.
 * - `bad-signature`: a structure's magic is wrong (`regf`, `hbin`, `nk`, `vk`, `sk`, `lf`/`lh`/`li`/`ri`, `db`).
 * - `truncated`: a read runs past the end of the file or of its cell.
 * - `bad-checksum`: the base block's XOR-32 checksum does not match (strict mode only).
 * - `bad-cell`: a cell offset or cell size is impossible (outside the hive bins, misaligned, too small, unallocated in strict mode).
 * - `bad-hbin`: a hive bin header is inconsistent (offset field, size not a multiple of 4096).
 * - `cycle`: a subkey-list or key graph walk came back to a cell it had already visited.
 * - `too-deep`: nesting exceeds the depth cap (`ri` recursion, key depth).
 * - `count-over-limit`: a count read from the file (subkeys, values, segments, cells visited, name length, data size) exceeds its cap.
 * - `bad-value`: value data cannot be located (bad `db` segment list, data size larger than its cell).
 * - `reg-syntax`: a `.reg` text cannot be parsed (see `line`).
 * - `not-found`: a key path asked for does not exist where existence is required (export).
 * - `unsupported`: a valid but unsupported input (e.g. a writer input that cannot be encoded).
 * - `bad-log`: a transaction log (`.LOG1`/`.LOG2`) is inconsistent: a dirty or wrong-type base block,
 *   a log entry whose size, hive bins data size or dirty page references are impossible.
 * - `bad-hash`: a new-format log entry's Marvin32 hash-1 or hash-2 does not match its bytes.
 * - `stale-log`: a transaction log does not apply: older than the hive, or not continuing the
 *   sequence of the log replayed before it.
 */
export type RegistryErrorCode =
  | "bad-signature"
  | "truncated"
  | "bad-checksum"
  | "bad-cell"
  | "bad-hbin"
  | "cycle"
  | "too-deep"
  | "count-over-limit"
  | "bad-value"
  | "reg-syntax"
  | "not-found"
  | "unsupported"
  | "bad-log"
  | "bad-hash"
  | "stale-log";

/** Structured fields a {@link RegistryError} may carry. */
export interface RegistryErrorFields {
  /** File offset (bytes from the start of the hive file) of the offending structure, when known. */
  offset?: number;
  /** Name of the structure being read (`"base block"`, `"nk"`, `"lh"`, …). */
  structure?: string;
  /** Key path (relative to the hive root, or a `.reg` key path) being read, when known. */
  path?: string;
  /** 1-based line number in a `.reg` text (`reg-syntax`). */
  line?: number;
  /** The underlying cause, if any. */
  cause?: unknown;
}

/** The typed error of the registry area. */
export class RegistryError extends CodedError<RegistryErrorCode> {
  /** File offset of the offending structure, in bytes from the start of the hive file. */
  readonly offset: number | undefined;
  /** The structure being read. */
  readonly structure: string | undefined;
  /** Key path being read. */
  readonly path: string | undefined;
  /** 1-based line number in a `.reg` text. */
  readonly line: number | undefined;

  constructor(code: RegistryErrorCode, message: string, fields: RegistryErrorFields = {}) {
    super(code, message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.offset = fields.offset;
    this.structure = fields.structure;
    this.path = fields.path;
    this.line = fields.line;
  }

  override toJSON(): Record<string, unknown> {
    const out = super.toJSON();
    if (this.offset !== undefined) out.offset = this.offset;
    if (this.structure !== undefined) out.structure = this.structure;
    if (this.path !== undefined) out.path = this.path;
    if (this.line !== undefined) out.line = this.line;
    return out;
  }
}

/** The {@link import("../util/byte-reader.js").OutOfBoundsFactory} of the registry area: a `truncated` error. */
export function registryOutOfBounds(
  offset: number,
  length: number,
  structure: string,
  size: number,
): RegistryError {
  return new RegistryError(
    "truncated",
    `${structure}: read of ${length} bytes at offset ${offset} runs past the end (${size} bytes)`,
    { offset, structure },
  );
}
