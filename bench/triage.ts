/**
 * `npm run bench:triage`: `koff-doctor triage -r` over a tree of real PE files, each figure a
 * ratio against a peer measured in the same run (medians of several runs; never a timed test):
 *
 * 1. wall time of `triage -r TREE --jsonl` (one process, from start-up to the last record) vs
 *    `osslsigncode verify` run once per file, vs one python3-pefile process parsing every file
 *    with section entropy and checksum (bench/pefile-entropy.py), vs `sha256sum` of every file;
 * 2. peak RSS of `triage -r` over the tree taken three times vs taken once;
 * 2b. `triage -r --jobs 2` (two worker threads, docs/architecture.md "Worker threads") against the
 *    default, which is one thread on a machine of two cores: wall, CPU and peak RSS, interleaved;
 * 3. CPU (user + system) of a one-file `triage` (fixtures/pe/tiny-x64.dll among its 47
 *    neighbours, and alone in a folder) and of `check --image examples/healthy` vs `node -e 0`,
 *    each sample a loop of 10 runs (GNU time's CPU comes in 10 ms steps), interleaved.
 *
 * The tree: every PE file (by content) that Debian's `wine` and `mingw-w64` packages install, plus
 * ../shared/corpus, hard-linked (or copied) into a scratch folder. Missing peers and sources are
 * reported, not faked. Usage: npm run bench:triage [-- --runs 5] [-- --keep]
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sniffPe } from "../src/pe/index.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHARED = path.resolve(REPO, "..", "shared");
const BIN = path.join(REPO, "bin", "koff-doctor.cjs");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1] ?? 3) || 3;
const SOURCES = [
  "/usr/lib/x86_64-linux-gnu/wine",
  "/usr/lib/i386-linux-gnu/wine",
  "/usr/lib/wine",
  "/usr/lib/gcc/x86_64-w64-mingw32",
  "/usr/lib/gcc/i686-w64-mingw32",
  "/usr/x86_64-w64-mingw32",
  "/usr/i686-w64-mingw32",
  path.join(SHARED, "corpus"),
];
const TIME = "/usr/bin/time";
/** Runs per start-up sample: one run's CPU is a few 10 ms steps of GNU time. */
const STARTUP_LOOP = 10;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

function isPe(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    return sniffPe(head.subarray(0, n)) === "pe";
  } finally {
    closeSync(fd);
  }
}

/** Every regular PE file under `dir` (links not followed). */
function peFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter(isPe);
}

/** Links (or copies) the PE files of SOURCES into `tree`, keeping their folders. */
function gatherTree(tree: string): { files: string[]; bytes: number } {
  const files: string[] = [];
  let bytes = 0;
  for (const [i, source] of SOURCES.entries()) {
    for (const f of peFilesUnder(source)) {
      const to = path.join(tree, `${i}-${path.basename(source)}`, path.relative(source, f));
      mkdirSync(path.dirname(to), { recursive: true });
      try {
        linkSync(f, to);
      } catch {
        copyFileSync(f, to);
      }
      files.push(to);
      bytes += statSync(to).size;
    }
  }
  return { files, bytes };
}

/** Runs `command` under GNU time: wall seconds, CPU seconds (user + system, children included), peak RSS in KiB. */
function timed(command: string): { wall: number; cpu: number; rssKb: number } {
  const r = spawnSync(TIME, ["-f", "@@%e %U %S %M", "sh", "-c", command], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const m = /@@([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no timing for ${command}: ${r.stderr.slice(-500)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssKb: Number(m[4]) };
}

function medianOf(command: string, n = runs): { wall: number; cpu: number; rssKb: number } {
  const results = Array.from({ length: n }, () => timed(command));
  return {
    wall: median(results.map((r) => r.wall)),
    cpu: median(results.map((r) => r.cpu)),
    rssKb: median(results.map((r) => r.rssKb)),
  };
}

const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

function main(): void {
  if (!has(TIME)) return console.log("bench:triage skipped: GNU time (/usr/bin/time) is not installed");
  const work = mkdtempSync(path.join(tmpdir(), "koff-bench-triage-"));
  try {
    const tree = path.join(work, "tree");
    const { files, bytes } = gatherTree(tree);
    if (files.length === 0)
      return console.log("bench:triage skipped: no PE files from wine, mingw-w64 or the corpus");
    const list = path.join(work, "files.txt");
    writeFileSync(list, `${files.join("\n")}\n`);
    console.log(
      `tree: ${files.length} PE files, ${(bytes / 1e6).toFixed(0)} MB; medians of ${runs} runs (wall / CPU seconds)`,
    );

    const ours = medianOf(`node ${q(BIN)} triage -r ${q(tree)} --jsonl > /dev/null`);
    console.log(
      `triage -r          ${ours.wall.toFixed(2)} s wall, ${ours.cpu.toFixed(2)} s CPU, ${(ours.rssKb / 1024).toFixed(0)} MiB peak RSS`,
    );
    const peer = (name: string, available: boolean, command: string, goal: string, n = runs) => {
      if (!available) return console.log(`${name.padEnd(18)} skipped: not installed`);
      const p = medianOf(command, n);
      console.log(
        `${name.padEnd(18)} ${p.wall.toFixed(2)} s wall, ${p.cpu.toFixed(2)} s CPU → triage is ${(p.wall / ours.wall).toFixed(2)}× its speed (wall), ${(p.cpu / ours.cpu).toFixed(2)}× (CPU); goal ${goal}`,
      );
    };
    peer(
      "osslsigncode ×file",
      has("osslsigncode"),
      `while IFS= read -r f; do osslsigncode verify -in "$f" >/dev/null 2>&1; done < ${q(list)}`,
      "≥ 3×",
    );
    peer(
      "python3-pefile",
      spawnSync("/usr/bin/python3", ["-c", "import pefile"]).status === 0,
      `/usr/bin/python3 ${q(path.join(REPO, "bench", "pefile-entropy.py"))} < ${q(list)} > /dev/null`,
      "≥ 5×",
      // pefile takes minutes of CPU over the whole tree: one run.
      1,
    );
    peer(
      "sha256sum",
      has("sha256sum"),
      `tr '\\n' '\\0' < ${q(list)} | xargs -0 sha256sum > /dev/null`,
      "≥ 0.25× (within 4×)",
    );

    // Peak RSS: the tree three times (three hard-linked copies) against once.
    const tree3 = path.join(work, "tree3");
    mkdirSync(tree3);
    for (const i of [1, 2, 3]) spawnSync("cp", ["-al", tree, path.join(tree3, `copy${i}`)]);
    const rss1 = medianOf(`node ${q(BIN)} triage -r ${q(tree)} --json > /dev/null`, Math.min(runs, 3)).rssKb;
    const rss3 = medianOf(`node ${q(BIN)} triage -r ${q(tree3)} --json > /dev/null`, Math.min(runs, 3)).rssKb;
    console.log(
      `peak RSS           ×1 ${(rss1 / 1024).toFixed(0)} MiB, ×3 ${(rss3 / 1024).toFixed(0)} MiB → ${(rss3 / rss1).toFixed(2)}× (goal ≤ 1.25×)`,
    );

    // Worker threads: --jobs 2 against --jobs 1, interleaved run by run (the main ratios above are
    // the default's, one thread on two cores).
    const jobs1: Array<ReturnType<typeof timed>> = [];
    const jobs2: Array<ReturnType<typeof timed>> = [];
    for (let i = 0; i < runs; i++) {
      jobs1.push(timed(`node ${q(BIN)} triage -r ${q(tree)} --jsonl --jobs 1 > /dev/null`));
      jobs2.push(timed(`node ${q(BIN)} triage -r ${q(tree)} --jsonl --jobs 2 > /dev/null`));
    }
    const m = (xs: Array<ReturnType<typeof timed>>, k: "wall" | "cpu" | "rssKb") =>
      median(xs.map((x) => x[k]));
    console.log(
      `--jobs 2 / 1       wall ${m(jobs2, "wall").toFixed(2)} / ${m(jobs1, "wall").toFixed(2)} s → ${(m(jobs2, "wall") / m(jobs1, "wall")).toFixed(2)}×, CPU ${m(jobs2, "cpu").toFixed(2)} / ${m(jobs1, "cpu").toFixed(2)} s → ${(m(jobs2, "cpu") / m(jobs1, "cpu")).toFixed(2)}×, peak RSS ${(m(jobs2, "rssKb") / 1024).toFixed(0)} / ${(m(jobs1, "rssKb") / 1024).toFixed(0)} MiB (load average ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]})`,
    );

    // Start-up: CPU per process, each sample a loop of STARTUP_LOOP runs (GNU time counts CPU in
    // 10 ms steps, as coarse as the figures), the four commands interleaved round by round;
    // medians of the rounds.
    const lone = path.join(work, "lone");
    mkdirSync(lone);
    // The same DLL alone in a folder: start-up without the side-loading scan of its 47 neighbours.
    copyFileSync(path.join(REPO, "fixtures", "pe", "tiny-x64.dll"), path.join(lone, "tiny-x64.dll"));
    const commands = {
      node0: "node -e 0",
      one: `node ${q(BIN)} triage ${q(path.join(REPO, "fixtures", "pe", "tiny-x64.dll"))} > /dev/null`,
      alone: `node ${q(BIN)} triage ${q(path.join(lone, "tiny-x64.dll"))} > /dev/null`,
      check: `node ${q(BIN)} check --image ${q(path.join(REPO, "examples", "healthy"))} > /dev/null`,
    };
    const samples: Record<keyof typeof commands, number[]> = { node0: [], one: [], alone: [], check: [] };
    for (let round = 0; round < runs * 2; round++)
      for (const [k, command] of Object.entries(commands) as Array<[keyof typeof commands, string]>) {
        const loop = `for i in $(seq ${STARTUP_LOOP}); do ${command} || true; done`;
        samples[k].push(timed(loop).cpu / STARTUP_LOOP);
      }
    const [node0, one, alone, check] = [samples.node0, samples.one, samples.alone, samples.check].map(
      median,
    ) as [number, number, number, number];
    console.log(
      `start-up CPU       node -e 0 ${node0.toFixed(3)} s; one-file triage ${one.toFixed(3)} s → ${(one / node0).toFixed(2)}× (goal ≤ 2×; alone in its folder ${alone.toFixed(3)} s → ${(alone / node0).toFixed(2)}×); check --image healthy ${check.toFixed(3)} s → ${(check / node0).toFixed(2)}× (goal ≤ 3×); medians of ${runs * 2} interleaved rounds of ${STARTUP_LOOP} runs each`,
    );
  } finally {
    if (args.includes("--keep")) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main();
