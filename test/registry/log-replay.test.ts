/**
 * Log replay of a dirty hive (src/registry/hive/replay-logs.ts) on hives written by our writer and
 * logs built by test/registry/hive-log-builder.ts: a key only in the log becomes visible; a bad
 * hash stops replay at its entry with the earlier ones applied; old-format logs; the choice
 * between two logs by sequence continuity; huge counts and sizes refused by a cap, not allocated;
 * the input bytes are never written. When KOFF_YARP_HIVES names a local copy of yarp's
 * `hives_for_tests` (GPL test data, never committed), the replay is also compared with the hives
 * Windows itself recovered.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  RegistryError,
  computeBaseBlockChecksum,
  marvin32,
  openHive,
  replayHiveLogs,
  walkHive,
  writeHive,
  type HiveLogInput,
  type RegTreeKey,
} from "../../src/registry/index.js";
import {
  changedPages,
  hiveBinsDataSizeOf,
  newFormatLog,
  oldFormatLog,
  withSequences,
  type LogEntrySpec,
} from "./hive-log-builder.js";
import { prng } from "./helpers.js";

const MAX = 1 << 30;

/** A hive whose root holds `names`, each key with a 2 000-byte value (so keys spread over pages). */
function hiveWith(names: string[]): Uint8Array {
  const tree: RegTreeKey = {
    name: "ROOT",
    values: [],
    subkeys: names.map((name) => ({
      name,
      subkeys: [],
      values: [{ name: "v", type: 3, data: new Uint8Array(2000).fill(name.charCodeAt(0)) }],
    })),
  };
  return writeHive(tree);
}

const H0 = hiveWith(["Base"]);
const H1 = hiveWith(["Base", "A"]);
const H2 = hiveWith(["Base", "A", "B"]);
const S = 10;
/** The hive on disk: H0, a write begun (primary S + 1, secondary S). */
const DIRTY = withSequences(H0, S + 1, S);

const step = (
  from: Uint8Array,
  to: Uint8Array,
  sequence: number,
  extra: Partial<LogEntrySpec> = {},
): LogEntrySpec => ({
  sequence,
  hiveBinsDataSize: hiveBinsDataSizeOf(to),
  pages: changedPages(from, to),
  ...extra,
});
const log = (name: string, bytes: Uint8Array): HiveLogInput => ({ name, bytes });
const keysOf = (bytes: Uint8Array): string[] => {
  const hive = openHive(bytes);
  const out: string[] = [];
  walkHive(hive, ({ key }) => void (key.path && out.push(key.path)));
  return out.sort();
};

describe("log replay: new format", () => {
  it("makes keys that exist only in the log visible, and leaves the input bytes untouched", () => {
    const log1 = newFormatLog(H0, S + 1, [step(H0, H1, S + 1), step(H1, H2, S + 2)]);
    const [hiveCopy, logCopy] = [DIRTY.slice(), log1.slice()];
    assert.deepEqual(keysOf(DIRTY), ["Base"]);
    const r = replayHiveLogs(DIRTY, [log("NTUSER.DAT.LOG1", log1)], { maxHiveBytes: MAX })!;
    assert.equal(r.recovery.recovered, true);
    assert.equal(r.recovery.summary, "recovered from NTUSER.DAT.LOG1 (2 entries)");
    assert.equal(r.recovery.sequence, S + 2);
    assert.deepEqual(keysOf(r.bytes!), ["A", "B", "Base"]);
    const hive = openHive(r.bytes!);
    assert.equal(hive.dirty, false, "the recovered base block has equal sequence numbers");
    assert.equal(hive.baseBlock.checksumValid, true);
    assert.equal(hive.baseBlock.fileType, 0);
    assert.deepEqual(DIRTY, hiveCopy, "the hive bytes were not written");
    assert.deepEqual(log1, logCopy, "the log bytes were not written");
  });

  it("a clean hive is not replayed (its logs hold entries already applied)", () => {
    const log1 = newFormatLog(H0, S + 1, [step(H0, H1, S + 1)]);
    assert.equal(
      replayHiveLogs(withSequences(H0, S, S), [log("L1", log1)], { maxHiveBytes: MAX }),
      undefined,
    );
  });

  it("a bad hash stops replay at that entry; the entries before it stay applied", () => {
    const first = newFormatLog(H0, S + 1, [step(H0, H1, S + 1)]);
    const log1 = newFormatLog(H0, S + 1, [
      step(H0, H1, S + 1),
      step(H1, H2, S + 2, { corrupt: { lastByteXor: 1 } }),
    ]);
    const r = replayHiveLogs(DIRTY, [log("NTUSER.DAT.LOG1", log1)], { maxHiveBytes: MAX })!;
    assert.equal(r.recovery.recovered, true);
    assert.deepEqual(keysOf(r.bytes!), ["A", "Base"]);
    const o = r.recovery.logs[0]!;
    assert.equal(o.entries, 1);
    assert.equal(o.problem?.code, "bad-hash");
    assert.equal(o.problem?.offset, first.length + 24, "the offset of the second entry's hash-1");
    assert.match(
      r.recovery.summary,
      /^recovered from NTUSER\.DAT\.LOG1 \(1 entry\); replay stopped in NTUSER\.DAT\.LOG1 at offset \d+: .*hash-1/,
    );
  });

  it("a changed hash-1 field fails hash-2 (which covers it): nothing recovered, and it says where", () => {
    const log1 = newFormatLog(H0, S + 1, [step(H0, H1, S + 1, { corrupt: { hash1Xor: 1n << 40n } })]);
    const r = replayHiveLogs(DIRTY, [log("NTUSER.DAT.LOG1", log1)], { maxHiveBytes: MAX })!;
    assert.equal(r.recovery.recovered, false);
    assert.equal(r.bytes, undefined);
    assert.match(r.recovery.summary, /^not recovered: NTUSER\.DAT\.LOG1: .*hash-2.*\(offset 544\)/);
  });

  it("both logs: the earlier one first, then the one continuing its sequence (in either order given)", () => {
    const log1 = newFormatLog(H0, S + 1, [step(H0, H1, S + 1)]);
    const log2 = newFormatLog(H1, S + 2, [step(H1, H2, S + 2)]);
    for (const logs of [
      [log("X.LOG1", log1), log("X.LOG2", log2)],
      [log("X.LOG2", log2), log("X.LOG1", log1)],
    ]) {
      const r = replayHiveLogs(DIRTY, logs, { maxHiveBytes: MAX })!;
      assert.deepEqual(keysOf(r.bytes!), ["A", "B", "Base"]);
      assert.equal(r.recovery.summary, "recovered from X.LOG1 (1 entry) and X.LOG2 (1 entry)");
    }
  });

  it("both logs: a second log that does not continue the sequence is not replayed", () => {
    const log1 = newFormatLog(H0, S + 1, [step(H0, H1, S + 1)]);
    const log2 = newFormatLog(H1, S + 3, [step(H1, H2, S + 3)]);
    const r = replayHiveLogs(DIRTY, [log("X.LOG1", log1), log("X.LOG2", log2)], { maxHiveBytes: MAX })!;
    assert.deepEqual(keysOf(r.bytes!), ["A", "Base"]);
    assert.equal(r.recovery.logs[1]!.problem?.code, "stale-log");
    assert.equal(r.recovery.logs[1]!.entries, 0);
  });

  it("both logs: a log older than the hive is skipped and the other replayed", () => {
    const stale = newFormatLog(H0, S - 3, [step(H0, H2, S - 3)]);
    const log2 = newFormatLog(H0, S + 1, [step(H0, H1, S + 1)]);
    const r = replayHiveLogs(DIRTY, [log("X.LOG1", stale), log("X.LOG2", log2)], { maxHiveBytes: MAX })!;
    assert.deepEqual(keysOf(r.bytes!), ["A", "Base"], "B (only in the stale log) is not applied");
    assert.equal(r.recovery.logs[0]!.problem?.code, "stale-log");
    assert.equal(r.recovery.summary, "recovered from X.LOG2 (1 entry)");
  });

  it("a log whose only entries are older than the hive leaves it unrecovered", () => {
    const stale = newFormatLog(H0, S - 3, [step(H0, H1, S - 3)]);
    const r = replayHiveLogs(DIRTY, [log("X.LOG1", stale)], { maxHiveBytes: MAX })!;
    assert.equal(r.recovery.recovered, false);
    assert.match(r.recovery.summary, /older than the hive's 10/);
  });

  it("a damaged hive base block is replaced by the base block of the log with the latest entries", () => {
    const damaged = withSequences(H0, S + 1, S);
    damaged[508] = damaged[508]! ^ 0xff; // checksum wrong
    const old = newFormatLog(H0, S - 5, [step(H0, H2, S - 5)]);
    const latest = newFormatLog(H0, S + 1, [step(H0, H1, S + 1)]);
    const r = replayHiveLogs(damaged, [log("X.LOG1", old), log("X.LOG2", latest)], { maxHiveBytes: MAX })!;
    assert.equal(r.recovery.summary, "recovered from X.LOG2 (1 entry)");
    assert.deepEqual(keysOf(r.bytes!), ["A", "Base"]);
    assert.equal(openHive(r.bytes!).baseBlock.checksumValid, true);
  });
});

describe("log replay: old format", () => {
  it("applies the dirty pages of a DIRT vector", () => {
    const log1 = oldFormatLog(DIRTY, S + 1, hiveBinsDataSizeOf(H2), changedPages(H0, H2));
    const r = replayHiveLogs(DIRTY, [log("X.LOG1", log1), log("X.LOG2", new Uint8Array(0))], {
      maxHiveBytes: MAX,
    })!;
    assert.equal(r.recovery.format, "old");
    assert.match(r.recovery.summary, /^recovered from X\.LOG1 \(old format, \d+ pages\)$/);
    assert.deepEqual(keysOf(r.bytes!), ["A", "B", "Base"]);
    assert.equal(r.recovery.logs[1]!.problem?.code, "truncated", "the empty .LOG2 is named");
  });

  it("is refused whole when its pages do not all fit in the log", () => {
    const log1 = oldFormatLog(DIRTY, S + 1, hiveBinsDataSizeOf(H2), changedPages(H0, H2));
    const r = replayHiveLogs(DIRTY, [log("X.LOG1", log1.subarray(0, log1.length - 512))], {
      maxHiveBytes: MAX,
    })!;
    assert.equal(r.recovery.recovered, false);
    assert.equal(r.recovery.logs[0]!.problem?.code, "truncated");
  });

  it("a log of another write (base block timestamp differs from the hive's) is not applied", () => {
    const log1 = oldFormatLog(DIRTY, S + 1, hiveBinsDataSizeOf(H2), changedPages(H0, H2));
    log1[12] = log1[12]! ^ 1;
    new DataView(log1.buffer).setUint32(508, computeBaseBlockChecksum(log1.subarray(0, 508)), true);
    const r = replayHiveLogs(DIRTY, [log("X.LOG1", log1)], { maxHiveBytes: MAX })!;
    assert.equal(r.recovery.recovered, false);
    assert.equal(r.recovery.logs[0]!.problem?.code, "stale-log");
  });
});

describe("log replay: bounded by the log and the hive caps", () => {
  it("a dirty page count larger than the entry can hold is refused before any page is read", () => {
    const log1 = newFormatLog(H0, S + 1, [
      step(H0, H1, S + 1, { corrupt: { dirtyPagesCount: 0x7fffffff, rehash: true } }),
    ]);
    const r = replayHiveLogs(DIRTY, [log("X.LOG1", log1)], { maxHiveBytes: MAX })!;
    assert.equal(r.recovery.recovered, false);
    assert.equal(r.recovery.logs[0]!.problem?.code, "bad-log");
    assert.match(r.recovery.logs[0]!.problem!.message, /declares 2147483647 dirty pages/);
  });

  it("pages that are not whole 4 KiB pages are refused: an entry cannot list more pages than its size / 4096", () => {
    // 20,000 references of 0 bytes (valid hashes) would otherwise each become a page record.
    const empty = Array.from({ length: 20_000 }, () => ({ hiveOffset: 0, bytes: new Uint8Array(0) }));
    for (const pages of [
      empty,
      [{ hiveOffset: 4096, bytes: new Uint8Array(100) }],
      [{ hiveOffset: 100, bytes: new Uint8Array(4096) }],
    ]) {
      const log1 = newFormatLog(H0, S + 1, [
        step(H0, H1, S + 1, { pages, hiveBinsDataSize: hiveBinsDataSizeOf(H0) }),
      ]);
      const r = replayHiveLogs(DIRTY, [log("X.LOG1", log1)], { maxHiveBytes: MAX })!;
      assert.equal(r.recovery.recovered, false);
      assert.equal(r.recovery.logs[0]!.problem?.code, "bad-log");
      assert.match(r.recovery.logs[0]!.problem!.message, /not whole 4096-byte pages/);
    }
  });

  it("a hive bins data size past the hive plus its logs is count-over-limit (nothing of that size allocated)", () => {
    const log1 = newFormatLog(H0, S + 1, [
      step(H0, H1, S + 1, { corrupt: { hiveBinsDataSize: 0xfffff000, rehash: true } }),
    ]);
    const r = replayHiveLogs(DIRTY, [log("X.LOG1", log1)], { maxHiveBytes: MAX })!;
    assert.equal(r.recovery.logs[0]!.problem?.code, "count-over-limit");
    assert.equal(r.bytes, undefined);
  });

  it("the recovered hive is capped by maxHiveBytes", () => {
    const log1 = newFormatLog(H0, S + 1, [step(H0, H2, S + 1)]);
    const r = replayHiveLogs(DIRTY, [log("X.LOG1", log1)], { maxHiveBytes: H2.length - 4096 })!;
    assert.equal(r.recovery.recovered, false);
    assert.equal(r.recovery.logs[0]!.problem?.code, "count-over-limit");
  });

  it("an old-format log claiming a huge hive is count-over-limit", () => {
    const log1 = oldFormatLog(DIRTY, S + 1, 4096, changedPages(H0, H1).slice(0, 0));
    new DataView(log1.buffer).setUint32(40, 0x7ffff000, true);
    new DataView(log1.buffer).setUint32(508, computeBaseBlockChecksum(log1.subarray(0, 508)), true);
    const r = replayHiveLogs(DIRTY, [log("X.LOG1", log1)], { maxHiveBytes: MAX })!;
    assert.equal(r.recovery.logs[0]!.problem?.code, "count-over-limit");
  });

  it("garbage, a dirty log base block, a wrong file type: each named, none applied", () => {
    const good = newFormatLog(H0, S + 1, [step(H0, H1, S + 1)]);
    const dirtyLog = good.slice();
    new DataView(dirtyLog.buffer).setUint32(4, S + 9, true);
    new DataView(dirtyLog.buffer).setUint32(508, computeBaseBlockChecksum(dirtyLog.subarray(0, 508)), true);
    const typed = good.slice();
    new DataView(typed.buffer).setUint32(28, 3, true);
    new DataView(typed.buffer).setUint32(508, computeBaseBlockChecksum(typed.subarray(0, 508)), true);
    const r = replayHiveLogs(
      DIRTY,
      [
        log("a", new Uint8Array(4096).fill(7)),
        log("b", dirtyLog),
        log("c", typed),
        { name: "d", problem: { code: "not-a-file", message: "a FIFO" } },
      ],
      { maxHiveBytes: MAX },
    )!;
    assert.deepEqual(
      r.recovery.logs.map((o) => o.problem?.code),
      ["bad-signature", "bad-log", "unsupported", "not-a-file"],
    );
    assert.equal(r.recovery.recovered, false);
  });
});

const yarp = process.env.KOFF_YARP_HIVES;
describe("log replay against Windows' own recovery (yarp's hives_for_tests, local only)", () => {
  const skip =
    yarp && existsSync(yarp)
      ? false
      : "set KOFF_YARP_HIVES to a local copy of yarp's hives_for_tests (GPL data, not committed)";
  const read = (...p: string[]) => new Uint8Array(readFileSync(path.join(yarp ?? "", ...p)));
  const logsOf = (dir: string, name: string): HiveLogInput[] =>
    [".LOG1", ".LOG2"].map((s) => ({ name: name + s, bytes: read(dir, name + s) }));

  it(
    "NewDirtyHive1: both logs, 4 entries, hive bins identical to Windows 10's recovered hive",
    { skip },
    () => {
      const r = replayHiveLogs(
        read("NewDirtyHive1", "NewDirtyHive"),
        logsOf("NewDirtyHive1", "NewDirtyHive"),
        { maxHiveBytes: MAX },
      )!;
      assert.equal(
        r.recovery.logs.reduce((n, o) => n + o.entries, 0),
        4,
      );
      const windows = read("NewDirtyHive1", "RecoveredHive_Windows10");
      assert.deepEqual(r.bytes!.subarray(4096), windows.subarray(4096));
    },
  );
  it("NewDirtyHive2: only .LOG2 applies, up to sequence 5", { skip }, () => {
    const r = replayHiveLogs(read("NewDirtyHive2", "NewDirtyHive"), logsOf("NewDirtyHive2", "NewDirtyHive"), {
      maxHiveBytes: MAX,
    })!;
    assert.equal(r.recovery.sequence, 5);
    assert.equal(r.recovery.summary, "recovered from NewDirtyHive.LOG2 (3 entries)");
  });
  it("OldDirtyHive and BadBaseBlockHive: old format, the key only in the log appears", { skip }, () => {
    for (const dir of ["OldDirtyHive", "BadBaseBlockHive"]) {
      const r = replayHiveLogs(read(dir, dir), logsOf(dir, dir), { maxHiveBytes: MAX })!;
      assert.equal(r.recovery.format, "old", dir);
      assert.ok(openHive(r.bytes!).getKey("key_with_many_subkeys\\5000\\find_me_in_log"), dir);
    }
  });
  it("BadLogHive1-3: not recovered", { skip }, () => {
    for (const dir of ["BadLogHive1", "BadLogHive2", "BadLogHive3"]) {
      const r = replayHiveLogs(read(dir, "BadLogHive"), logsOf(dir, "BadLogHive"), { maxHiveBytes: MAX })!;
      assert.equal(r.recovery.recovered, false, dir);
    }
  });
});

describe("log replay: mutated logs (seeded fuzz)", () => {
  /** Recomputes both hashes of every well-sized `HvLE` entry, so mutations reach the checks after them. */
  function rehash(log: Uint8Array): void {
    const v = new DataView(log.buffer, log.byteOffset, log.byteLength);
    for (let at = 512; at + 40 <= log.length && v.getUint32(at, true) === 0x454c7648;) {
      const size = v.getUint32(at + 4, true);
      if (size < 512 || size % 512 !== 0 || at + size > log.length) return;
      v.setBigUint64(at + 24, marvin32(log.subarray(at + 40, at + size)), true);
      v.setBigUint64(at + 32, marvin32(log.subarray(at, at + 32)), true);
      at += size;
    }
  }

  it("never throws, never returns more than the cap, and what it returns opens or fails with a RegistryError", () => {
    const next = prng(0x10c5);
    const base = newFormatLog(H0, S + 1, [step(H0, H1, S + 1), step(H1, H2, S + 2)]);
    const cap = 1 << 20;
    let recovered = 0;
    for (let i = 0; i < 400; i++) {
      const log1 = base.slice();
      const flips = 1 + (next() % 6);
      for (let k = 0; k < flips; k++) {
        // Mostly the entry headers and page references, where the structural checks are.
        const at = next() % 4 === 0 ? next() % log1.length : 512 + (next() % 80);
        log1[at] = next() & 0xff;
      }
      if (next() % 2 === 0) rehash(log1);
      const r = replayHiveLogs(DIRTY, [log("X.LOG1", log1)], { maxHiveBytes: cap });
      assert.ok(r, `case ${i}`);
      if (r.bytes === undefined) continue;
      recovered++;
      assert.ok(r.bytes.length <= cap, `case ${i}: ${r.bytes.length} bytes`);
      try {
        walkHive(openHive(r.bytes, { mode: "permissive" }), () => {});
      } catch (e) {
        assert.ok(e instanceof RegistryError, `case ${i}: ${String(e)}`);
      }
    }
    assert.ok(recovered > 0, "some mutations still replay");
  });
});
