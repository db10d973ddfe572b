/**
 * What the EVTX reader forgives and reports: a bad CRC, a dirty header, a chunk or record that
 * could not be read. Each names the {@link EvtxErrorCode} it would have thrown and the file offset.
 */
import type { EvtxErrorCode } from "./errors.js";
import { EvtxError } from "./errors.js";

/** One forgiven problem in an EVTX file. */
export interface EvtxAnomaly {
  code: EvtxErrorCode | "dirty" | "anomaly-limit-reached";
  /** Byte offset in the file. */
  offset: number;
  /** The structure concerned: `"file header"`, `"chunk header"`, `"record"`, a BinXml token … */
  structure: string;
  message: string;
}

/** Turns a caught error into an anomaly; anything that is not an {@link EvtxError} is rethrown. */
export function anomalyFrom(e: unknown, fallbackOffset: number): EvtxAnomaly {
  if (!(e instanceof EvtxError)) throw e;
  return {
    code: e.code,
    offset: e.offset ?? fallbackOffset,
    structure: e.structure ?? "record",
    message: e.message,
  };
}
