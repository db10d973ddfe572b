/**
 * The state shared by the PE sub-parsers during one `parsePe()` call: the bounds-checked reader,
 * the strictness mode and the anomaly list. It implements the one rule of permissive parsing:
 * a *problem* is thrown in strict mode and recorded (then worked around) in permissive mode,
 * while a *note* (an oddity that is not an error) is always just recorded.
 *
 * Source: the practice of goblin (https://github.com/m4b/goblin) and pefile
 * (https://github.com/erocarrera/pefile) of recording what a permissive parse forgave;
 * src/util/byte-reader.ts (the reader).
 */
import { ByteReader, type ByteReaderOptions } from "../util/byte-reader.js";
import { PeFormatError, peOutOfBounds, type PeFormatErrorCode } from "./errors.js";
import { MAX_ANOMALIES } from "./limits.js";
import type { PeAnomaly } from "./types.js";

/** `"strict"`: the first anomaly-worthy problem throws. `"permissive"`: problems are recorded. */
export type PeParseMode = "strict" | "permissive";

/** Mutable parse state; one per `parsePe()` call. */
export class ParseContext {
  readonly reader: ByteReader;
  readonly mode: PeParseMode;
  readonly anomalies: PeAnomaly[] = [];

  /** @param readerOptions - for a partly read file (`ensureRead`, src/util/byte-reader.ts). */
  constructor(bytes: Uint8Array, mode: PeParseMode, readerOptions: ByteReaderOptions = {}) {
    this.reader = new ByteReader(bytes, peOutOfBounds, readerOptions);
    this.mode = mode;
  }

  /** File size in bytes. */
  get size(): number {
    return this.reader.size;
  }

  /**
   * A problem: throws `PeFormatError(errorCode)` in strict mode, records an anomaly with
   * `anomalyCode` in permissive mode.
   * @throws PeFormatError in strict mode.
   */
  problem(
    errorCode: PeFormatErrorCode,
    anomalyCode: string,
    structure: string,
    offset: number | undefined,
    message: string,
  ): void {
    if (this.mode === "strict") {
      throw new PeFormatError(
        errorCode,
        message,
        offset === undefined ? { structure } : { offset, structure },
      );
    }
    this.push(anomalyCode, structure, offset, message);
  }

  /** An oddity that is not a parse error: recorded in both modes, never thrown. */
  note(anomalyCode: string, structure: string, offset: number | undefined, message: string): void {
    this.push(anomalyCode, structure, offset, message);
  }

  /**
   * Runs one optional sub-parser. A `PeFormatError` it throws is re-thrown in strict mode and
   * recorded as an anomaly (code = the error's code) in permissive mode, where `fallback` is
   * returned. Any other error is a bug and propagates.
   */
  guard<T>(structure: string, fallback: T, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof PeFormatError) || this.mode === "strict") throw error;
      this.push(error.code, error.structure ?? structure, error.offset, error.message);
      return fallback;
    }
  }

  private push(code: string, structure: string, offset: number | undefined, message: string): void {
    if (this.anomalies.length > MAX_ANOMALIES) return;
    if (this.anomalies.length === MAX_ANOMALIES) {
      this.anomalies.push({
        code: "anomaly-limit-reached",
        structure: "PE",
        message: `More than ${MAX_ANOMALIES} anomalies; the rest are not recorded`,
      });
      return;
    }
    const anomaly: PeAnomaly = { code, structure, message };
    if (offset !== undefined) anomaly.offset = offset;
    this.anomalies.push(anomaly);
  }
}
