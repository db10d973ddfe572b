/**
 * The regf base block: the first 4 096 bytes of a hive file.
 *
 * Source: msuhanov/regf "Windows registry file format specification", section "Base block"
 * (https://github.com/msuhanov/regf/blob/master/Windows%20registry%20file%20format%20specification.md).
 */
import type { ByteReader } from "../../util/byte-reader.js";
import { RegistryError } from "../errors.js";
import { filetimeToDate } from "./filetime.js";

/** Size of the base block, in bytes; hive bins start at this file offset. */
export const BASE_BLOCK_SIZE = 4096;
/** Offset of the checksum field: XOR-32 of the 127 dwords before it. */
export const CHECKSUM_OFFSET = 508;

/** The parsed base block. Offsets named `…Offset` are relative to the first hive bin (file offset 4096). */
export interface BaseBlock {
  /** Primary sequence number (offset 4). */
  primarySequence: number;
  /** Secondary sequence number (offset 8). */
  secondarySequence: number;
  /** True when the sequence numbers differ: a write was not completed; changes may sit in `.LOG1`/`.LOG2`. */
  dirty: boolean;
  /** Last written time (offset 12), when set. */
  lastWritten: Date | undefined;
  /** Format version (offsets 20, 24), e.g. 1.5. */
  majorVersion: number;
  minorVersion: number;
  /** File type (offset 28): 0 = primary file. */
  fileType: number;
  /** File format (offset 32): 1 = direct memory load. */
  fileFormat: number;
  /** Root key `nk` cell offset (offset 36), relative to the hive bins. */
  rootCellOffset: number;
  /** Hive bins data size (offset 40), in bytes. */
  hiveBinsDataSize: number;
  /** Clustering factor (offset 44). */
  clusteringFactor: number;
  /** File name (offset 48, 64 bytes UTF-16LE), up to its first NUL. */
  fileName: string;
  /** Checksum stored at offset 508. */
  storedChecksum: number;
  /** Checksum computed over bytes 0–507. */
  computedChecksum: number;
  /** `storedChecksum === computedChecksum`. */
  checksumValid: boolean;
}

/**
 * XOR-32 checksum of the first 127 little-endian dwords of `block` (bytes 0–507), with the
 * spec's fix-ups: 0 becomes 1 and 0xFFFFFFFF becomes 0xFFFFFFFE.
 * @throws RegistryError `truncated` when `block` is shorter than 508 bytes.
 */
export function computeBaseBlockChecksum(block: Uint8Array): number {
  if (block.length < CHECKSUM_OFFSET) {
    throw new RegistryError("truncated", "base block shorter than 508 bytes", {
      offset: 0,
      structure: "base block",
    });
  }
  const view = new DataView(block.buffer, block.byteOffset, CHECKSUM_OFFSET);
  let x = 0;
  for (let i = 0; i < CHECKSUM_OFFSET; i += 4) x ^= view.getUint32(i, true);
  x >>>= 0;
  if (x === 0) return 1;
  if (x === 0xffffffff) return 0xfffffffe;
  return x;
}

/**
 * Whether the hive file starting with `head` (at least its first 512 bytes) is dirty by its base
 * block: the sequence numbers differ or the checksum is wrong (the spec's "Dirty state of a hive").
 * A head shorter than 512 bytes counts as dirty (nothing in it can be trusted). Reads nothing else,
 * so a caller can decide from the first sector alone (log replay, the repair's refusal to edit).
 */
export function isDirtyBaseBlock(head: Uint8Array): boolean {
  if (head.length < 512) return true;
  const view = new DataView(head.buffer, head.byteOffset, 512);
  if (view.getUint32(4, true) !== view.getUint32(8, true)) return true;
  return (
    computeBaseBlockChecksum(head.subarray(0, CHECKSUM_OFFSET)) !== view.getUint32(CHECKSUM_OFFSET, true)
  );
}

/**
 * Parses the base block at file offset 0. Does not judge the checksum (the caller decides by
 * mode); does check the signature and that the whole 4 096-byte block is present.
 * @throws RegistryError `bad-signature` (no `regf`), `truncated` (file shorter than 4 096 bytes).
 */
export function parseBaseBlock(r: ByteReader): BaseBlock {
  const s = "base block";
  r.require(0, 4, s);
  const sig = r.bytes(0, 4, s);
  if (sig[0] !== 0x72 || sig[1] !== 0x65 || sig[2] !== 0x67 || sig[3] !== 0x66) {
    throw new RegistryError("bad-signature", "not a registry hive: no 'regf' signature at offset 0", {
      offset: 0,
      structure: s,
    });
  }
  r.require(0, BASE_BLOCK_SIZE, s);
  const primarySequence = r.u32(4, s);
  const secondarySequence = r.u32(8, s);
  const storedChecksum = r.u32(CHECKSUM_OFFSET, s);
  const computedChecksum = computeBaseBlockChecksum(r.bytes(0, CHECKSUM_OFFSET, s));
  const name = r.utf16(48, 64, s);
  const nul = name.indexOf("\u0000");
  return {
    primarySequence,
    secondarySequence,
    dirty: primarySequence !== secondarySequence,
    lastWritten: filetimeToDate(r.u64(12, s)),
    majorVersion: r.u32(20, s),
    minorVersion: r.u32(24, s),
    fileType: r.u32(28, s),
    fileFormat: r.u32(32, s),
    rootCellOffset: r.u32(36, s),
    hiveBinsDataSize: r.u32(40, s),
    clusteringFactor: r.u32(44, s),
    fileName: nul >= 0 ? name.slice(0, nul) : name,
    storedChecksum,
    computedChecksum,
    checksumValid: storedChecksum === computedChecksum,
  };
}
