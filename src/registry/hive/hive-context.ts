/**
 * Shared state of one open hive: the bounds-checked reader, the mode, the caps, the map of hive
 * bins, the cell reader and the anomaly log. Every structure parser (nk, vk, sk, lists, db) reads
 * cells through {@link HiveContext.cell}.
 *
 * Source: msuhanov/regf specification, sections "Hive bin" and "Cell".
 */
import { ByteReader } from "../../util/byte-reader.js";
import { RegistryError, registryOutOfBounds, type RegistryErrorCode } from "../errors.js";
import { BASE_BLOCK_SIZE, parseBaseBlock, type BaseBlock } from "./base-block.js";
import { HBIN_ALIGNMENT, HBIN_HEADER_SIZE, readHbinHeader, type HiveBin } from "./hbin.js";
import type { HiveLimits } from "./limits.js";

/** How forgiving the parser is. */
export type HiveMode = "strict" | "permissive";

/** Something the permissive parser forgave (in strict mode it would have been thrown). */
export interface HiveAnomaly {
  code: RegistryErrorCode;
  message: string;
  /** File offset of the offending structure, when known. */
  offset?: number;
  /** Key path (relative to the hive root) being read, when known. */
  path?: string;
}

/** A cell: where its data lies in the file. */
export interface Cell {
  /** Offset relative to the hive bins (what other cells store). */
  offset: number;
  /** File offset of the cell's size field. */
  fileOffset: number;
  /** File offset of the cell data (after the 4-byte size). */
  dataOffset: number;
  /** Bytes of cell data (cell size − 4). */
  dataSize: number;
  /** True when the size field is negative. */
  allocated: boolean;
}

/** The null cell offset. */
export const NULL_OFFSET = 0xffffffff;

export class HiveContext {
  readonly reader: ByteReader;
  readonly mode: HiveMode;
  readonly limits: HiveLimits;
  readonly baseBlock: BaseBlock;
  readonly bins: HiveBin[] = [];
  readonly anomalies: HiveAnomaly[] = [];
  /** Anomalies not kept because `maxAnomalies` was reached. */
  anomaliesDropped = 0;
  /** Cells read so far (capped by `maxCellsVisited`). */
  cellsVisited = 0;
  /** Bytes of big data assembled so far (capped by `maxBigDataBytes`). */
  bigDataBytes = 0;

  constructor(bytes: Uint8Array, mode: HiveMode, limits: HiveLimits) {
    this.reader = new ByteReader(bytes, registryOutOfBounds);
    this.mode = mode;
    this.limits = limits;
    this.baseBlock = parseBaseBlock(this.reader);
    const bb = this.baseBlock;
    if (!bb.checksumValid) {
      this.forgive(
        new RegistryError(
          "bad-checksum",
          `base block checksum 0x${bb.storedChecksum.toString(16)} != computed 0x${bb.computedChecksum.toString(16)}`,
          { offset: 508, structure: "base block" },
        ),
      );
    }
    this.#mapBins();
  }

  /** Throws `err` in strict mode; records it as an anomaly in permissive mode. */
  forgive(err: RegistryError): void {
    if (this.mode === "strict") throw err;
    this.record(err);
  }

  /**
   * Runs `read`; a RegistryError it throws is rethrown in strict mode and, in permissive mode,
   * recorded while `fallback` is returned. Other errors always propagate.
   */
  guard<T>(fallback: T, read: () => T): T {
    try {
      return read();
    } catch (e) {
      if (this.mode === "strict" || !(e instanceof RegistryError)) throw e;
      this.record(e);
      return fallback;
    }
  }

  /** Records `err` as an anomaly (whatever the mode), within `maxAnomalies`. */
  record(err: RegistryError): void {
    if (this.anomalies.length >= this.limits.maxAnomalies) {
      this.anomaliesDropped++;
      return;
    }
    const a: HiveAnomaly = { code: err.code, message: err.message };
    if (err.offset !== undefined) a.offset = err.offset;
    if (err.path !== undefined) a.path = err.path;
    this.anomalies.push(a);
  }

  /**
   * Walks the hive bins from file offset 4 096 up to the hive bins data size: the declared one, or,
   * when the base block checksum is bad (an interrupted write: its fields cannot be trusted), the
   * file's length rounded down to 4 096, as yarp and Windows' own recovery do. In permissive mode a
   * bin with a bad header is skipped: the walk resumes at the next 4 096-byte page holding a valid
   * header at its own offset (cells in the skipped pages read as outside the bins); a header
   * whose only fault is its signature is kept.
   * Terminates: each step advances by the bin's size or one page, at least 4 096 bytes.
   */
  #mapBins(): void {
    const inFile = Math.max(0, this.reader.size - BASE_BLOCK_SIZE);
    const declared = this.baseBlock.checksumValid
      ? this.baseBlock.hiveBinsDataSize
      : inFile - (inFile % HBIN_ALIGNMENT);
    if (declared > inFile) {
      this.forgive(
        new RegistryError(
          "truncated",
          `hive bins data size ${declared} exceeds the ${inFile} bytes present`,
          {
            offset: 40,
            structure: "base block",
          },
        ),
      );
    }
    const limit = Math.min(declared, inFile);
    let rel = 0;
    while (rel < limit) {
      const res = readHbinHeader(this.reader, rel);
      if (!("bin" in res)) {
        if (this.mode === "strict") throw res.problem;
        const next = this.#nextValidBin(rel + HBIN_ALIGNMENT, limit);
        const problem = res.problem;
        this.forgive(
          new RegistryError(
            problem.code,
            `${problem.message}; ${next === undefined ? "no later hbin found" : `resumed at the hbin at file offset ${BASE_BLOCK_SIZE + next}`}`,
            { offset: problem.offset ?? BASE_BLOCK_SIZE + rel, structure: "hbin" },
          ),
        );
        if (next === undefined) break;
        rel = next;
        continue;
      }
      if (res.problem) this.forgive(res.problem);
      if (res.clipped) {
        this.forgive(
          new RegistryError("truncated", `hbin at relative offset ${rel} runs past the end of the file`, {
            offset: BASE_BLOCK_SIZE + rel,
            structure: "hbin",
          }),
        );
      }
      this.bins.push(res.bin);
      rel = res.bin.start + (res.clipped ? inFile - rel : res.bin.end - res.bin.start);
    }
    if (this.bins.length === 0) {
      throw new RegistryError("truncated", "hive has no readable hive bin", {
        offset: BASE_BLOCK_SIZE,
        structure: "hbin",
      });
    }
  }

  /**
   * The relative offset of the first 4 096-byte page at or after `from` (and before `limit`) that
   * holds a flawless hbin header, or `undefined`. Terminates: steps one page at a time.
   */
  #nextValidBin(from: number, limit: number): number | undefined {
    for (let rel = from; rel < limit; rel += HBIN_ALIGNMENT) {
      const res = readHbinHeader(this.reader, rel);
      if ("bin" in res && res.problem === undefined) return rel;
    }
    return undefined;
  }

  /** The bin containing relative offset `rel`, by binary search over the sorted bins. */
  #binOf(rel: number): HiveBin | undefined {
    let lo = 0;
    let hi = this.bins.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const b = this.bins[mid]!;
      if (rel < b.start) hi = mid - 1;
      else if (rel >= b.end) lo = mid + 1;
      else return b;
    }
    return undefined;
  }

  /**
   * The cell at relative offset `offset`, checked: 8-byte aligned, inside a hive bin and past its
   * header, size at least 8 and not past the bin's end, allocated (unallocated is forgiven in
   * permissive mode). Counts toward `maxCellsVisited`.
   * @throws RegistryError `bad-cell`, `count-over-limit`.
   */
  cell(offset: number, structure: string, path?: string): Cell {
    if (++this.cellsVisited > this.limits.maxCellsVisited) {
      throw new RegistryError("count-over-limit", `more than ${this.limits.maxCellsVisited} cells visited`, {
        structure,
        ...(path === undefined ? {} : { path }),
      });
    }
    const fileOffset = BASE_BLOCK_SIZE + offset;
    const fields = { offset: fileOffset, structure, ...(path === undefined ? {} : { path }) };
    if (offset === NULL_OFFSET) throw new RegistryError("bad-cell", `${structure}: null cell offset`, fields);
    if (offset % 8 !== 0)
      throw new RegistryError(
        "bad-cell",
        `${structure}: cell offset 0x${offset.toString(16)} is not 8-byte aligned`,
        fields,
      );
    const bin = this.#binOf(offset);
    if (bin === undefined || offset < bin.start + HBIN_HEADER_SIZE) {
      throw new RegistryError(
        "bad-cell",
        `${structure}: cell offset 0x${offset.toString(16)} is outside the hive bins`,
        fields,
      );
    }
    const raw = this.reader.i32(fileOffset, structure);
    const allocated = raw < 0;
    const size = allocated ? -raw : raw;
    if (size < 8 || offset + size > bin.end) {
      throw new RegistryError(
        "bad-cell",
        `${structure}: cell at 0x${offset.toString(16)} has impossible size ${raw}`,
        fields,
      );
    }
    if (!allocated) {
      this.forgive(
        new RegistryError(
          "bad-cell",
          `${structure}: cell at 0x${offset.toString(16)} is not allocated`,
          fields,
        ),
      );
    }
    return { offset, fileOffset, dataOffset: fileOffset + 4, dataSize: size - 4, allocated };
  }

  /** Throws `truncated` unless `[at, at + length)` lies inside `cell`'s data. */
  requireInCell(cell: Cell, at: number, length: number, structure: string, path?: string): void {
    if (at < cell.dataOffset || at + length > cell.dataOffset + cell.dataSize) {
      throw new RegistryError(
        "truncated",
        `${structure}: ${length} bytes at file offset ${at} run past its cell`,
        {
          offset: cell.fileOffset,
          structure,
          ...(path === undefined ? {} : { path }),
        },
      );
    }
  }

  /** Reads a 2-byte signature at the start of `cell` and throws `bad-signature` unless it is one of `expected`. */
  signature(cell: Cell, expected: readonly string[], structure: string, path?: string): string {
    this.requireInCell(cell, cell.dataOffset, 2, structure, path);
    const b = this.reader.bytes(cell.dataOffset, 2, structure);
    const sig = String.fromCharCode(b[0]!, b[1]!);
    if (!expected.includes(sig)) {
      throw new RegistryError(
        "bad-signature",
        `expected ${expected.join("/")} at file offset ${cell.dataOffset}, found ${JSON.stringify(sig)}`,
        {
          offset: cell.fileOffset,
          structure,
          ...(path === undefined ? {} : { path }),
        },
      );
    }
    return sig;
  }
}
