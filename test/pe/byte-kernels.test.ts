/**
 * The byte walk's inner loops (src/pe/byte-kernels.ts): the WebAssembly kernel counts and sums
 * exactly as the JavaScript one does, on every length, offset and byte pattern; counts reach the
 * right histogram when the walk switches between sections; the committed binary is what
 * byte-kernels.wat compiles to; and without WebAssembly (`node --jitless`) the walk falls back
 * to JavaScript with the same results.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  byteKernel,
  createByteKernel,
  KERNEL_CHUNK_BYTES,
  type ByteKernel,
} from "../../src/pe/byte-kernels.js";
import { BYTE_KERNELS_WASM_BASE64 } from "../../src/pe/wasm/byte-kernels-wasm.js";
import { compileByteKernels, wasmModuleText, WASM_MODULE_FILE } from "../../scripts/build-wasm.js";
import { REPO_ROOT } from "../helpers/repo.js";

function kernels(): { wasm: ByteKernel; js: ByteKernel } {
  const wasm = createByteKernel("wasm");
  const js = createByteKernel("js");
  assert.ok(wasm && js, "Node 20 runs WebAssembly");
  return { wasm, js };
}

/** Bytes of several kinds: random, constant (one bucket takes every count), and few-valued. */
function patterns(length: number): Uint8Array[] {
  const few = new Uint8Array(length);
  for (let i = 0; i < length; i++) few[i] = (i * 7) % 5 === 0 ? 0xff : i % 3;
  return [new Uint8Array(randomBytes(length)), new Uint8Array(length).fill(0xab), few];
}

describe("byte kernels: WebAssembly equals JavaScript", () => {
  it("histograms and word sums of every sub-range kind (empty, short, unaligned, whole chunk)", () => {
    const { wasm, js } = kernels();
    const lengths = [0, 1, 7, 8, 9, 63, 1000, KERNEL_CHUNK_BYTES - 1, KERNEL_CHUNK_BYTES];
    for (const length of lengths) {
      for (const [p, bytes] of patterns(length).entries()) {
        // A view at an odd offset of a larger buffer, as a section inside a file is.
        const host = new Uint8Array(length + 3);
        host.set(bytes, 3);
        const chunk = host.subarray(3);
        wasm.load(chunk);
        js.load(chunk);
        const ranges = [
          [0, length],
          [1, length - 1],
          [3, Math.min(length, 20)],
          [length >> 1, length],
          [-5, length + 9],
        ];
        for (const [from, to] of ranges) {
          const a = new Uint32Array(256);
          const b = new Uint32Array(256);
          wasm.addToHistogram(a, from!, to!);
          wasm.flush();
          js.addToHistogram(b, from!, to!);
          js.flush();
          assert.deepEqual(a, b, `histogram, length ${length}, pattern ${p}, [${from}, ${to})`);
          const total = a.reduce((n, c) => n + c, 0);
          assert.equal(total, Math.max(0, Math.min(length, to!) - Math.max(0, from!)));
          const words = [from! >> 2, to! >> 2] as const;
          assert.equal(wasm.sumWords(...words), js.sumWords(...words), `sum, length ${length} [${words}]`);
        }
      }
    }
  });

  it("word sums are exact at their largest (every word 0xffffffff, 2^46 > 2^32)", () => {
    const { wasm, js } = kernels();
    const chunk = new Uint8Array(KERNEL_CHUNK_BYTES).fill(0xff);
    wasm.load(chunk);
    js.load(chunk);
    const words = KERNEL_CHUNK_BYTES / 4;
    assert.equal(wasm.sumWords(0, words), words * 0xffff_ffff);
    assert.equal(js.sumWords(0, words), words * 0xffff_ffff);
  });

  it("counts go to the histogram they were added for when the walk switches sections, across chunks", () => {
    const { wasm, js } = kernels();
    const first = new Uint8Array(randomBytes(5000));
    const second = new Uint8Array(randomBytes(5000));
    const got = [new Uint32Array(256), new Uint32Array(256)];
    const want = [new Uint32Array(256), new Uint32Array(256)];
    for (const [k, out] of [
      [wasm, got],
      [js, want],
    ] as const) {
      k.load(first);
      k.addToHistogram(out[0]!, 0, 3000);
      k.addToHistogram(out[1]!, 3000, 5000);
      k.load(second);
      k.addToHistogram(out[1]!, 0, 10);
      k.addToHistogram(out[0]!, 10, 5000);
      k.flush();
    }
    assert.deepEqual(got, want);
    // Nothing is held back after a flush: another flush adds nothing.
    wasm.flush();
    assert.deepEqual(got, want);
  });

  it("refuses a chunk longer than its memory holds (a RangeError, not a write past it)", () => {
    for (const k of Object.values(kernels()))
      assert.throws(() => k.load(new Uint8Array(KERNEL_CHUNK_BYTES + 1)), RangeError);
  });

  it("the walk uses WebAssembly here", () => {
    assert.equal(byteKernel().kind, "wasm");
  });
});

describe("byte kernels: the committed binary", () => {
  it("is what byte-kernels.wat compiles to (npm run wasm rewrites it)", async () => {
    const binary = await compileByteKernels();
    assert.deepEqual(new Uint8Array(Buffer.from(BYTE_KERNELS_WASM_BASE64, "base64")), binary);
    assert.equal(readFileSync(WASM_MODULE_FILE, "utf8"), wasmModuleText(binary));
  });
});

describe("byte kernels: without WebAssembly", () => {
  it("node --jitless (no WebAssembly) walks in JavaScript with the same entropy and checksum", () => {
    const walk = pathToFileURL(path.join(REPO_ROOT, "dist", "src", "pe", "index.js")).href;
    const kernel = pathToFileURL(path.join(REPO_ROOT, "dist", "src", "pe", "byte-kernels.js")).href;
    const script = `
      const { walkFileBytes } = await import(${JSON.stringify(walk)});
      const { byteKernel } = await import(${JSON.stringify(kernel)});
      const bytes = new Uint8Array(200000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
      const w = walkFileBytes(bytes, [[{ start: 5, end: 150001 }], [{ start: 0, end: 200000 }]], 152);
      console.log(JSON.stringify({ kind: byteKernel().kind, w }));`;
    const run = (flags: string[]) => {
      const r = spawnSync(process.execPath, [...flags, "--input-type=module", "-e", script], {
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { kind: string; w: unknown };
    };
    const jitless = run(["--jitless"]);
    const normal = run([]);
    assert.equal(jitless.kind, "js");
    assert.equal(normal.kind, "wasm");
    assert.deepEqual(jitless.w, normal.w);
  });
});
