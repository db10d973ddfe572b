/**
 * Rows in PostgreSQL's binary COPY format, written straight into buffers: the 19-byte header,
 * then per row a 16-bit field count and per field a 32-bit length (-1 for NULL) and the value in
 * its type's binary form (`text` as UTF-8, `jsonb` as version 1 and JSON text, `uuid` as 16
 * bytes, `timestamptz` as microseconds since 2000-01-01 UTC, `int4`, `int8` and `bool` big-endian,
 * `bytea` as its bytes, `text[]` and `bool[]` as array_recv reads them: dimensions, flags, element type, size and lower
 * bound, then each element as a field), then the trailer -1. Nothing is escaped and the server parses no number, time or UUID text.
 * Values must already be storable (no U+0000, well-formed UTF-16: src/fleet/report-rows.ts
 * `storableText`); UUIDs 36 characters of hex and dashes, times ISO 8601 that `Date.parse` reads.
 *
 * Source: PostgreSQL, COPY, "Binary Format", https://www.postgresql.org/docs/current/sql-copy.html;
 * the types' send/recv functions, https://www.postgresql.org/docs/current/datatype-datetime.html
 * ("microsecond resolution") and https://www.postgresql.org/docs/current/datatype-json.html.
 */

/** The column types ingest loads. */
export type CopyType =
  "text" | "jsonb" | "uuid" | "timestamptz" | "int4" | "int8" | "bool" | "bytea" | "text[]" | "bool[]";

/**
 * A COPY column value: text (also a UUID, a time or JSON text), a number, a boolean, bytes, an
 * array of texts or of booleans (one dimension, no NULL element), or NULL.
 */
export type CopyValue =
  string | number | boolean | Uint8Array | readonly string[] | readonly boolean[] | null;

/** Element type OIDs of the array types (PostgreSQL's pg_type.dat: text 25, bool 16). */
const ELEMENT_OID = { "text[]": 25, "bool[]": 16 } as const;

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
/** Milliseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
/** Bytes of the first buffer, doubled for each next one up to {@link MAX_CHUNK}. */
const FIRST_CHUNK = 1 << 14;
/** Bytes per buffer at most; a value longer than that gets a buffer of its own size. */
const MAX_CHUNK = 1 << 20;
/** Strings up to this many UTF-16 code units are tried as ASCII first. */
const SHORT = 256;
const TWO_32 = 2 ** 32;

/**
 * Node's `Buffer#utf8Write(string, offset)`, what `buf.write(string, offset, "utf8")` calls
 * after normalising its arguments (a third of this encoder's time when called per value).
 * Present in every Node release; not in @types/node.
 */
interface Utf8Writer {
  utf8Write(s: string, offset: number): number;
}

/** The value of a hex digit's character code, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** Bytes of each buffer a {@link ChunkPool} lends. */
const POOL_CHUNK = 1 << 18;
/** Free buffers a {@link ChunkPool} keeps at most (16 MiB). */
const POOL_KEEP = 64;

/**
 * Buffers that COPY rows are written into, given back once sent ({@link CopyBinary.release}), so
 * that an ingest of many batches writes into the same few megabytes. New buffers for every
 * batch cost page faults, and those that outlive a young-generation collection (a batch waits
 * for the database) are freed only by a full one, which marks the whole heap.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];

  /** A buffer of at least `bytes`: a pooled one when `bytes` fits. */
  take(bytes: number): Buffer {
    return bytes <= POOL_CHUNK
      ? (this.free.pop() ?? Buffer.allocUnsafeSlow(POOL_CHUNK))
      : Buffer.allocUnsafeSlow(bytes);
  }

  /** Takes buffers back; the caller no longer reads or writes them, nor any view of them. */
  give(buffers: readonly Buffer[]): void {
    for (const b of buffers) if (b.length === POOL_CHUNK && this.free.length < POOL_KEEP) this.free.push(b);
  }
}

/** The rows of one COPY, as binary-format chunks to send in order. */
export class CopyBinary {
  private readonly chunks: Buffer[] = [];
  /** Buffers taken from the pool, whole. */
  private readonly taken: Buffer[] = [];
  private buf: Buffer & Utf8Writer;
  private at = 0;
  /** Bytes in {@link chunks}. */
  private total = 0;
  private size = FIRST_CHUNK;
  /** Rows added. */
  count = 0;
  /** The last UUID encoded and its 16 bytes: a run's findings repeat its id row after row. */
  private lastUuid = "";
  private readonly lastUuidBytes = Buffer.alloc(16);

  /** `pool`: where buffers come from (and go back to, {@link release}); else each is new. */
  constructor(
    private readonly types: readonly CopyType[],
    private readonly pool?: ChunkPool,
  ) {
    this.buf = this.alloc(FIRST_CHUNK);
    SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, 11); // flags: no OIDs
    this.buf.writeInt32BE(0, 15); // header extension: none
    this.at = 19;
  }

  /**
   * One row: `values[i]` of `types[i]`.
   * @throws RangeError for a UUID, time, 32-bit or 64-bit integer it cannot encode (ingest
   *   checks them first); the rows are then unusable.
   */
  add(values: readonly CopyValue[]): void {
    const types = this.types;
    this.room(2);
    this.buf.writeInt16BE(types.length, this.at);
    this.at += 2;
    for (let i = 0; i < types.length; i++) this.field(types[i]!, values[i] ?? null);
    this.count++;
  }

  /** Every row added and the trailer, as chunks. Call once. */
  finish(): Buffer[] {
    this.room(2);
    this.buf.writeInt16BE(-1, this.at);
    this.at += 2;
    this.cut();
    return this.chunks;
  }

  /**
   * Gives the buffers back to the pool: once the COPY that read the chunks is complete (the
   * server has answered it, so no write of them is pending), and never when it failed.
   */
  release(): void {
    this.pool?.give(this.taken);
    this.taken.length = 0;
  }

  private field(type: CopyType, v: CopyValue): void {
    if (v === null) {
      this.room(4);
      this.buf.writeInt32BE(-1, this.at);
      this.at += 4;
      return;
    }
    switch (type) {
      case "text":
        return this.utf8(String(v), false);
      case "jsonb":
        return this.utf8(String(v), true);
      case "uuid":
        return this.uuid(String(v));
      case "timestamptz": {
        const ms = Date.parse(String(v));
        if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${String(v)}`);
        // Microseconds pass 2^53 about 285 years from 2000 (before 1715, after 2284): those
        // times, which timestamptz holds, are multiplied out exactly as a BigInt.
        const us = (ms - PG_EPOCH_MS) * 1000;
        if (Number.isSafeInteger(us)) return this.int64(us);
        this.room(12);
        this.buf.writeInt32BE(8, this.at);
        this.buf.writeBigInt64BE(BigInt(ms - PG_EPOCH_MS) * 1000n, this.at + 4);
        this.at += 12;
        return;
      }
      case "int8":
        return this.int64(Number(v));
      case "int4":
        // writeInt32BE refuses out-of-range values but would write NaN as 0 and truncate 1.5.
        if (!Number.isInteger(Number(v))) throw new RangeError(`not an integer: ${String(v)}`);
        this.room(8);
        this.buf.writeInt32BE(4, this.at);
        this.buf.writeInt32BE(Number(v), this.at + 4);
        this.at += 8;
        return;
      case "bool":
        this.room(5);
        this.buf.writeInt32BE(1, this.at);
        this.buf[this.at + 4] = v === true ? 1 : 0;
        this.at += 5;
        return;
      case "bytea": {
        if (!(v instanceof Uint8Array)) throw new RangeError(`not bytes: ${String(v)}`);
        this.room(4 + v.length);
        this.buf.writeInt32BE(v.length, this.at);
        this.buf.set(v, this.at + 4);
        this.at += 4 + v.length;
        return;
      }
      case "text[]":
      case "bool[]":
        if (!Array.isArray(v)) throw new RangeError(`not an array: ${String(v)}`);
        return this.array(type, v as readonly (string | boolean)[]);
    }
  }

  /**
   * A one-dimensional array (array_recv's input): its length, then the number of dimensions (0
   * when empty), a flags word (0: no NULL element), the element type, per dimension its size and
   * lower bound (1), then each element as a field of its own.
   */
  private array(type: "text[]" | "bool[]", v: readonly (string | boolean)[]): void {
    this.room(24);
    const start = this.at;
    this.buf.writeInt32BE(v.length === 0 ? 0 : 1, start + 4);
    this.buf.writeInt32BE(0, start + 8);
    this.buf.writeInt32BE(ELEMENT_OID[type], start + 12);
    this.at += v.length === 0 ? 16 : 24;
    if (v.length > 0) {
      this.buf.writeInt32BE(v.length, start + 16);
      this.buf.writeInt32BE(1, start + 20);
    }
    // The elements may start a new buffer: the length is then patched in the buffer it began in.
    const buf = this.buf;
    const before = this.written();
    const element = type === "text[]" ? "text" : "bool";
    const want = type === "text[]" ? "string" : "boolean";
    for (const e of v) {
      if (typeof e !== want) throw new RangeError(`not a ${want} in a ${type}: ${String(e)}`);
      this.field(element, e);
    }
    buf.writeInt32BE(this.written() - before + (v.length === 0 ? 12 : 20), start);
  }

  /** Bytes written so far, over every buffer. */
  private written(): number {
    return this.total + this.at;
  }

  /** A UUID's 16 bytes, from its 36-character text (hex digits, dashes at 8, 13, 18 and 23). */
  private uuid(s: string): void {
    this.room(20);
    const buf = this.buf;
    buf.writeInt32BE(16, this.at);
    if (s === this.lastUuid) {
      this.lastUuidBytes.copy(buf, this.at + 4);
      this.at += 20;
      return;
    }
    let bad = s.length !== 36;
    for (let i = 0, o = this.at + 4; i < 36 && !bad; i += 2) {
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        bad = s.charCodeAt(i) !== 0x2d;
        i--;
        continue;
      }
      const hi = hexValue(s.charCodeAt(i));
      const lo = hexValue(s.charCodeAt(i + 1));
      bad = hi < 0 || lo < 0;
      buf[o++] = (hi << 4) | lo;
    }
    if (bad) throw new RangeError(`not a UUID: ${s}`);
    buf.copy(this.lastUuidBytes, 0, this.at + 4, this.at + 20);
    this.lastUuid = s;
    this.at += 20;
  }

  /** A length-prefixed UTF-8 value (after a version byte 1 for `jsonb`). */
  private utf8(s: string, jsonb: boolean): void {
    const head = jsonb ? 5 : 4;
    // At most 3 bytes per UTF-16 code unit (a surrogate pair is 4 bytes for 2 units).
    this.room(head + s.length * 3);
    const buf = this.buf;
    const start = this.at + head;
    let n = 0;
    // Short ASCII text (most of it: ids, names, versions, hashes) byte by byte; a native call
    // per value costs more than the copy.
    if (s.length <= SHORT) {
      while (n < s.length) {
        const c = s.charCodeAt(n);
        if (c >= 0x80) break;
        buf[start + n++] = c;
      }
    }
    if (n < s.length) n = buf.utf8Write(s, start);
    buf.writeInt32BE(n + head - 4, this.at);
    if (jsonb) buf[this.at + 4] = 1;
    this.at += head + n;
  }

  /** A safe integer as an 8-byte big-endian two's complement field. */
  private int64(n: number): void {
    if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
    this.room(12);
    this.buf.writeInt32BE(8, this.at);
    const hi = Math.floor(n / TWO_32);
    this.buf.writeInt32BE(hi, this.at + 4);
    this.buf.writeUInt32BE(n - hi * TWO_32, this.at + 8);
    this.at += 12;
  }

  /** Makes room for `bytes` more, starting a new buffer when this one is too full. */
  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    this.cut();
    // With a pool, buffers stay the pool's size, so that every one of a large COPY goes back to it.
    this.size = Math.min(this.size * 2, this.pool === undefined ? MAX_CHUNK : POOL_CHUNK);
    this.buf = this.alloc(Math.max(this.size, bytes));
  }

  private alloc(bytes: number): Buffer & Utf8Writer {
    if (this.pool === undefined) return Buffer.allocUnsafe(bytes) as Buffer & Utf8Writer;
    const b = this.pool.take(bytes);
    this.taken.push(b);
    return b as Buffer & Utf8Writer;
  }

  private cut(): void {
    this.total += this.at;
    if (this.at > 0) this.chunks.push(this.buf.subarray(0, this.at));
    this.at = 0;
  }
}
