/**
 * Defanged members: a bundle never carries a Windows executable as itself. A member whose bytes
 * start with the DOS signature `MZ` (every PE file, and the head of one) is stored XORed with the
 * key byte 0x5A under its name plus `.defanged`, so mail gateways and scanners that strip or
 * quarantine executables let the bundle through; the manifest lists the stored member and, under
 * `defanged`, the real name, size and sha256. {@link refang} undoes it; the reader does so
 * transparently and checks the real sha256.
 *
 * Source: docs/bundle.md ("Defanged binaries"); Microsoft PE format, "MS-DOS Stub"
 * (https://learn.microsoft.com/en-us/windows/win32/debug/pe-format).
 */

/** The only scheme this version writes and reads: every byte XOR {@link DEFANG_KEY}. */
export const DEFANG_SCHEME = "xor-5a" as const;
/** The XOR key byte. */
export const DEFANG_KEY = 0x5a;
/** Appended to the real member name to name the stored member. */
export const DEFANG_SUFFIX = ".defanged";

/** True when `data` starts with `MZ`, the DOS signature every PE image starts with. */
export function needsDefang(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x4d && data[1] === 0x5a;
}

/** `data` with every byte XORed with {@link DEFANG_KEY} (a new array; its own inverse). */
export function defang(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ DEFANG_KEY;
  return out;
}

/** The real bytes of a defanged member: {@link defang} again. */
export const refang = defang;
