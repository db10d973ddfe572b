/**
 * Target `pkcs7`: the Authenticode PKCS#7 SignedData blob of the signed fixtures, mutated and
 * re-embedded as the certificate table of the PE it came from (WIN_CERTIFICATE header, 8-byte
 * padding and data directory 4 fixed up), then run through the PE entry points (parse,
 * verifyAuthenticode, triage). Because the host is the blob's own PE, the message digest still
 * matches and mutations reach signer, certificate, chain and timestamp code.
 *
 * Input layout: byte 0 picks the host PE (modulo the number of hosts); the rest is the blob.
 * Field-aware mutations work on the DER tree: a lying length, a changed tag, an element deleted,
 * duplicated or moved, a primitive's content mutated, all with the enclosing lengths fixed up.
 *
 * Source: Microsoft "Windows Authenticode Portable Executable Signature Format" (certificate
 * table, WIN_CERTIFICATE); RFC 2315 / RFC 5652 (SignedData).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PeFormatError, parsePe } from "../../src/pe/index.js";
import { allNodes, cloneNode, decodeDer, encodeDer } from "../der.js";
import { GENERIC_MUTATIONS, INTERESTING_32, type Rng } from "../mutate.js";
import { FIXTURES } from "../seeds.js";
import type { FuzzTarget } from "../target.js";
import { runPe } from "./pe.js";

/** Signed fixtures, each stripped of its certificate table (the blob's host). */
let hosts: Array<{ image: Uint8Array; dirOffset: number }> | undefined;
const blobs: Uint8Array[] = [];

function load(): void {
  if (hosts) return;
  hosts = [];
  const dir = path.join(FIXTURES, "pe");
  for (const name of readdirSync(dir).sort()) {
    if (!/^signed-.*\.dll$/.test(name)) continue;
    const bytes = new Uint8Array(readFileSync(path.join(dir, name)));
    const pe = parsePe(bytes, { mode: "permissive" });
    const table = pe.certificateTable;
    const entry = table?.entries[0];
    if (!table || !entry || table.offset + table.size !== bytes.length) continue;
    const dirIndex = pe.optionalHeader.dataDirectories.findIndex((d) => d.index === 4);
    if (dirIndex < 0) continue;
    const magic = new DataView(bytes.buffer).getUint16(pe.dos.lfanew + 24, true);
    const dirOffset = pe.dos.lfanew + 24 + (magic === 0x20b ? 112 : 96) + 8 * 4;
    if (hosts.length >= 255) break;
    blobs.push(Uint8Array.from([hosts.length, ...entry.certificate]));
    hosts.push({ image: bytes.slice(0, table.offset), dirOffset });
  }
}

/** `blob` as the certificate table of host `index`: WIN_CERTIFICATE rev 0x0200 type 2, padded to 8. */
export function embedBlob(hostIndex: number, blob: Uint8Array): Uint8Array {
  load();
  const host = hosts![hostIndex % hosts!.length]!;
  const start = (host.image.length + 7) & ~7;
  const length = 8 + blob.length;
  const out = new Uint8Array(start + ((length + 7) & ~7));
  out.set(host.image);
  const v = new DataView(out.buffer);
  v.setUint32(start, length, true);
  v.setUint16(start + 4, 0x0200, true);
  v.setUint16(start + 6, 2, true);
  out.set(blob, start + 8);
  v.setUint32(host.dirOffset, start, true);
  v.setUint32(host.dirOffset + 4, out.length - start, true);
  return out;
}

/** One structure-aware mutation of the DER blob (after the host byte). */
function mutateDer(input: Uint8Array, rng: Rng): Uint8Array {
  const forest = decodeDer(input.subarray(1));
  if (!forest || forest.length === 0) return GENERIC_MUTATIONS[0]!.apply(input, rng, [input]);
  for (let n = 1 + rng.below(2); n > 0; n--) {
    const nodes = allNodes(forest);
    if (nodes.length === 0) break; // everything was deleted
    const { node, siblings, index } = rng.pick(nodes);
    switch (rng.below(7)) {
      case 0: {
        // A lying length: extreme, off by a little, indefinite, or too many length octets.
        const len = node.children ? encodeDer(node.children).length : node.content.length;
        node.rawLength = rng.pick([
          [0x80],
          [0x00],
          [0x7f],
          [0x81, (len + 1) & 0xff],
          [0x84, 0xff, 0xff, 0xff, 0xff],
          [0x85, 0, 0, 0, 0, 1],
          [0x82, (len >> 8) & 0xff, (len & 0xff) ^ 1],
          [0x83, (len >> 16) & 0xff, (len >> 8) & 0xff, (len + rng.below(5) - 2) & 0xff],
        ]);
        break;
      }
      case 1:
        node.tag = Uint8Array.from([
          rng.pick([0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x17, 0x18, 0x30, 0x31, 0xa0, 0xa1, 0x1f, 0xbf]) ^
            (rng.chance(0.2) ? 0x20 : 0),
        ]);
        break;
      case 2:
        siblings.splice(index, 1);
        break;
      case 3:
        // A copy (never the node itself: an ancestor inserted under itself would be a cycle).
        siblings.splice(index, 0, cloneNode(rng.chance(0.5) ? node : rng.pick(nodes).node));
        break;
      case 4: {
        const to = rng.below(siblings.length);
        siblings.splice(index, 1);
        siblings.splice(to, 0, node);
        break;
      }
      case 5: {
        // Integers, OIDs, strings, times: mutate the primitive's content bytes.
        delete node.children;
        const m = rng.pick(GENERIC_MUTATIONS.filter((g) => g.name !== "splice"));
        node.content = m.apply(node.content, rng, []);
        break;
      }
      default: {
        // An INTEGER/length-like primitive set to an extreme big-endian value.
        delete node.children;
        const v = rng.pick(INTERESTING_32);
        node.content = Uint8Array.from([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]).subarray(
          rng.below(4),
        );
      }
    }
  }
  const body = encodeDer(forest);
  const out = new Uint8Array(1 + body.length);
  out[0] = input[0]!;
  out.set(body, 1);
  return out;
}

export const pkcs7Target: FuzzTarget = {
  name: "pkcs7",
  weight: 2,
  typedErrors: [PeFormatError],
  seeds: () => {
    load();
    return blobs;
  },
  mutate: mutateDer,
  // Generic byte edits mostly break the outer DER framing; tree edits keep it and go deeper.
  fieldAwareShare: 0.8,
  run: (bytes) => runPe(embedBlob(bytes[0] ?? 0, bytes.subarray(1))),
};
