/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of the EVTX file header,
 * chunk header and chunk records: Node's zlib `crc32`, which computes it natively (a chunk's
 * 64 KiB are checked on every read, and a JavaScript loop over them costs more than the rest of
 * reading a small log).
 *
 * Source: libyal EVTX format documentation, "checksum" fields; ISO 3309 / ITU-T V.42 CRC-32;
 * https://nodejs.org/docs/latest-v20.x/api/zlib.html#zlibcrc32data-value.
 */
import { crc32 as zlibCrc32 } from "node:zlib";

/** Continues a CRC-32 over `bytes` (start with `crc = 0`); returns the unsigned value. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  return zlibCrc32(bytes, crc) >>> 0;
}
