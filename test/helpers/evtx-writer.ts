/**
 * A test-only EVTX writer: nothing in Debian or npm writes EVTX, so the fixture logs are written
 * here, from events given as plain objects, the way Windows lays them out: a 4 KiB file header,
 * 64 KiB chunks with their string and template tables, records whose BinXml is a template
 * instance (the definition inline the first time a chunk uses it, referenced afterwards) with
 * typed substitution values, and CRC32s everywhere. Its output is checked against two
 * independent readers (python-evtx and libevtx's evtxexport) in test/evtx/oracle.test.ts.
 *
 * Source: libyal "Windows XML Event Log (EVTX) format"; [MS-EVEN6] 3.1.4.7 (BinXml).
 */
import { crc32 } from "../../src/evtx/crc32.js";

/** A typed data value; a plain string is a UTF-16 string. */
export type WriterValue =
  | string
  | { uint32: number }
  | { hex64: bigint }
  | { guid: string }
  | { binary: Uint8Array }
  | { filetime: bigint }
  | { sid: string };

export interface WriterEvent {
  provider: string;
  eventId: number;
  /** EventID Qualifiers; absent for manifest-based providers. */
  qualifiers?: number;
  level: number;
  channel: string;
  computer: string;
  /** FILETIME ticks (100 ns since 1601). */
  timeCreated: bigint;
  /** Security/@UserID, e.g. "S-1-5-18". */
  userId?: string;
  /** EventData/Data fields in order, by Name. */
  data: [string, WriterValue][];
}

export interface WriterOptions {
  /** First record identifier (default 1). */
  firstRecordNumber?: number;
  /** File header flags (1 = dirty). */
  fileFlags?: number;
}

const CHUNK = 65536;

/** FILETIME ticks of an ISO date. */
export function filetime(iso: string): bigint {
  return BigInt(Date.parse(iso)) * 10000n + 116444736000000000n;
}

class Bytes {
  buf = new Uint8Array(1024);
  len = 0;
  #grow(n: number) {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  u8(v: number) {
    this.#grow(1);
    this.buf[this.len++] = v & 0xff;
  }
  u16(v: number) {
    this.u8(v);
    this.u8(v >>> 8);
  }
  u32(v: number) {
    this.u16(v & 0xffff);
    this.u16(v >>> 16);
  }
  u64(v: bigint) {
    this.u32(Number(v & 0xffffffffn));
    this.u32(Number((v >> 32n) & 0xffffffffn));
  }
  raw(b: Uint8Array) {
    this.#grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  utf16(s: string) {
    for (let i = 0; i < s.length; i++) this.u16(s.charCodeAt(i));
  }
  put32(at: number, v: number) {
    new DataView(this.buf.buffer).setUint32(at, v >>> 0, true);
  }
  bytes() {
    return this.buf.slice(0, this.len);
  }
}

function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 65599) + name.charCodeAt(i)) >>> 0;
  return h & 0xffff;
}

function guidBytes(guid: string): Uint8Array {
  const h = guid.replace(/[{}-]/g, "");
  const b = Uint8Array.from({ length: 16 }, (_, i) => parseInt(h.slice(i * 2, i * 2 + 2), 16));
  const swap = (a: number[]) => a.map((i) => b[i]!);
  return Uint8Array.from([...swap([3, 2, 1, 0]), ...swap([5, 4]), ...swap([7, 6]), ...b.subarray(8)]);
}

function sidBytes(sid: string): Uint8Array {
  const parts = sid.split("-").slice(1).map(Number);
  const out = new Bytes();
  out.u8(parts[0]!);
  out.u8(parts.length - 2);
  const authority = parts[1]!;
  for (let i = 5; i >= 0; i--) out.u8(Math.floor(authority / 256 ** i) & 0xff);
  for (const sub of parts.slice(2)) out.u32(sub);
  return out.bytes();
}

/** [value type, bytes] of a substitution value. */
function encodeValue(v: WriterValue | null): [number, Uint8Array] {
  const b = new Bytes();
  if (v === null) return [0, new Uint8Array(0)];
  if (typeof v === "string") {
    b.utf16(v);
    return [0x01, b.bytes()];
  }
  if ("uint32" in v) {
    b.u32(v.uint32);
    return [0x08, b.bytes()];
  }
  if ("hex64" in v) {
    b.u64(v.hex64);
    return [0x15, b.bytes()];
  }
  if ("guid" in v) return [0x0f, guidBytes(v.guid)];
  if ("binary" in v) return [0x0e, v.binary];
  if ("filetime" in v) {
    b.u64(v.filetime);
    return [0x11, b.bytes()];
  }
  return [0x13, sidBytes(v.sid)];
}

/** The value types of an event's substitutions, in slot order. */
function slotTypes(e: WriterEvent): number[] {
  return [0x01, 0x06, 0x06, 0x04, 0x11, 0x0a, 0x01, 0x01, 0x13, ...e.data.map(([, v]) => encodeValue(v)[0])];
}

function slotValues(e: WriterEvent, recordNumber: number): [number, Uint8Array][] {
  const u16 = (n: number) => Uint8Array.from([n & 0xff, n >>> 8]);
  const u64 = (n: bigint) => {
    const b = new Bytes();
    b.u64(n);
    return b.bytes();
  };
  return [
    encodeValue(e.provider),
    [0x06, u16(e.eventId)],
    e.qualifiers === undefined ? [0x00, new Uint8Array(0)] : [0x06, u16(e.qualifiers)],
    [0x04, Uint8Array.of(e.level)],
    [0x11, u64(e.timeCreated)],
    [0x0a, u64(BigInt(recordNumber))],
    encodeValue(e.channel),
    encodeValue(e.computer),
    e.userId === undefined ? [0x00, new Uint8Array(0)] : encodeValue({ sid: e.userId }),
    ...e.data.map(([, v]) => encodeValue(v)),
  ];
}

/** Writes one chunk's BinXml; tracks the names and templates already in the chunk. */
class ChunkWriter {
  readonly out = new Bytes();
  readonly names = new Map<string, number>();
  readonly templates = new Map<string, { offset: number; id: number }>();
  readonly nameHeads = new Array<number>(64).fill(0);
  readonly templateHeads = new Array<number>(32).fill(0);

  constructor() {
    this.out.raw(new Uint8Array(512));
  }

  name(name: string) {
    const known = this.names.get(name);
    if (known !== undefined) {
      this.out.u32(known);
      return;
    }
    const offset = this.out.len + 4;
    this.out.u32(offset);
    const hash = nameHash(name);
    this.out.u32(this.nameHeads[hash % 64]!);
    this.nameHeads[hash % 64] = offset;
    this.out.u16(hash);
    this.out.u16(name.length);
    this.out.utf16(name);
    this.out.u16(0);
    this.names.set(name, offset);
  }

  /** An element; `attrs` write their value tokens; `body` writes children (undefined = empty). */
  element(name: string, attrs: [string, () => void][], body?: () => void) {
    const o = this.out;
    o.u8(attrs.length ? 0x41 : 0x01);
    o.u16(0xffff);
    const sizeAt = o.len;
    o.u32(0);
    this.name(name);
    let listAt = -1;
    if (attrs.length) {
      listAt = o.len;
      o.u32(0);
    }
    const listStart = o.len;
    attrs.forEach(([attrName, value], i) => {
      o.u8(i < attrs.length - 1 ? 0x46 : 0x06);
      this.name(attrName);
      value();
    });
    if (listAt >= 0) o.put32(listAt, o.len - listStart);
    if (body) {
      o.u8(0x02);
      body();
      o.u8(0x04);
    } else o.u8(0x03);
    o.put32(sizeAt, o.len - sizeAt - 4);
  }

  text(s: string) {
    this.out.u8(0x05);
    this.out.u8(0x01);
    this.out.u16(s.length);
    this.out.utf16(s);
  }

  sub(slot: number, type: number, optional = false) {
    this.out.u8(optional ? 0x0e : 0x0d);
    this.out.u16(slot);
    this.out.u8(type);
  }

  /** The template definition body for events shaped like `e`. */
  templateBody(e: WriterEvent) {
    const t = slotTypes(e);
    this.out.raw(Uint8Array.of(0x0f, 0x01, 0x01, 0x00));
    this.element(
      "Event",
      [["xmlns", () => this.text("http://schemas.microsoft.com/win/2004/08/events/event")]],
      () => {
        this.element("System", [], () => {
          this.element("Provider", [["Name", () => this.sub(0, t[0]!)]]);
          this.element("EventID", [["Qualifiers", () => this.sub(2, t[2]!, true)]], () => this.sub(1, t[1]!));
          this.element("Level", [], () => this.sub(3, t[3]!));
          this.element("TimeCreated", [["SystemTime", () => this.sub(4, t[4]!)]]);
          this.element("EventRecordID", [], () => this.sub(5, t[5]!));
          this.element("Channel", [], () => this.sub(6, t[6]!));
          this.element("Computer", [], () => this.sub(7, t[7]!));
          this.element("Security", [["UserID", () => this.sub(8, t[8]!, true)]]);
        });
        this.element("EventData", [], () => {
          e.data.forEach(([name], i) =>
            this.element("Data", [["Name", () => this.text(name)]], () => this.sub(9 + i, t[9 + i]!)),
          );
        });
      },
    );
    this.out.u8(0x00);
  }

  /** Appends a record; returns false (writing nothing) when it does not fit the chunk. */
  record(e: WriterEvent, recordNumber: number): boolean {
    const o = this.out;
    const mark = {
      len: o.len,
      names: new Map(this.names),
      nameHeads: [...this.nameHeads],
      templateHeads: [...this.templateHeads],
    };
    const start = o.len;
    o.u32(0x00002a2a);
    o.u32(0);
    o.u64(BigInt(recordNumber));
    o.u64(e.timeCreated);
    o.raw(Uint8Array.of(0x0f, 0x01, 0x01, 0x00));
    const shape = slotTypes(e).join(",") + "|" + e.data.map(([n]) => n).join(",");
    const known = this.templates.get(shape);
    const id = known?.id ?? crc32(new TextEncoder().encode(shape));
    o.u8(0x0c);
    o.u8(0x01);
    o.u32(id);
    let added: { offset: number; id: number } | undefined;
    if (known) o.u32(known.offset);
    else {
      const offset = o.len + 4;
      o.u32(offset);
      o.u32(this.templateHeads[id % 32]!);
      this.templateHeads[id % 32] = offset;
      const guid = new Bytes();
      guid.u32(id);
      guid.raw(crc32Bytes(shape));
      o.raw(guid.bytes());
      const sizeAt = o.len;
      o.u32(0);
      this.templateBody(e);
      o.put32(sizeAt, o.len - sizeAt - 4);
      added = { offset, id };
    }
    const values = slotValues(e, recordNumber);
    o.u32(values.length);
    for (const [type, bytes] of values) {
      o.u16(bytes.length);
      o.u8(type);
      o.u8(0);
    }
    for (const [, bytes] of values) o.raw(bytes);
    o.u8(0x00); // end of fragment
    while ((o.len - start + 4) % 8 !== 0) o.u8(0); // Windows keeps records 8-byte aligned
    const size = o.len - start + 4;
    o.u32(size);
    o.put32(start + 4, size);
    if (o.len > CHUNK) {
      o.len = mark.len;
      this.names.clear();
      for (const [k, v] of mark.names) this.names.set(k, v);
      this.nameHeads.splice(0, 64, ...mark.nameHeads);
      this.templateHeads.splice(0, 32, ...mark.templateHeads);
      return false;
    }
    if (added) this.templates.set(shape, added);
    return true;
  }
}

function crc32Bytes(s: string): Uint8Array {
  const b = new Bytes();
  const text = new TextEncoder().encode(s);
  for (let i = 0; i < 3; i++) b.u32(crc32(text, i + 1));
  return b.bytes();
}

/** Where the writer put each record: what damaging a fixture needs. */
export interface WrittenLayout {
  bytes: Uint8Array;
  /** Per chunk: file offset, first and last record number, free space offset. */
  chunks: { offset: number; first: number; last: number; freeSpace: number }[];
}

/** Writes `events` as an EVTX file, record numbers counting from `firstRecordNumber`. */
export function writeEvtx(events: WriterEvent[], options: WriterOptions = {}): WrittenLayout {
  const first = options.firstRecordNumber ?? 1;
  const chunks: Uint8Array[] = [];
  const layout: WrittenLayout["chunks"] = [];
  let number = first;
  let i = 0;
  while (i < events.length) {
    const w = new ChunkWriter();
    const firstInChunk = number;
    let lastOffset = 512;
    while (i < events.length) {
      const at = w.out.len;
      if (!w.record(events[i]!, number)) break;
      lastOffset = at;
      i++;
      number++;
    }
    if (number === firstInChunk) throw new Error("an event does not fit in an empty chunk");
    const freeSpace = w.out.len;
    const chunk = new Uint8Array(CHUNK);
    chunk.set(w.out.bytes());
    const view = new DataView(chunk.buffer);
    chunk.set(new TextEncoder().encode("ElfChnk\0"), 0);
    view.setBigUint64(8, BigInt(firstInChunk), true);
    view.setBigUint64(16, BigInt(number - 1), true);
    view.setBigUint64(24, BigInt(firstInChunk), true);
    view.setBigUint64(32, BigInt(number - 1), true);
    view.setUint32(40, 128, true);
    view.setUint32(44, lastOffset, true);
    view.setUint32(48, freeSpace, true);
    w.nameHeads.forEach((v, k) => view.setUint32(128 + 4 * k, v, true));
    w.templateHeads.forEach((v, k) => view.setUint32(384 + 4 * k, v, true));
    sealChunk(chunk);
    layout.push({ offset: 4096 + chunks.length * CHUNK, first: firstInChunk, last: number - 1, freeSpace });
    chunks.push(chunk);
  }
  const header = new Uint8Array(4096);
  const hv = new DataView(header.buffer);
  header.set(new TextEncoder().encode("ElfFile\0"), 0);
  hv.setBigUint64(8, 0n, true);
  hv.setBigUint64(16, BigInt(Math.max(chunks.length - 1, 0)), true);
  hv.setBigUint64(24, BigInt(number), true);
  hv.setUint32(32, 128, true);
  hv.setUint16(36, 1, true);
  hv.setUint16(38, 3, true);
  hv.setUint16(40, 4096, true);
  hv.setUint16(42, chunks.length, true);
  hv.setUint32(120, options.fileFlags ?? 0, true);
  hv.setUint32(124, crc32(header.subarray(0, 120)), true);
  const bytes = new Uint8Array(4096 + chunks.length * CHUNK);
  bytes.set(header, 0);
  chunks.forEach((c, k) => bytes.set(c, 4096 + k * CHUNK));
  return { bytes, chunks: layout };
}

/** Recomputes a chunk's records CRC (512 to the free space) and header CRC. */
export function sealChunk(chunk: Uint8Array): void {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const freeSpace = view.getUint32(48, true);
  view.setUint32(52, crc32(chunk.subarray(512, freeSpace)), true);
  view.setUint32(124, crc32(chunk.subarray(128, 512), crc32(chunk.subarray(0, 120))), true);
}
