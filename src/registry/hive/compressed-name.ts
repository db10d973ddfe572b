/**
 * Decoding of compressed key and value names (`nk` flag 0x20, `vk` flag 0x0001). Windows stores a
 * name in one byte per character when every UTF-16 code unit is below 0x100, and widens each byte
 * back to the code unit of the same number: the bytes are ISO-8859-1, not Windows-1252 (a byte
 * 0x80 is U+0080, not "€"). hivex (iconv `LATIN1`) and yarp (`latin-1`) read them the same way.
 *
 * Source: ReactOS `CmpCopyCompressedName` / `CmpCompressedName`
 * (https://github.com/reactos/reactos/blob/master/sdk/lib/cmlib/cmname.c).
 */
import { latin1 } from "../../util/byte-reader.js";

/** The name whose compressed bytes are `bytes`: each byte is the UTF-16 code unit of the same value. */
export function decodeCompressedName(bytes: Uint8Array): string {
  return latin1(bytes);
}
