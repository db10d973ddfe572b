/**
 * Writes a bundle's members into a zip file with yazl (deflate, UTF-8 names, regular-file
 * modes). A member that would compress beyond half the read ratio cap is stored instead, so
 * every bundle `collect` writes is accepted by {@link openZipArchive}'s ratio check.
 *
 * The zip is written to a temporary sibling file and renamed into place, so a crash never
 * leaves a half-written bundle under the final name.
 *
 * Source: APPNOTE.TXT 6.3.10 (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT); yazl
 * (https://github.com/thejoshwolfe/yazl); docs/bundle.md ("Library choice").
 */
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { deflateRawSync } from "node:zlib";
import yazl from "yazl";
import { BundleError } from "./errors.js";
import { DEFAULT_READ_LIMITS } from "./limits.js";
import { validateMemberName } from "./zip-reader.js";

/** One member to write. */
export interface ZipInput {
  /** Member path, `/`-separated, relative. */
  name: string;
  data: Uint8Array;
}

/** Whether `data` should be stored rather than deflated (it would look like a ratio bomb). */
function shouldStore(data: Uint8Array): boolean {
  if (data.length < DEFAULT_READ_LIMITS.ratioFloorBytes) return false;
  const compressed = deflateRawSync(data).length;
  return data.length / Math.max(1, compressed) > DEFAULT_READ_LIMITS.maxRatio / 2;
}

/**
 * Writes `members` to `file` (replacing it). Names are validated as a reader would.
 * @param mtime - the modification time stamped on every member.
 * @returns the zip's size in bytes.
 * @throws BundleError `bad-name`/`absolute-path`/`path-traversal` for a bad member name, `write-failed` for I/O.
 */
export async function writeZipFile(file: string, members: readonly ZipInput[], mtime: Date): Promise<number> {
  const zip = new yazl.ZipFile();
  for (const m of members) {
    validateMemberName(m.name);
    zip.addBuffer(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.length), m.name, {
      mtime,
      mode: 0o100644,
      compress: !shouldStore(m.data),
    });
  }
  const tmp = `${file}.partial-${process.pid}`;
  let size = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(tmp, { mode: 0o600 });
      zip.outputStream.on("data", (c: Buffer) => void (size += c.length));
      zip.outputStream.on("error", reject);
      out.on("error", reject);
      out.on("close", resolve);
      zip.outputStream.pipe(out);
      zip.end();
    });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new BundleError("write-failed", `cannot write ${file}: ${(e as Error).message}`, { cause: e });
  }
  return size;
}
