/**
 * Hand-made zip bytes for hostile-bundle tests: zip libraries refuse to write zip-slip names,
 * lying sizes or 100,000 entries, so these are laid out here directly from APPNOTE.TXT 6.3.10
 * (§4.3.7 local file header, §4.3.12 central directory header, §4.3.14–16 zip64 end of central
 * directory record and locator, end of central directory record; §4.5.3 zip64 extra field).
 */
import { crc32, deflateRawSync } from "node:zlib";

export interface CraftEntry {
  name: string;
  /** Uncompressed content (compressed here when `method` is 8), unless `raw` is given. */
  data?: Uint8Array;
  /** Bytes stored as the member's data, as is (already compressed). */
  raw?: Uint8Array;
  method?: 0 | 8;
  /** Declared sizes and CRC (default: the true ones). */
  uncompressedSize?: number;
  crc?: number;
  /** Version made by (default 0x031e: UNIX, 3.0) and external attributes (default regular file 0644). */
  versionMadeBy?: number;
  externalAttributes?: number;
  flags?: number;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** The bytes of a zip holding `entries` (zip64 records when there are more than 65,534). */
export function craftZip(entries: readonly CraftEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    const method = e.method ?? 8;
    const stored = e.raw ?? (method === 8 ? deflateRawSync(data) : data);
    const usize = e.uncompressedSize ?? data.length;
    const crc = e.crc ?? crc32(data);
    const name = Buffer.from(e.name, "utf8");
    const big = usize > 0xfffffffe;
    const extra = big ? Buffer.concat([u16(1), u16(8), u64(usize)]) : Buffer.alloc(0);
    const flags = e.flags ?? 0x800;
    const local = Buffer.concat([
      u32(0x04034b50),
      u16(45),
      u16(flags),
      u16(method),
      u16(0),
      u16(0x21),
      u32(crc),
      u32(stored.length),
      u32(big ? 0xffffffff : usize),
      u16(name.length),
      u16(extra.length),
      name,
      extra,
    ]);
    locals.push(local, Buffer.from(stored));
    centrals.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(e.versionMadeBy ?? 0x031e),
        u16(45),
        u16(flags),
        u16(method),
        u16(0),
        u16(0x21),
        u32(crc),
        u32(stored.length),
        u32(big ? 0xffffffff : usize),
        u16(name.length),
        u16(extra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(e.externalAttributes ?? (0o100644 << 16) >>> 0),
        u32(offset),
        name,
        extra,
      ]),
    );
    offset += local.length + stored.length;
  }
  const cd = Buffer.concat(centrals);
  const n = entries.length;
  const tail: Buffer[] = [];
  if (n > 0xfffe) {
    const zip64Offset = offset + cd.length;
    tail.push(
      Buffer.concat([
        u32(0x06064b50),
        u64(44),
        u16(45),
        u16(45),
        u32(0),
        u32(0),
        u64(n),
        u64(n),
        u64(cd.length),
        u64(offset),
      ]),
      Buffer.concat([u32(0x07064b50), u32(0), u64(zip64Offset), u32(1)]),
    );
  }
  tail.push(
    Buffer.concat([
      u32(0x06054b50),
      u16(0),
      u16(0),
      u16(Math.min(n, 0xffff)),
      u16(Math.min(n, 0xffff)),
      u32(cd.length),
      u32(offset),
      u16(0),
    ]),
  );
  return Buffer.concat([...locals, cd, ...tail]);
}
