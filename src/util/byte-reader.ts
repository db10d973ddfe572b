/**
 * One bounds-checked view over a byte buffer. Every binary parser in this project (PE, regf,
 * WIN_CERTIFICATE, Firebird header) reads through this class, so an out-of-range read always
 * becomes the caller's typed error, naming the structure and the offset, instead of `undefined`
 * or a RangeError.
 *
 * All multi-byte integers are little-endian unless the method name says otherwise. Reads never
 * copy: {@link ByteReader.bytes} returns a subarray of the underlying buffer.
 */

/** Builds the area's typed error for a read of `length` bytes at `offset` that does not fit. */
export type OutOfBoundsFactory = (offset: number, length: number, structure: string, size: number) => Error;

/** Options of {@link ByteReader}. */
export interface ByteReaderOptions {
  /**
   * For a buffer of the file's full size of which only some ranges were read (the rest is zeros
   * standing for bytes not read yet): called with every range a read is about to look at (after
   * the bounds check), it throws when part of it was not read. A parse over such a buffer thus
   * either sees only real bytes or stops (src/pe/parse-pe-imports.ts reads what it asked for,
   * then parses again). The thrown error is the caller's and must not be an area error that a
   * permissive parse would forgive.
   */
  ensureRead?: (offset: number, length: number) => void;
}

export class ByteReader {
  readonly #view: DataView;
  readonly #buffer: Uint8Array;
  readonly #outOfBounds: OutOfBoundsFactory;
  readonly #ensureRead: ((offset: number, length: number) => void) | undefined;
  /** The same bytes as a Buffer, made on the first {@link asciiz}: its `toString("latin1", …)` decodes without a copy or a TextDecoder call. */
  #text: Buffer | undefined;

  /**
   * @param buffer - the bytes to read; not copied.
   * @param outOfBounds - builds the error thrown when a read does not fit in `buffer`.
   */
  constructor(buffer: Uint8Array, outOfBounds: OutOfBoundsFactory, options: ByteReaderOptions = {}) {
    this.#buffer = buffer;
    this.#view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.#outOfBounds = outOfBounds;
    this.#ensureRead = options.ensureRead;
  }

  /** Size of the buffer, in bytes. */
  get size(): number {
    return this.#buffer.byteLength;
  }

  /** The whole underlying buffer (not a copy). */
  get buffer(): Uint8Array {
    return this.#buffer;
  }

  /** True when `[offset, offset + length)` lies inside the buffer. Integers only. */
  has(offset: number, length: number): boolean {
    return (
      Number.isSafeInteger(offset) &&
      Number.isSafeInteger(length) &&
      offset >= 0 &&
      length >= 0 &&
      offset + length <= this.#buffer.byteLength
    );
  }

  /**
   * Throws the area's error unless `[offset, offset + length)` is inside the buffer (and, for a
   * partly read buffer, the `ensureRead` option's error unless it was read).
   */
  require(offset: number, length: number, structure: string): void {
    if (!this.has(offset, length)) throw this.#outOfBounds(offset, length, structure, this.size);
    if (this.#ensureRead !== undefined) this.#ensureRead(offset, length);
  }

  u8(offset: number, structure: string): number {
    this.require(offset, 1, structure);
    return this.#view.getUint8(offset);
  }

  u16(offset: number, structure: string): number {
    this.require(offset, 2, structure);
    return this.#view.getUint16(offset, true);
  }

  u32(offset: number, structure: string): number {
    this.require(offset, 4, structure);
    return this.#view.getUint32(offset, true);
  }

  i32(offset: number, structure: string): number {
    this.require(offset, 4, structure);
    return this.#view.getInt32(offset, true);
  }

  u32be(offset: number, structure: string): number {
    this.require(offset, 4, structure);
    return this.#view.getUint32(offset, false);
  }

  u64(offset: number, structure: string): bigint {
    this.require(offset, 8, structure);
    return this.#view.getBigUint64(offset, true);
  }

  /** `length` bytes at `offset`, as a subarray (no copy). */
  bytes(offset: number, length: number, structure: string): Uint8Array {
    this.require(offset, length, structure);
    return this.#buffer.subarray(offset, offset + length);
  }

  /**
   * A NUL-terminated single-byte string (ISO-8859-1), reading at most `maxLength` bytes. The
   * terminator is optional at the buffer's end or at `maxLength`.
   */
  asciiz(offset: number, maxLength: number, structure: string): string {
    this.require(offset, 1, structure);
    const end = Math.min(this.size, offset + maxLength);
    let i = offset;
    while (i < end && this.#buffer[i] !== 0) i++;
    // The bytes looked at: the string and its terminator (a zero not read yet is no terminator).
    if (this.#ensureRead !== undefined) this.#ensureRead(offset, Math.min(i + 1, end) - offset);
    // ISO-8859-1, as latin1() decodes; about 3× faster than TextDecoder for the short names
    // (exports, imports) that make up most calls.
    this.#text ??= Buffer.from(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength);
    return this.#text.toString("latin1", offset, i);
  }

  /** `byteLength` bytes of UTF-16LE (an odd trailing byte is ignored). */
  utf16(offset: number, byteLength: number, structure: string): string {
    const raw = this.bytes(offset, byteLength, structure);
    return utf16le(raw);
  }

  /**
   * A NUL-terminated UTF-16LE string, reading at most `maxChars` code units. Returns the string and
   * the byte length consumed including the terminator (when present).
   */
  utf16z(offset: number, maxChars: number, structure: string): { value: string; byteLength: number } {
    this.require(offset, 2, structure);
    const end = Math.min(this.size - 1, offset + maxChars * 2);
    let i = offset;
    while (i < end && (this.#buffer[i] !== 0 || this.#buffer[i + 1] !== 0)) i += 2;
    if (this.#ensureRead !== undefined) this.#ensureRead(offset, (i < end ? i + 2 : i) - offset);
    const value = utf16le(this.#buffer.subarray(offset, i));
    const terminated = i < end;
    return { value, byteLength: i - offset + (terminated ? 2 : 0) };
  }
}

const utf16Decoder = new TextDecoder("utf-16le");

/** Strings up to this many code units are decoded without TextDecoder (its per-call cost dominates). */
const SHORT_UTF16_UNITS = 64;

/**
 * Decodes UTF-16LE, ignoring an odd trailing byte. Like TextDecoder("utf-16le"): a lone surrogate
 * becomes U+FFFD and a leading byte-order mark is dropped. Short strings free of surrogates and
 * of a leading BOM (element and value names: most of what EVTX and version resources hold) are
 * built from their code units directly, which gives the same string, faster.
 */
export function utf16le(bytes: Uint8Array): string {
  const units = bytes.length >> 1;
  if (units <= SHORT_UTF16_UNITS) {
    let out = "";
    for (let i = 0; i < units; i++) {
      const unit = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
      if ((unit >= 0xd800 && unit <= 0xdfff) || (unit === 0xfeff && i === 0)) return decodeUtf16(bytes);
      out += String.fromCharCode(unit);
    }
    return out;
  }
  return decodeUtf16(bytes);
}

function decodeUtf16(bytes: Uint8Array): string {
  return utf16Decoder.decode(bytes.subarray(0, bytes.length & ~1));
}

/**
 * Decodes single-byte text as ISO-8859-1: each byte becomes the code point of the same value.
 * That is what regf "compressed" key and value names are (UTF-16 names whose code units are all
 * below 0x100), and PE section names are ASCII. ANSI text (Windows-1252, where 0x80 is "€") needs
 * `decodeWindows1252` from src/windows/ instead. Decoded by Buffer's "latin1", which is
 * ISO-8859-1 in every Node version; a TextDecoder labelled "latin1" is ISO-8859-1 in Node 20 but
 * Windows-1252 where it follows the WHATWG Encoding Standard.
 */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
