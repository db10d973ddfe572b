/**
 * The `PE\0\0` signature and IMAGE_FILE_HEADER (the 20-byte COFF file header that follows it).
 *
 * Source: PE/COFF specification §3 "Signature (Image Only)" and §3.3 "COFF File Header (Object
 * and Image)", including the Machine Types and Characteristics tables.
 */
import { PeFormatError } from "./errors.js";
import type { ParseContext } from "./parse-context.js";
import type { FileHeader } from "./types.js";

/** `PE\0\0` read as a little-endian u32. */
export const IMAGE_NT_SIGNATURE = 0x00004550;
/** Size of IMAGE_FILE_HEADER in bytes. */
export const IMAGE_FILE_HEADER_SIZE = 20;
/** IMAGE_FILE_EXECUTABLE_IMAGE. */
export const IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002;
/** IMAGE_FILE_DLL. */
export const IMAGE_FILE_DLL = 0x2000;

/** Readable names for IMAGE_FILE_MACHINE_* values (spec §3.3.1). */
export const MACHINE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0000, "unknown"],
  [0x014c, "x86"],
  [0x0166, "r4000"],
  [0x01a2, "sh3"],
  [0x01a6, "sh4"],
  [0x01c0, "arm"],
  [0x01c2, "thumb"],
  [0x01c4, "armnt"],
  [0x01f0, "powerpc"],
  [0x0200, "ia64"],
  [0x0ebc, "ebc"],
  [0x5032, "riscv32"],
  [0x5064, "riscv64"],
  [0x6232, "loongarch32"],
  [0x6264, "loongarch64"],
  [0x8664, "x64"],
  [0xa641, "arm64ec"],
  [0xa64e, "arm64x"],
  [0xaa64, "arm64"],
]);

/** `"x64"`, `"x86"`, … or `"unknown(0x1234)"` for values the spec does not list. */
export function machineName(machine: number): string {
  return MACHINE_NAMES.get(machine) ?? `unknown(0x${machine.toString(16).padStart(4, "0")})`;
}

/**
 * Checks `PE\0\0` at `lfanew` and reads the COFF header after it. Always fatal.
 * @throws PeFormatError `bad-nt-signature`, or `truncated` when the 20 bytes are not in the file.
 */
export function parseFileHeader(ctx: ParseContext, lfanew: number): FileHeader {
  const r = ctx.reader;
  if (r.u32(lfanew, "IMAGE_NT_HEADERS") !== IMAGE_NT_SIGNATURE) {
    throw new PeFormatError(
      "bad-nt-signature",
      `No 'PE\\0\\0' signature at e_lfanew (0x${lfanew.toString(16)})`,
      {
        offset: lfanew,
        structure: "IMAGE_NT_HEADERS",
      },
    );
  }
  const offset = lfanew + 4;
  const structure = "IMAGE_FILE_HEADER";
  r.require(offset, IMAGE_FILE_HEADER_SIZE, structure);
  const machine = r.u16(offset, structure);
  const characteristics = r.u16(offset + 18, structure);
  return {
    offset,
    machine,
    machineName: machineName(machine),
    numberOfSections: r.u16(offset + 2, structure),
    timeDateStamp: r.u32(offset + 4, structure),
    pointerToSymbolTable: r.u32(offset + 8, structure),
    numberOfSymbols: r.u32(offset + 12, structure),
    sizeOfOptionalHeader: r.u16(offset + 16, structure),
    characteristics,
    isDll: (characteristics & IMAGE_FILE_DLL) !== 0,
    isExecutableImage: (characteristics & IMAGE_FILE_EXECUTABLE_IMAGE) !== 0,
  };
}
