/**
 * The manifest's `unredacted` list: binary members are never edited, so the ones that still
 * hold a redacted value are named, with the reason.
 *
 * Source: docs/bundle.md ("Binaries are never edited").
 */
import type { FsIndexEntry } from "../fs-index.js";
import type { UnredactedMember } from "../manifest.js";
import { TEXT_FILE, type BundleMembers } from "./bundle-members.js";
import type { RedactedRecording } from "./redact-recording.js";

/**
 * The members written so far that hold a redacted value, in the order written: binary file
 * contents and heads redaction named (`unredactedFiles`), and registry members holding a value
 * in a certificate blob (`unredactedValues`). Text members were redacted when written and are
 * not named. Empty without a redactor. Reads no port.
 * @param entries - the file-system index, to tell which member carries which file.
 */
export function findUnredactedMembers(
  out: BundleMembers,
  entries: readonly FsIndexEntry[],
  redacted: Pick<RedactedRecording, "unredactedFiles" | "unredactedValues">,
): UnredactedMember[] {
  const r = out.redactor;
  const unredacted: UnredactedMember[] = [];
  if (r === undefined) return unredacted;
  const contentOf = new Map<string, string>();
  for (const e of entries) {
    if (e.content && "member" in e.content) contentOf.set(e.content.member, e.path);
    if (e.head) contentOf.set(e.head.member, e.path);
  }
  for (const [name, data] of out.entries()) {
    const path = contentOf.get(name);
    const binary = path !== undefined && !(name.startsWith("files/") && TEXT_FILE.test(path));
    if (binary) {
      const why = redacted.unredactedFiles.get(path);
      if (why !== undefined) unredacted.push({ member: name, reason: why });
      continue;
    }
    // Text members were redacted when built; a hit here is a value in a certificate blob.
    const certs = name.startsWith("registry/") ? redacted.unredactedValues : [];
    if (certs.length > 0 && r.containsBytes(data))
      unredacted.push({
        member: name,
        reason: `certificate data holding a redacted value (binaries are never edited): ${certs.join(", ")}`,
      });
  }
  return unredacted;
}
