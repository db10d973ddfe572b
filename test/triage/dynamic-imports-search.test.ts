/**
 * The one-walk multi-name search of src/triage/dynamic-imports.ts against the plain search it
 * replaced (one `indexOf` loop per name and encoding), on random bytes sown with watched names:
 * whole, inside longer identifiers, overlapping, in UTF-16, cut at the ends and across a
 * section junction. Both must find the same names at the same offsets. And a search made
 * elsewhere (another thread) is used only when it covered this image's own segments.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PeImage } from "../../src/pe/types.js";
import {
  analyzeDynamicImports,
  findWatchedNames,
  mappedSegments,
  WATCHED_API_NAMES,
} from "../../src/triage/dynamic-imports.js";

const isIdent = (b: number | undefined) => b !== undefined && /[0-9A-Za-z_]/.test(String.fromCharCode(b));

/** The reference: first standalone occurrence per name and encoding, one indexOf loop each. */
function reference(hay: Buffer, names: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of names) {
    for (const [encoding, unit] of [
      ["ascii", 1],
      ["utf-16le", 2],
    ] as const) {
      const needle = Buffer.from(name, encoding === "ascii" ? "latin1" : "utf16le");
      for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
        const alone = (i: number) => !(isIdent(hay[i]) && (unit === 1 || hay[i + 1] === 0));
        if (alone(at - unit) && alone(at + needle.length)) {
          out.set(`${name}/${encoding}`, at);
          break;
        }
      }
    }
  }
  return out;
}

/** A one-section image whose section is all of `bytes` after a 0x200-byte header, importing GetProcAddress. */
function image(bytes: Buffer): PeImage {
  return {
    size: bytes.length,
    optionalHeader: { sizeOfHeaders: 0x200, sectionAlignment: 0x1000 },
    sections: [
      {
        name: ".data",
        virtualAddress: 0x1000,
        virtualSize: bytes.length - 0x200,
        sizeOfRawData: bytes.length - 0x200,
        pointerToRawData: 0x200,
      },
    ],
    imports: [{ dll: "KERNEL32.dll", delayLoad: false, functions: [{ name: "GetProcAddress" }] }],
  } as unknown as PeImage;
}

/** Deterministic pseudo-random bytes (xorshift), so a failure can be replayed. */
function sown(seed: number, size: number): Buffer {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = next() % 5 === 0 ? 0 : next() & 0xff;
  for (let k = 0; k < 40; k++) {
    const name = WATCHED_API_NAMES[next() % WATCHED_API_NAMES.length]!;
    const form = next() % 4;
    const text = form === 0 ? `x${name}` : form === 1 ? `${name}Ex_` : `\0${name}\0`;
    const piece = Buffer.from(text, next() % 2 === 0 ? "latin1" : "utf16le");
    // Sometimes cut short at the end of the buffer.
    piece.copy(b, next() % size);
  }
  return b;
}

describe("dynamic imports: one walk finds what one search per name found", () => {
  it("agrees with the per-name indexOf search on 200 sown buffers", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const bytes = sown(seed, 0x200 + 4000 + (seed % 7) * 131);
      const section = bytes.subarray(0x200);
      const expected = new Map([...reference(section, WATCHED_API_NAMES)].map(([k, v]) => [k, v + 0x200]));
      // The headers are searched too: compare with names found there merged first.
      const inHeaders = reference(bytes.subarray(0, 0x200), WATCHED_API_NAMES);
      for (const [k, v] of inHeaders) expected.set(k, v);
      const got = analyzeDynamicImports(image(bytes), bytes).names;
      const gotMap = new Map(got.map((n) => [`${n.name}/${n.encoding}`, n.offset]));
      // A name cut by the header/section boundary is found by neither (not contiguous here).
      assert.deepEqual(
        [...gotMap].sort(),
        [...expected].sort(),
        `seed ${seed}: ${JSON.stringify([...gotMap])} vs ${JSON.stringify([...expected])}`,
      );
      assert.ok(expected.size > 0 || seed > 1);
    }
  });

  it("finds names flush against both ends of the searched bytes", () => {
    const text = Buffer.concat([Buffer.alloc(0x200), Buffer.from("WinExec\0\0SetThreadContext", "latin1")]);
    const names = analyzeDynamicImports(image(text), text).names.map((n) => [n.name, n.offset]);
    assert.deepEqual(names, [
      ["WinExec", 0x200],
      ["SetThreadContext", 0x200 + 9],
    ]);
  });

  it("uses a search made elsewhere only when it covered this image's segments", () => {
    const text = Buffer.concat([Buffer.alloc(0x200), Buffer.from("WinExec\0\0SetThreadContext", "latin1")]);
    const pe = image(text);
    const own = analyzeDynamicImports(pe, text);
    const segments = mappedSegments(pe);
    // The same segments: the given offsets are what is reported (here, shifted by one).
    const given = findWatchedNames(text, segments);
    const shifted = { segments, firstOffsets: given.firstOffsets.map((o) => (o < 0 ? o : o + 1)) };
    const taken = analyzeDynamicImports(pe, text, () => shifted).names.map((n) => n.offset);
    assert.deepEqual(
      taken,
      own.names.map((n) => n.offset + 1),
    );
    // Other segments (another parse of the headers), or none: searched here instead.
    const moved = {
      segments: [{ ...segments[0]!, length: segments[0]!.length - 1 }, ...segments.slice(1)],
      firstOffsets: shifted.firstOffsets,
    };
    assert.deepEqual(
      analyzeDynamicImports(pe, text, () => moved),
      own,
    );
    assert.deepEqual(
      analyzeDynamicImports(pe, text, () => undefined),
      own,
    );
  });
});
