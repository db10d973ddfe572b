/**
 * An EVTX file of this machine's disk, read lazily through the core reader
 * ({@link iterateEvtxReader}, src/evtx/read-evtx.ts): one 64 KiB chunk in memory at a time. The
 * path is opened as every user-named path is (src/util/safe-file.ts): a FIFO, device, folder or
 * symlink loop is refused and never read.
 *
 * Source: docs/evtx.md; libyal, "Windows XML Event Log (EVTX) format"
 * (https://github.com/libyal/libevtx/blob/main/documentation/Windows%20XML%20Event%20Log%20(EVTX).asciidoc).
 */
import { close, read } from "node:fs";
import { AnomalyLog, iterateEvtxReader, type EvtxFileHeader, type EvtxRecord } from "../../evtx/index.js";
import { openRegularFile } from "../../util/safe-file.js";

/**
 * The records of the EVTX file at `path`, lazily, in file order; anomalies go to `log`.
 * @throws InputFileError when `path` is not a readable regular file; EvtxError `not-evtx` when
 *   the file header is missing; the file system's read errors as is.
 */
export async function* iterateEvtxFile(
  path: string,
  log: AnomalyLog = new AnomalyLog(),
): AsyncGenerator<EvtxRecord, EvtxFileHeader> {
  const { fd } = await openRegularFile(path, { maxBytes: Number.MAX_SAFE_INTEGER });
  const readAt = (buffer: Uint8Array, length: number, position: number): Promise<number> =>
    new Promise((resolve, reject) =>
      read(fd, buffer, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))),
    );
  try {
    return yield* iterateEvtxReader(readAt, log);
  } finally {
    await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}
