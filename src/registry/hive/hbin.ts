/**
 * Hive bins (`hbin`): the 4 096-byte-multiple pages that hold cells, starting at file offset
 * 4 096. Each begins with a 32-byte header: `hbin`, its offset relative to the first bin (at 4)
 * and its size (at 8).
 *
 * Source: msuhanov/regf specification, section "Hive bin".
 */
import type { ByteReader } from "../../util/byte-reader.js";
import { RegistryError } from "../errors.js";
import { BASE_BLOCK_SIZE } from "./base-block.js";

/** Size of an hbin header, in bytes. */
export const HBIN_HEADER_SIZE = 32;
/** Hive bin sizes are multiples of this. */
export const HBIN_ALIGNMENT = 4096;

/** One hive bin, as a range of offsets relative to the first hive bin. */
export interface HiveBin {
  /** Offset of the bin header, relative to the hive bins (file offset − 4 096). */
  start: number;
  /** One past the last byte of the bin (relative), clipped to the file in permissive mode. */
  end: number;
}

/** What went wrong with one bin: the caller throws it (strict) or records it and stops (permissive). */
export type HbinProblem = RegistryError;

/**
 * Reads the hbin header at relative offset `rel`.
 * @returns the bin, or a {@link RegistryError} describing why it is unusable
 * (`bad-signature`, `bad-hbin`, `truncated`); `clipped` tells that the declared size ran past the file.
 * A header whose only fault is its signature (offset and size fields consistent) gives both the
 * bin and a `bad-signature` `problem`: permissive mode keeps such a bin.
 */
export function readHbinHeader(
  r: ByteReader,
  rel: number,
): { bin: HiveBin; clipped: boolean; problem?: HbinProblem } | { problem: HbinProblem } {
  const fileOffset = BASE_BLOCK_SIZE + rel;
  const s = "hbin";
  if (!r.has(fileOffset, HBIN_HEADER_SIZE)) {
    return {
      problem: new RegistryError("truncated", `hbin header at file offset ${fileOffset} is cut off`, {
        offset: fileOffset,
        structure: s,
      }),
    };
  }
  const sig = r.bytes(fileOffset, 4, s);
  const badSignature =
    sig[0] !== 0x68 || sig[1] !== 0x62 || sig[2] !== 0x69 || sig[3] !== 0x6e
      ? new RegistryError("bad-signature", `no 'hbin' signature at file offset ${fileOffset}`, {
          offset: fileOffset,
          structure: s,
        })
      : undefined;
  const declaredOffset = r.u32(fileOffset + 4, s);
  const size = r.u32(fileOffset + 8, s);
  if (
    badSignature !== undefined &&
    (declaredOffset !== rel || size < HBIN_ALIGNMENT || size % HBIN_ALIGNMENT !== 0)
  ) {
    return { problem: badSignature };
  }
  if (declaredOffset !== rel) {
    return {
      problem: new RegistryError(
        "bad-hbin",
        `hbin at relative offset ${rel} claims offset ${declaredOffset}`,
        {
          offset: fileOffset,
          structure: s,
        },
      ),
    };
  }
  if (size < HBIN_ALIGNMENT || size % HBIN_ALIGNMENT !== 0) {
    return {
      problem: new RegistryError(
        "bad-hbin",
        `hbin at relative offset ${rel} has size ${size}, not a positive multiple of 4096`,
        {
          offset: fileOffset,
          structure: s,
        },
      ),
    };
  }
  const available = r.size - fileOffset;
  const problem = badSignature === undefined ? {} : { problem: badSignature };
  if (size > available) {
    return {
      bin: { start: rel, end: rel + Math.max(HBIN_HEADER_SIZE, available) },
      clipped: true,
      ...problem,
    };
  }
  return { bin: { start: rel, end: rel + size }, clipped: false, ...problem };
}
