/**
 * MAPI properties as Outlook/MAPI stores them in a profile's registry sections: each value is
 * named by the property tag **with its halves swapped** (`TTTTIIII`: type then id, so
 * PR_SERVICE_DLL_NAME_W = tag 0x3D0A001F is the value `001f3d0a`) and holds the property bytes as
 * REG_BINARY, strings included.
 *
 * Decoding rules (docs/windows-state.md, "Outlook profiles"; property types from
 * MAPIDefS.h, https://github.com/microsoft/MAPIStubLibrary/blob/main/include/MAPIDefS.h):
 * - `001e` PT_STRING8: ANSI bytes in the machine's ACP (we decode Windows-1252) up to the first NUL;
 * - `001f` PT_UNICODE: UTF-16LE up to the first `00 00` at an even offset;
 * - a terminator is never assumed to be present.
 *
 * Sources: https://github.com/grommunio/gromox/wiki/Windows (naming), RegRipper outlook2.pl
 * (value types), the PidTag pages on learn.microsoft.com (ids).
 */
import { RegType, type RegKey, type RegValue } from "../ports/registry.js";
import { utf16le } from "../util/byte-reader.js";
import { findValue } from "./registry-read.js";
import { decodeWindows1252 } from "./windows-1252.js";

/** MAPI property types used in profile sections (mapidefs.h PT_*). */
export const PropType = {
  PT_LONG: 0x0003,
  PT_BOOLEAN: 0x000b,
  PT_STRING8: 0x001e,
  PT_UNICODE: 0x001f,
  PT_SYSTIME: 0x0040,
  PT_BINARY: 0x0102,
} as const;

/** Property ids (the high 16 bits of a tag) that the profile reader uses. */
export const PropId = {
  PR_DISPLAY_NAME: 0x3001,
  PR_PROVIDER_DISPLAY: 0x3006,
  PR_RESOURCE_FLAGS: 0x3009,
  PR_PROVIDER_DLL_NAME: 0x300a,
  PR_STORE_PROVIDERS: 0x3d00,
  PR_AB_PROVIDERS: 0x3d01,
  PR_TRANSPORT_PROVIDERS: 0x3d02,
  PR_SERVICE_NAME: 0x3d09,
  PR_SERVICE_DLL_NAME: 0x3d0a,
  PR_SERVICE_ENTRY_NAME: 0x3d0b,
  PR_SERVICE_UID: 0x3d0c,
  PR_SERVICES: 0x3d0e,
  PR_RESOURCE_TYPE: 0x3e03,
} as const;

/** The registry value name of a property: type then id, 8 lowercase hex digits (`001f3d0a`). */
export function profileValueName(id: number, type: number): string {
  return type.toString(16).padStart(4, "0") + id.toString(16).padStart(4, "0");
}

/** Decodes PT_STRING8 bytes: Windows-1252 up to the first NUL (or the end). */
export function decodeString8(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return decodeWindows1252(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/** Decodes PT_UNICODE bytes: UTF-16LE up to the first `00 00` on an even offset (or the end). */
export function decodeUnicode(bytes: Uint8Array): string {
  let end = bytes.length & ~1;
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    if (bytes[i] === 0 && bytes[i + 1] === 0) {
      end = i;
      break;
    }
  }
  return utf16le(bytes.subarray(0, end));
}

/** A string property read from a section, with which representation it came from. */
export interface ProfileString {
  value: string;
  /** The registry value name it was read from (`001f3d0a`, `001e3d0a`). */
  valueName: string;
  /** PT_UNICODE or PT_STRING8. */
  form: "unicode" | "ansi";
}

/**
 * Reads a string property from a profile section, preferring PT_UNICODE (`001f…`) over
 * PT_STRING8 (`001e…`) when both exist. A value stored as REG_SZ (some tools write that) is
 * accepted as is. `undefined` when neither value exists.
 */
export function readProfileString(key: RegKey, id: number): ProfileString | undefined {
  const forms: Array<[number, "unicode" | "ansi"]> = [
    [PropType.PT_UNICODE, "unicode"],
    [PropType.PT_STRING8, "ansi"],
  ];
  for (const [type, form] of forms) {
    const valueName = profileValueName(id, type);
    const v = findValue(key, valueName);
    if (v === undefined) continue;
    return { value: decodeValue(v, form), valueName, form };
  }
  return undefined;
}

function decodeValue(v: RegValue, form: "unicode" | "ansi"): string {
  if (typeof v.value === "string" && v.type !== RegType.REG_BINARY) return v.value.replace(/\0.*$/s, "");
  return form === "unicode" ? decodeUnicode(v.data) : decodeString8(v.data);
}

/** Reads a PT_LONG property (`0003IIII`, 4 bytes LE). `undefined` when absent or shorter than 4 bytes. */
export function readProfileLong(key: RegKey, id: number): number | undefined {
  const v = findValue(key, profileValueName(id, PropType.PT_LONG));
  if (v === undefined) return undefined;
  if (typeof v.value === "number") return v.value;
  if (v.data.length < 4) return undefined;
  return new DataView(v.data.buffer, v.data.byteOffset, 4).getUint32(0, true);
}

/** Upper bound on UIDs read from one PT_BINARY list (a profile with more is corrupt). */
export const MAX_UIDS_PER_LIST = 4096;

/**
 * Reads a PT_BINARY list of 16-byte MAPIUIDs (`0102IIII`) as 32-digit lowercase hex strings —
 * the names of the sibling section keys. A trailing partial UID is ignored and reported.
 */
export function readUidList(key: RegKey, id: number): { uids: string[]; trailingBytes: number } | undefined {
  const v = findValue(key, profileValueName(id, PropType.PT_BINARY));
  if (v === undefined) return undefined;
  const uids: string[] = [];
  const count = Math.min(Math.floor(v.data.length / 16), MAX_UIDS_PER_LIST);
  for (let i = 0; i < count; i++) {
    uids.push(Buffer.from(v.data.subarray(i * 16, i * 16 + 16)).toString("hex"));
  }
  return { uids, trailingBytes: v.data.length % 16 };
}
