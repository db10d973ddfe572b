/**
 * The operations a `.reg` text describes, in file order.
 *
 * Source: Microsoft "How to add, modify, or delete registry subkeys and values by using a .reg
 * file" (KB 310516): `[key]`, `[-key]`, `"name"=value`, `@=value`, `"name"=-`.
 */

/** One operation of a `.reg` text. `line` is the 1-based line where it starts. */
export type RegOperation =
  | { kind: "create-key"; path: string; line: number }
  | { kind: "delete-key"; path: string; line: number }
  | { kind: "set-value"; path: string; name: string; type: number; data: Uint8Array; line: number }
  | { kind: "delete-value"; path: string; name: string; line: number };

/** The header of a `.reg` text. */
export type RegFileFormat = "REGEDIT4" | "5.00";

/** A parsed `.reg` text. */
export interface RegFile {
  format: RegFileFormat;
  /** Encoding the bytes were read in; `"string"` when text was passed. */
  encoding: "utf-16le" | "utf-8" | "latin1" | "string";
  operations: RegOperation[];
}
