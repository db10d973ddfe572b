/**
 * Every file member of a zip (a bundle), read whole, in the archive's order: what a test takes
 * apart, changes and writes back (src/bundle `writeZipFile`) to build a tampered or altered
 * bundle.
 */
import { openZipArchive, type ZipInput } from "../../src/bundle/index.js";

export async function zipMembers(file: string): Promise<ZipInput[]> {
  const zip = await openZipArchive(file);
  const members: ZipInput[] = [];
  try {
    for (const m of zip.members.values())
      if (!m.isDirectory) members.push({ name: m.name, data: await zip.read(m.name) });
  } finally {
    zip.close();
  }
  return members;
}
