/**
 * The base block of a transaction log file (`.LOG1`, `.LOG2`): the first 512 bytes of the hive's
 * base block as it was in memory when the log was written, with the file type set to 1 (old
 * format, Windows XP to 8; 2 in Windows 2000 and earlier) or 6 (new format, Windows 8.1 and later).
 * It is valid when its signature and XOR-32 checksum are right and its two sequence numbers are
 * equal.
 *
 * Source: M. Suhanov, "Windows registry file format specification", sections "Format of
 * transaction log files" → "Old format" → "Base block" (notes 1–2) and "New format" → "Base block"
 * (https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md).
 */
import { ByteReader } from "../../util/byte-reader.js";
import { RegistryError, registryOutOfBounds } from "../errors.js";
import { CHECKSUM_OFFSET, computeBaseBlockChecksum } from "./base-block.js";

/** Bytes of a log's base block copy (one 512-byte sector, whatever the disk's sector size). */
export const LOG_BASE_BLOCK_SIZE = 512;

/** The two formats of transaction log files. */
export type HiveLogFormat = "old" | "new";

/** A valid log base block. */
export interface LogBaseBlock {
  format: HiveLogFormat;
  /** The sequence number (primary = secondary): the first log entry's, in the new format. */
  sequence: number;
  /** Last written timestamp (offset 12), as the raw 64-bit FILETIME. */
  lastWritten: bigint;
  /** Hive bins data size (offset 40) when the log was written, in bytes. */
  hiveBinsDataSize: number;
}

/**
 * Parses and validates the base block at the start of log file `bytes`.
 * @throws RegistryError `truncated` (under 512 bytes; an empty log is the usual unused `.LOG2`),
 * `bad-signature` (no `regf`), `bad-checksum`, `bad-log` (sequence numbers differ: the log
 * itself was being written), `unsupported` (a file type other than 1, 2 or 6).
 */
export function parseLogBaseBlock(bytes: Uint8Array): LogBaseBlock {
  const s = "log base block";
  const r = new ByteReader(bytes, registryOutOfBounds);
  if (bytes.length < LOG_BASE_BLOCK_SIZE) {
    throw new RegistryError(
      "truncated",
      bytes.length === 0 ? "empty log file" : `log file of ${bytes.length} bytes has no 512-byte base block`,
      { offset: 0, structure: s },
    );
  }
  if (r.u32(0, s) !== 0x66676572) {
    throw new RegistryError("bad-signature", "no 'regf' signature at offset 0 of the log", {
      offset: 0,
      structure: s,
    });
  }
  const stored = r.u32(CHECKSUM_OFFSET, s);
  const computed = computeBaseBlockChecksum(bytes.subarray(0, CHECKSUM_OFFSET));
  if (stored !== computed) {
    throw new RegistryError(
      "bad-checksum",
      `log base block checksum 0x${stored.toString(16)} != computed 0x${computed.toString(16)}`,
      { offset: CHECKSUM_OFFSET, structure: s },
    );
  }
  const primary = r.u32(4, s);
  const secondary = r.u32(8, s);
  if (primary !== secondary) {
    throw new RegistryError(
      "bad-log",
      `log base block sequence numbers differ (${primary} != ${secondary}): the log was not completely written`,
      { offset: 4, structure: s },
    );
  }
  const fileType = r.u32(28, s);
  const format: HiveLogFormat | undefined =
    fileType === 6 ? "new" : fileType === 1 || fileType === 2 ? "old" : undefined;
  if (format === undefined) {
    throw new RegistryError("unsupported", `log base block file type ${fileType} (expected 1, 2 or 6)`, {
      offset: 28,
      structure: s,
    });
  }
  return {
    format,
    sequence: primary,
    lastWritten: r.u64(12, s),
    hiveBinsDataSize: r.u32(40, s),
  };
}
