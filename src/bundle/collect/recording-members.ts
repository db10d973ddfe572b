/**
 * Bundle members of the recorded answers `check --bundle` replays: `snapshot/fs.json` with the
 * whole files (`files/…`) and file heads (`heads/…`), and `registry/index.json` with one `.reg`
 * member per hive.
 *
 * Source: docs/bundle.md ("How it works: record, then replay", "Layout", "Caps").
 */
import { serializeFileSystem, type FsIndexEntry } from "../fs-index.js";
import { MEMBER } from "../layout.js";
import type { RecordedFileSystem, RecordedRegistry } from "../recording.js";
import { serializeRegistry } from "../registry-members.js";
import { jsonBytes, type BundleMembers } from "./bundle-members.js";

/**
 * Writes the file-system recording (already redacted when the bundle is): the content members
 * and `snapshot/fs.json`, as they are. Reads no port. Cap: a file over `maxFileBytes` is listed
 * as not carried, with a note; a withheld PE file gets a note naming `snapshot/pe-facts.json`.
 * @returns the index entries (the inventory members name the content member of each file).
 */
export function writeFileSystemMembers(
  out: BundleMembers,
  fs: RecordedFileSystem,
  maxFileBytes: number,
  notes: string[],
): FsIndexEntry[] {
  const part = serializeFileSystem(fs, maxFileBytes);
  for (const e of part.index.entries) {
    if (e.content && "omitted" in e.content) notes.push(`not carried (${e.content.omitted}): ${e.path}`);
    if (e.content && "withheld" in e.content)
      notes.push(`withheld (facts in ${MEMBER.peFacts}): ${e.path}: the PE file holds a redacted value`);
  }
  for (const [name, data] of part.members) out.put(name, data);
  out.put(MEMBER.fsIndex, jsonBytes(part.index));
  return part.index.entries;
}

/**
 * Writes the registry recording (already redacted when the bundle is): the `.reg` members and
 * `registry/index.json`, as they are. Reads no port.
 */
export function writeRegistryMembers(out: BundleMembers, registry: RecordedRegistry): void {
  const part = serializeRegistry(registry);
  for (const [name, data] of part.members) out.put(name, data);
  out.put(MEMBER.registryIndex, jsonBytes(part.index));
}
