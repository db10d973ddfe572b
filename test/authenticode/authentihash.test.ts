/**
 * The flat authentihash on a hand-built layout: exactly CheckSum, the certificate-table entry
 * and the table are excluded; everything else (overlay included) is hashed; unsigned files also
 * get the zero-padded variant.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { authentihash, excludedRanges, type PeLayout } from "../../src/authenticode/index.js";

const CHECKSUM = 0xd8;
const DIR_ENTRY = 0x128;

function layout(table?: { offset: number; size: number }): PeLayout {
  return {
    fileHeader: { machine: 0x8664 },
    optionalHeader: {
      checkSumOffset: CHECKSUM,
      sizeOfHeaders: 0x400,
      dataDirectories: [
        { index: 4, virtualAddress: table?.offset ?? 0, size: table?.size ?? 0, entryOffset: DIR_ENTRY },
      ],
    },
    sections: [{ pointerToRawData: 0x400, sizeOfRawData: 0x200 }],
  };
}

describe("authentihash (flat method)", () => {
  const file = new Uint8Array(randomBytes(0x800));
  const table = { offset: 0x700, size: 0x80 };

  it("hashes [0,CheckSum) ∪ [CheckSum+4, entry) ∪ [entry+8, table) ∪ [tableEnd, EOF)", () => {
    const expected = createHash("sha256")
      .update(file.subarray(0, CHECKSUM))
      .update(file.subarray(CHECKSUM + 4, DIR_ENTRY))
      .update(file.subarray(DIR_ENTRY + 8, table.offset))
      .update(file.subarray(table.offset + table.size))
      .digest("hex");
    const result = authentihash(file, layout(table), "sha256");
    assert.equal(result.digest, expected);
    assert.deepEqual(
      result.excludedRanges.map((r) => [r.what, r.offset, r.length]),
      [
        ["CheckSum", CHECKSUM, 4],
        ["certificate-table-entry", DIR_ENTRY, 8],
        ["certificate-table", table.offset, table.size],
      ],
    );
    assert.equal(result.zeroPaddedDigest, undefined, "signed files have no padded variant");
  });

  it("ignores bytes in excluded ranges and sees every other byte (overlay after the table too)", () => {
    const base = authentihash(file, layout(table), "sha1").digest;
    for (const offset of [
      CHECKSUM,
      CHECKSUM + 3,
      DIR_ENTRY + 7,
      table.offset,
      table.offset + table.size - 1,
    ]) {
      const copy = Uint8Array.from(file);
      copy[offset] = copy[offset]! ^ 0xff;
      assert.equal(authentihash(copy, layout(table), "sha1").digest, base, `offset ${offset} is excluded`);
    }
    for (const offset of [
      0,
      CHECKSUM - 1,
      CHECKSUM + 4,
      DIR_ENTRY + 8,
      0x500,
      table.offset - 1,
      table.offset + table.size,
    ]) {
      const copy = Uint8Array.from(file);
      copy[offset] = copy[offset]! ^ 0xff;
      assert.notEqual(authentihash(copy, layout(table), "sha1").digest, base, `offset ${offset} is hashed`);
    }
  });

  it("clips a table that reaches past EOF", () => {
    const ranges = excludedRanges(layout({ offset: 0x7f0, size: 0x100 }), file.length);
    assert.deepEqual(ranges[2], { offset: 0x7f0, length: 0x10, what: "certificate-table" });
  });

  it("unsigned: zero-pads by (8 − FILE_SIZE mod 8) mod 8 bytes for the Windows variant", () => {
    const odd = file.subarray(0, 0x7fd); // 3 bytes short of a multiple of 8
    const result = authentihash(odd, layout(), "md5");
    const unpadded = createHash("md5")
      .update(odd.subarray(0, CHECKSUM))
      .update(odd.subarray(CHECKSUM + 4, DIR_ENTRY))
      .update(odd.subarray(DIR_ENTRY + 8))
      .digest("hex");
    assert.equal(result.digest, unpadded);
    const padded = createHash("md5")
      .update(odd.subarray(0, CHECKSUM))
      .update(odd.subarray(CHECKSUM + 4, DIR_ENTRY))
      .update(odd.subarray(DIR_ENTRY + 8))
      .update(new Uint8Array(3))
      .digest("hex");
    assert.equal(result.zeroPaddedDigest, padded);
    assert.equal(
      authentihash(file, layout(), "md5").zeroPaddedDigest,
      authentihash(file, layout(), "md5").digest,
      "aligned files need no padding",
    );
  });
});
