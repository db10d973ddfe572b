/**
 * Thin, typed navigation over asn1js 4 trees. asn1js decodes BER/DER; this module turns "the
 * node is not what the schema says" into an {@link AuthenticodeError} with code `asn1-malformed`,
 * the structure name and the offset of the node inside the decoded blob, so no asn1js error
 * object or `undefined` access escapes.
 *
 * Decoding uses `copyInput: false`, so every `valueBeforeDecodeView` is a subarray of the input
 * (offsets are computed from `byteOffset`), and `parseEmbedded: false`, so OCTET/BIT STRING
 * contents are not speculatively decoded.
 *
 * Source: ITU-T X.690 (BER/DER) §8.1; asn1js 4 `fromBER`.
 */
import * as asn1js from "asn1js";
import { AuthenticodeError } from "./errors.js";

/** A decoded ASN.1 node. */
export type Asn1Node = asn1js.AsnType;

/** Universal tag numbers used here (X.690 §8.1.2, X.680 §8.4). */
export const TAG = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
} as const;

/** Resource caps for untrusted input: nesting depth and node count per decoded blob. */
export const ASN1_LIMITS = { maxDepth: 64, maxNodes: 200_000 } as const;

/** Where a decoded blob sits, so node offsets can be reported as file offsets. */
export interface Asn1Origin {
  /** The buffer given to {@link decodeBer}. */
  base: Uint8Array;
  /** File offset of `base[0]` (or 0 when the blob is not from a file). */
  fileOffset: number;
}

/**
 * Decodes one BER element at the start of `bytes`.
 * @returns the root node and the number of bytes it used (`bytes.length - used` bytes trail it).
 * @throws AuthenticodeError `asn1-malformed` when asn1js reports an error or the limits are hit.
 */
export function decodeBer(
  bytes: Uint8Array,
  structure: string,
  origin: Asn1Origin = { base: bytes, fileOffset: 0 },
): { node: Asn1Node; used: number } {
  if (bytes.length === 0) throw malformed(structure, "is empty", originOffset(origin, bytes));
  let decoded: asn1js.FromBerResult;
  try {
    decoded = asn1js.fromBER(bytes, { ...ASN1_LIMITS, copyInput: false, parseEmbedded: false });
  } catch (cause) {
    throw malformed(structure, `cannot be decoded (${String(cause)})`, originOffset(origin, bytes), cause);
  }
  if (decoded.offset === -1 || decoded.result.error) {
    throw malformed(
      structure,
      `cannot be decoded: ${decoded.result.error || "unknown error"}`,
      originOffset(origin, bytes),
    );
  }
  return { node: decoded.result, used: decoded.offset };
}

function originOffset(origin: Asn1Origin, view: Uint8Array): number {
  if (view.buffer === origin.base.buffer)
    return origin.fileOffset + (view.byteOffset - origin.base.byteOffset);
  return origin.fileOffset;
}

/** File offset of a node (its first header byte). */
export function nodeOffset(node: Asn1Node, origin: Asn1Origin): number {
  return originOffset(origin, node.valueBeforeDecodeView);
}

function malformed(structure: string, what: string, offset: number, cause?: unknown): AuthenticodeError {
  return new AuthenticodeError("asn1-malformed", `${structure} ${what}`, { structure, offset, cause });
}

/**
 * Reads typed values out of one decoded tree, reporting offsets against `origin`. Every method
 * throws {@link AuthenticodeError} `asn1-malformed` (naming `structure` and the node's file
 * offset) when the node is missing or of another type.
 */
export class Asn1Reader {
  /** @param origin - the decoded blob and its file offset. */
  constructor(readonly origin: Asn1Origin) {}

  /** Throws `asn1-malformed` for `node` with a message. */
  fail(node: Asn1Node | undefined, structure: string, what: string): never {
    const offset = node ? nodeOffset(node, this.origin) : this.origin.fileOffset;
    throw malformed(structure, what, offset);
  }

  /** True when `node` has the UNIVERSAL class and tag number `tag`. */
  isUniversal(node: Asn1Node | undefined, tag: number): boolean {
    return node !== undefined && node.idBlock.tagClass === 1 && node.idBlock.tagNumber === tag;
  }

  /** True when `node` is a context-specific `[tag]`. */
  isContext(node: Asn1Node | undefined, tag: number): boolean {
    return node !== undefined && node.idBlock.tagClass === 3 && node.idBlock.tagNumber === tag;
  }

  /** The children of a constructed node (SEQUENCE, SET, or a constructed context tag). */
  children(node: Asn1Node | undefined, structure: string): Asn1Node[] {
    if (!node) return this.fail(node, structure, "is missing");
    const value = (node.valueBlock as { value?: unknown }).value;
    if (!node.idBlock.isConstructed || !Array.isArray(value))
      return this.fail(node, structure, "is not constructed");
    return value as Asn1Node[];
  }

  /** A universal SEQUENCE's children. */
  sequence(node: Asn1Node | undefined, structure: string): Asn1Node[] {
    if (!this.isUniversal(node, TAG.SEQUENCE)) return this.fail(node, structure, "is not a SEQUENCE");
    return this.children(node, structure);
  }

  /** A universal SET's children. */
  set(node: Asn1Node | undefined, structure: string): Asn1Node[] {
    if (!this.isUniversal(node, TAG.SET)) return this.fail(node, structure, "is not a SET");
    return this.children(node, structure);
  }

  /** Dotted OID string. */
  oid(node: Asn1Node | undefined, structure: string): string {
    if (!this.isUniversal(node, TAG.OID) || !(node instanceof asn1js.ObjectIdentifier)) {
      return this.fail(node, structure, "is not an OBJECT IDENTIFIER");
    }
    const text = node.valueBlock.toString();
    if (!/^\d+(\.\d+)+$/.test(text)) return this.fail(node, structure, "is not a valid OBJECT IDENTIFIER");
    return text;
  }

  /** Small INTEGER as a number (versions). */
  smallInteger(node: Asn1Node | undefined, structure: string): number {
    if (!this.isUniversal(node, TAG.INTEGER) || !(node instanceof asn1js.Integer)) {
      return this.fail(node, structure, "is not an INTEGER");
    }
    const bytes = node.valueBlock.valueHexView;
    if (bytes.length > 4) return this.fail(node, structure, "is too large");
    let value = 0;
    for (const b of bytes) value = value * 256 + b;
    return value;
  }

  /** INTEGER contents as bytes (big-endian two's complement, as encoded). */
  integerBytes(node: Asn1Node | undefined, structure: string): Uint8Array {
    if (!this.isUniversal(node, TAG.INTEGER) || !(node instanceof asn1js.Integer)) {
      return this.fail(node, structure, "is not an INTEGER");
    }
    return node.valueBlock.valueHexView;
  }

  /**
   * OCTET STRING contents; a constructed (BER) OCTET STRING is concatenated (that one case copies).
   * `tagged` accepts an IMPLICIT context tag in place of the universal tag.
   */
  octets(node: Asn1Node | undefined, structure: string, implicitContextTag?: number): Uint8Array {
    const ok =
      this.isUniversal(node, TAG.OCTET_STRING) ||
      (implicitContextTag !== undefined && this.isContext(node, implicitContextTag));
    if (!node || !ok) return this.fail(node, structure, "is not an OCTET STRING");
    if (!node.idBlock.isConstructed) {
      return (node.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView;
    }
    const parts = this.children(node, structure).map((part) => this.octets(part, structure));
    return Buffer.concat(parts);
  }

  /** UTCTime or GeneralizedTime. */
  time(node: Asn1Node | undefined, structure: string): Date {
    if (node instanceof asn1js.UTCTime || node instanceof asn1js.GeneralizedTime) {
      const date = node.toDate();
      if (!Number.isNaN(date.getTime())) return date;
    }
    return this.fail(node, structure, "is not a valid UTCTime/GeneralizedTime");
  }

  /** The complete encoding of a node (header + contents), as a subarray of the input. */
  tlv(node: Asn1Node | undefined, structure = "element"): Uint8Array {
    if (!node) return this.fail(node, structure, "is missing");
    return node.valueBeforeDecodeView;
  }
}

/**
 * The contents octets of one encoded element (its value without tag and length), as a subarray.
 * For indefinite length the two end-of-contents octets are dropped too.
 * @throws AuthenticodeError `asn1-malformed` when the header does not fit.
 */
export function contentsOf(tlv: Uint8Array, structure: string): Uint8Array {
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > tlv.length) throw malformed(structure, "header is truncated", 0);
  };
  need(1);
  const first = tlv[pos++]!;
  if ((first & 0x1f) === 0x1f) {
    // High tag number form: continue while bit 8 is set (X.690 §8.1.2.4); at most 5 octets.
    for (let i = 0; ; i++) {
      need(1);
      if (i > 5) throw malformed(structure, "tag is too long", 0);
      if ((tlv[pos++]! & 0x80) === 0) break;
    }
  }
  need(1);
  const lengthByte = tlv[pos++]!;
  if (lengthByte === 0x80) {
    if (tlv.length < pos + 2) throw malformed(structure, "indefinite length without end-of-contents", 0);
    return tlv.subarray(pos, tlv.length - 2);
  }
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count > 4) throw malformed(structure, "length is too long", 0);
    need(count);
    let length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + tlv[pos++]!;
    if (pos + length > tlv.length) throw malformed(structure, "contents are truncated", 0);
    return tlv.subarray(pos, pos + length);
  }
  if (pos + lengthByte > tlv.length) throw malformed(structure, "contents are truncated", 0);
  return tlv.subarray(pos, pos + lengthByte);
}
