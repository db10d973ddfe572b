/**
 * Target `pe`: PE images from fixtures/pe and the examples, parsed strict and permissive, then
 * (when the permissive parse succeeds) Authenticode-verified and triaged as a provider DLL.
 * Field-aware mutations hit the header fields the parser trusts: e_lfanew, section count,
 * optional-header size and magic, NumberOfRvaAndSizes, data directories and section headers.
 *
 * Source: Microsoft PE/COFF specification ("MS-DOS stub", "COFF File Header", "Optional Header
 * Data Directories", "Section Table").
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createTrustStore, defaultPolicy, verifyAuthenticode } from "../../src/authenticode/index.js";
import { summarizeAuthenticode } from "../../src/app/signature-verifier.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import { PeFormatError, parsePe } from "../../src/pe/index.js";
import { triageFile } from "../../src/triage/index.js";
import { INTERESTING_16, INTERESTING_32, putLe, type Rng } from "../mutate.js";
import { EXAMPLES, FIXTURES, extraSeedFiles, readSeedFiles, startsWith } from "../seeds.js";
import type { FuzzTarget } from "../target.js";

/** Trust for the fixtures' test PKI, verification time fixed so results do not drift. */
let policy: ReturnType<typeof defaultPolicy> | undefined;
function fixturePolicy(): ReturnType<typeof defaultPolicy> {
  const anchors = path.join(FIXTURES, "pki", "trust-anchors.pem");
  policy ??= defaultPolicy(createTrustStore({ files: [{ path: anchors, bytes: readFileSync(anchors) }] }), {
    at: new Date("2026-11-21T00:00:00Z"),
    signatures: "all",
  });
  return policy;
}

/** Offsets of the header fields worth hitting that lie inside `b`, read from `b` as it is (none when unreadable). */
function peFields(b: Uint8Array): Array<{ at: number; width: 2 | 4 }> {
  return headerFields(b).filter((f) => f.at >= 0 && f.at + f.width <= b.length);
}

/** {@link peFields} before the bounds filter: every early return may hold fields past the end of `b`. */
function headerFields(b: Uint8Array): Array<{ at: number; width: 2 | 4 }> {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const fields: Array<{ at: number; width: 2 | 4 }> = [{ at: 0x3c, width: 4 }];
  if (b.length < 0x40) return fields;
  const nt = v.getUint32(0x3c, true);
  const coff = nt + 4;
  if (coff + 20 > b.length) return fields;
  fields.push({ at: coff + 2, width: 2 }, { at: coff + 16, width: 2 }, { at: coff + 18, width: 2 });
  const sections = v.getUint16(coff + 2, true);
  const optSize = v.getUint16(coff + 16, true);
  const opt = coff + 20;
  if (opt + 2 > b.length) return fields;
  const pe32plus = v.getUint16(opt, true) === 0x20b;
  fields.push({ at: opt, width: 2 });
  // SizeOfHeaders (60), SizeOfImage (56), SectionAlignment (32), FileAlignment (36).
  for (const o of [32, 36, 56, 60]) fields.push({ at: opt + o, width: 4 });
  const rvaCount = opt + (pe32plus ? 108 : 92);
  fields.push({ at: rvaCount, width: 4 });
  const dirs = rvaCount + 4;
  for (let i = 0; i < 16; i++)
    fields.push({ at: dirs + 8 * i, width: 4 }, { at: dirs + 8 * i + 4, width: 4 });
  const table = opt + optSize;
  for (let s = 0; s < Math.min(sections, 16); s++)
    for (const o of [8, 12, 16, 20, 36]) fields.push({ at: table + 40 * s + o, width: 4 });
  return fields;
}

/** One field-aware mutation of a PE image: an extreme, random or nearby value in a header field. */
export function mutatePeFields(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = bytes.slice();
  for (let n = 1 + rng.below(3); n > 0; n--) {
    const fields = peFields(out);
    // A file shorter than the DOS header has no field to hit: the generic mutations grow it.
    if (fields.length === 0) break;
    const f = rng.pick(fields);
    const v = new DataView(out.buffer, out.byteOffset, out.length);
    const old = f.width === 2 ? v.getUint16(f.at, true) : v.getUint32(f.at, true);
    const choice = rng.below(4);
    const value =
      choice === 0
        ? rng.pick(f.width === 2 ? INTERESTING_16 : INTERESTING_32)
        : choice === 1
          ? old + rng.below(17) - 8
          : choice === 2
            ? rng.u32()
            : // Another field's value: a directory pointing at another structure, a size from elsewhere.
              (() => {
                const g = rng.pick(fields);
                return g.width === 2 ? v.getUint16(g.at, true) : v.getUint32(g.at, true);
              })();
    putLe(out, f.at, f.width, value >>> 0);
  }
  return out;
}

/**
 * Runs `bytes` through the PE entry points: strict parse (its PeFormatError is expected and
 * ignored), permissive parse (its PeFormatError ends the case as typed), Authenticode
 * verification (never throws, by contract) and triage as `kofmsp32.dll`.
 */
export async function runPe(bytes: Uint8Array): Promise<void> {
  try {
    parsePe(bytes, { mode: "strict" });
  } catch (e) {
    if (!(e instanceof PeFormatError)) throw e;
  }
  const pe = parsePe(bytes, { mode: "permissive" });
  const result = verifyAuthenticode(bytes, pe, fixturePolicy());
  const summary = summarizeAuthenticode(result);
  const record = await triageFile(
    {
      path: "kofmsp32.dll",
      fileName: "kofmsp32.dll",
      bytes,
      windowsPath: "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp32.dll",
      windowsPathOrigin: "image",
      loadPositions: [{ kind: "mapisvc-inf", where: "MAPISVC.INF [Services]" }],
    },
    {
      knowledge: loadKnowledge(),
      verifySignature: async () => ({ summary, details: result }),
    },
  );
  JSON.stringify(record);
}

export const peTarget: FuzzTarget = {
  name: "pe",
  weight: 4,
  typedErrors: [PeFormatError],
  seeds: () => [
    ...readSeedFiles(path.join(FIXTURES, "pe"), /\.(dll|exe)$/i),
    ...readSeedFiles(EXAMPLES, /\.(dll|exe)$/i),
    ...extraSeedFiles((_, head) => startsWith(head, "MZ")),
  ],
  mutate: mutatePeFields,
  run: runPe,
};
