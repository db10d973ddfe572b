/**
 * EVTX bench: `koff-doctor events --jsonl` over a ~20 MB Application log vs libevtx's
 * `evtxexport` and python-evtx's `evtx_dump.py` over the same file, in the same run, each a fresh
 * process with stdout to /dev/null. Goals (docs/evtx.md): at least as fast as evtxexport, at
 * least 10× faster than python-evtx. Never a timed test.
 *
 * Usage: npm run build && node dist/bench/evtx.js [--mb 20] [--runs 3] [--no-python]
 * The log is written by the test-only writer (test/helpers/evtx-writer.ts) into a temp dir.
 * Missing peers are reported, not faked.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { largeApplicationLog } from "../test/helpers/evtx-fixtures.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const mb = Number(opt("mb") ?? 20);
const runs = Number(opt("runs") ?? 3);
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall time in ms of `cmd args` with stdout to /dev/null; throws when it fails. */
function time(cmd: string, argv: string[]): number {
  const devnull = openSync("/dev/null", "w");
  try {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { stdio: ["ignore", devnull, "pipe"] });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr.toString().slice(0, 300)}`);
    return ms;
  } finally {
    closeSync(devnull);
  }
}

const dir = mkdtempSync(path.join(tmpdir(), "koff-evtx-bench-"));
try {
  const file = path.join(dir, "Application.evtx");
  const bytes = largeApplicationLog(mb);
  writeFileSync(file, bytes);
  console.log(`log: ${(bytes.length / 1e6).toFixed(1)} MB, ${file}`);
  const cli = path.join(REPO, "bin", "koff-doctor.cjs");
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(time(process.execPath, [cli, "events", "--jsonl", file]));
    if (has("evtxexport")) theirs.push(time("evtxexport", [file]));
  }
  const o = median(ours);
  console.log(`koff-doctor events --jsonl: ${o.toFixed(0)} ms (median of ${runs})`);
  if (theirs.length) {
    const e = median(theirs);
    console.log(
      `evtxexport:                 ${e.toFixed(0)} ms (median of ${runs}); ratio ${(e / o).toFixed(2)}× (goal ≥ 1)`,
    );
  } else console.log("evtxexport: not installed (Debian libevtx-utils)");
  if (args.includes("--no-python")) console.log("evtx_dump.py: skipped (--no-python)");
  else if (has("evtx_dump.py")) {
    const p = time("evtx_dump.py", [file]);
    console.log(
      `evtx_dump.py:               ${p.toFixed(0)} ms (one run); ratio ${(p / o).toFixed(1)}× (goal ≥ 10)`,
    );
  } else console.log("evtx_dump.py: not installed (Debian python3-evtx)");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
