/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of the EVTX file header,
 * chunk header and chunk records. Headers (a few hundred bytes) go through a table loop here; a
 * chunk's records (up to 64 KiB) through Node's zlib `crc32`, which computes it natively, zlib
 * being loaded on the first such call (a reader that skips the records checksum never loads it).
 *
 * Source: libyal EVTX format documentation, "checksum" fields; ISO 3309 / ITU-T V.42 CRC-32;
 * https://nodejs.org/docs/latest-v20.x/api/zlib.html#zlibcrc32data-value.
 */

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Inputs from this many bytes on are handed to zlib. */
const NATIVE_FROM = 4096;

/** Continues a CRC-32 over `bytes` (start with `crc = 0`); returns the unsigned value. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (bytes.length >= NATIVE_FROM) return process.getBuiltinModule("node:zlib").crc32(bytes, crc) >>> 0;
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
