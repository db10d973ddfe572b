/**
 * readPeImports (src/pe/parse-pe-imports.ts) reads a file by ranges and gives what parsePeImports
 * gives over the whole file: on every PE fixture and corpus file, with and without functions, and
 * on images built so that the names lie in many blocks (the round cap then reads the rest). It
 * reads a few blocks, not the whole file, and a read that fails or comes back short gives
 * `undefined`, never a parse of zeros standing for bytes not read.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  IMPORT_READ_BLOCK_BYTES,
  IMPORT_READ_ROUNDS,
  parsePeImports,
  readPeImports,
  type ParsePeImportsOptions,
} from "../../src/pe/index.js";
import { ScratchBuffer } from "../../src/util/scratch-buffer.js";
import { FIXTURES, SHARED, sharedSkip } from "../helpers/repo.js";
import { buildPe } from "./helpers/build-pe.js";

/** A ranged reader over `bytes` that counts what it serves. */
function rangesOf(bytes: Uint8Array) {
  const served = { calls: 0, bytes: 0 };
  const read = async (offset: number, length: number) => {
    served.calls++;
    served.bytes += length;
    // A copy, as a file read gives: the parse must not see the original buffer.
    return bytes.slice(offset, offset + length);
  };
  return { read, served };
}

/** parsePeImports over the whole file, or the error code it throws. */
function whole(bytes: Uint8Array, options: ParsePeImportsOptions): unknown {
  try {
    return parsePeImports(bytes, options);
  } catch (e) {
    return { threw: (e as { code?: string }).code ?? String(e) };
  }
}

async function ranged(bytes: Uint8Array, options: ParsePeImportsOptions): Promise<unknown> {
  try {
    return await readPeImports(bytes.length, rangesOf(bytes).read, options);
  } catch (e) {
    return { threw: (e as { code?: string }).code ?? String(e) };
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !/\.(json|md|txt|c|rc|def|sh|py|pem|ts)$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function sameEitherWay(files: string[]): Promise<number> {
  let pe = 0;
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(f));
    for (const options of [{ functions: false }, { functions: true }, { mode: "strict" as const }]) {
      const expected = whole(bytes, options);
      assert.deepEqual(await ranged(bytes, options), expected, `${f} ${JSON.stringify(options)}`);
      if (!("threw" in (expected as object))) pe++;
    }
  }
  return pe;
}

/** An image of `dlls` imported DLLs of 40 long function names each: about 5 KiB of import data per DLL. */
function sprawlingImports(dlls: number, prefix = "lib") {
  const name = (i: number, k: number) => `${prefix}_Function_${i}_${k}_${"x".repeat(90)}`;
  const perDll = 40;
  return buildPe({
    imports: Array.from({ length: dlls }, (_, i) => ({
      dll: `${prefix}${i}.dll`,
      functions: Array.from({ length: perDll }, (_, k) => name(i, k)),
    })),
    delayImports: [{ dll: "late.dll", functions: ["Late"] }],
    overlay: new Uint8Array(4 * 1024 * 1024).fill(0x5a),
  });
}

describe("readPeImports", () => {
  it("equals parsePeImports on every file of fixtures/pe and fixtures/triage-rules", async () => {
    const files = [
      ...filesUnder(path.join(FIXTURES, "pe")),
      ...filesUnder(path.join(FIXTURES, "triage-rules")),
    ];
    assert.ok((await sameEitherWay(files)) > 40);
  });

  it("equals parsePeImports on ../shared/corpus", { skip: sharedSkip("corpus") }, async () => {
    assert.ok((await sameEitherWay(filesUnder(path.join(SHARED, "corpus")))) > 10);
  });

  it("reads the blocks of the headers and DLL names, not a 4 MiB overlay", async () => {
    const { bytes } = sprawlingImports(8);
    const { read, served } = rangesOf(bytes);
    const tables = (await readPeImports(bytes.length, read, { functions: false }))!;
    assert.deepEqual(tables, parsePeImports(bytes, { functions: false }));
    assert.ok(tables.imports.length === 9 && tables.imports.at(-1)!.delayLoad);
    assert.ok(served.bytes <= 6 * IMPORT_READ_BLOCK_BYTES, `${served.bytes} bytes of ${bytes.length}`);
  });

  it("names spread over more blocks than the round cap: the rest is read at once, same result", async () => {
    const { bytes } = sprawlingImports(8 * IMPORT_READ_ROUNDS);
    const { read, served } = rangesOf(bytes);
    const tables = (await readPeImports(bytes.length, read, { functions: true }))!;
    assert.deepEqual(tables, parsePeImports(bytes, { functions: true }));
    assert.ok(tables.imports.some((m) => m.functions.length === 40));
    assert.equal(served.bytes, bytes.length, "the cap reads every block once");
    assert.ok(served.calls <= 2 * IMPORT_READ_ROUNDS, `${served.calls} reads`);
  });

  it("a failed or short read gives undefined, never names parsed from bytes not read", async () => {
    const { bytes } = sprawlingImports(2);
    for (const broken of [
      async () => undefined,
      async (offset: number, length: number) => bytes.slice(offset, offset + length - 1),
    ]) {
      let calls = 0;
      const read = async (offset: number, length: number) =>
        // The first block (headers) reads fine; the import data does not.
        ++calls === 1 ? bytes.slice(offset, offset + length) : broken(offset, length);
      assert.equal(await readPeImports(bytes.length, read, { functions: false }), undefined);
    }
  });

  it("a reused buffer still holding another file's bytes changes nothing", async () => {
    const into = new ScratchBuffer();
    // Fill it with an image full of import data, then parse every fixture over what is left.
    const { bytes: big } = sprawlingImports(20);
    await readPeImports(big.length, rangesOf(big).read, { into });
    const files: Uint8Array[] = filesUnder(path.join(FIXTURES, "pe")).map(
      (f) => new Uint8Array(readFileSync(f)),
    );
    // One whose names lie past the first block, where the buffer holds the other file's names.
    files.push(sprawlingImports(8, "other").bytes);
    for (const bytes of files) {
      for (const options of [{ functions: false }, { functions: true }]) {
        const expected = whole(bytes, options);
        let got: unknown;
        try {
          got = await readPeImports(bytes.length, rangesOf(bytes).read, { ...options, into });
        } catch (e) {
          got = { threw: (e as { code?: string }).code ?? String(e) };
        }
        assert.deepEqual(got, expected);
      }
    }
  });

  it("an empty or non-PE file throws the error parsePeImports throws", async () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(100_000).fill(0x4d)]) {
      assert.deepEqual(await ranged(bytes, {}), whole(bytes, {}));
      assert.ok("threw" in (whole(bytes, {}) as object));
    }
  });
});
