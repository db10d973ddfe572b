/**
 * Benchmarks, each a ratio against a peer measured in the same run (never a timed test):
 *
 * 1. corpus: triage of the whole dev corpus in one process vs `osslsigncode verify` once per file.
 * 2. authentihash: authentihash (sha256) of an 8 MB PE vs `sha256sum` of the same file.
 * 3. batch: triage of N signed copies whose digests all differ vs `osslsigncode verify` per file.
 * 4. check: `koff-doctor check --image` on every sample image (a fresh process each), vs the 2 s goal.
 *
 * Usage: npm run bench [-- --copies 1000] [-- --only corpus,check]
 * Needs osslsigncode for 1 and 3, ../shared/corpus for 1. Missing peers are reported, not faked.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { authentihash } from "../src/authenticode/index.js";
import { createSignatureVerifier } from "../src/app/signature-verifier.js";
import { loadKnowledge } from "../src/knowledge/index.js";
import { parsePe } from "../src/pe/index.js";
import { triageFile } from "../src/triage/index.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHARED = path.resolve(REPO, "..", "shared");
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt("only")?.split(",");
const wanted = (name: string) => !only || only.includes(name);
const copies = Number(opt("copies") ?? 1000);

const ms = (ns: bigint) => Number(ns) / 1e6;
const now = () => process.hrtime.bigint();
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

async function triageAll(files: string[], trust: string[]): Promise<number> {
  const t0 = now();
  const verifier = await createSignatureVerifier({ trustFiles: trust });
  const knowledge = loadKnowledge();
  for (const f of files) {
    await triageFile(
      { path: f, fileName: path.basename(f), bytes: readFileSync(f) },
      { knowledge, verifySignature: verifier.verify },
    );
  }
  return ms(now() - t0);
}

function osslsigncodeAll(files: string[], caFile: string): number {
  const t0 = now();
  for (const f of files)
    spawnSync("osslsigncode", ["verify", "-CAfile", caFile, "-in", f], { stdio: "ignore" });
  return ms(now() - t0);
}

function report(name: string, ours: number, peer: number, peerName: string, extra = ""): void {
  const ratio = peer / ours;
  console.log(
    `${name.padEnd(14)} ours ${ours.toFixed(1)} ms, ${peerName} ${peer.toFixed(1)} ms → ${ratio >= 1 ? `${ratio.toFixed(1)}× faster` : `${(1 / ratio).toFixed(2)}× slower`}${extra}`,
  );
}

async function benchCorpus(): Promise<void> {
  const dir = path.join(SHARED, "corpus", "dev");
  if (!existsSync(dir)) return console.log("corpus         skipped: ../shared/corpus is absent");
  if (!has("osslsigncode")) return console.log("corpus         skipped: osslsigncode is not installed");
  const files = listFiles(dir);
  const ca = path.join(SHARED, "corpus", "pki", "trust-anchors.pem");
  const ours = median([
    await triageAll(files, [ca]),
    await triageAll(files, [ca]),
    await triageAll(files, [ca]),
  ]);
  const peer = osslsigncodeAll(files, ca);
  report(
    "corpus",
    ours,
    peer,
    "osslsigncode verify ×" + files.length,
    ` (${files.length} files, ours = one process, full triage)`,
  );
}

function benchAuthentihash(work: string): void {
  const base = readFileSync(path.join(REPO, "fixtures", "pe", "genuine-unsigned-x64.dll"));
  const file = path.join(work, "eight-mb.dll");
  writeFileSync(file, Buffer.concat([base, randomBytes(8 * 1024 * 1024 - base.length)]));
  const ours: number[] = [];
  const peer: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = now();
    const bytes = readFileSync(file);
    authentihash(bytes, parsePe(bytes), "sha256");
    ours.push(ms(now() - t0));
    const t1 = now();
    execFileSync("sha256sum", [file]);
    peer.push(ms(now() - t1));
  }
  report(
    "authentihash",
    median(ours),
    median(peer),
    "sha256sum",
    " (8 MiB, read + parse + hash; median of 7; sha256sum includes its process start)",
  );
}

async function benchBatch(work: string): Promise<void> {
  if (!has("osslsigncode")) return console.log("batch          skipped: osslsigncode is not installed");
  const pki = path.join(REPO, "fixtures", "pki");
  const base = readFileSync(path.join(REPO, "fixtures", "pe", "genuine-unsigned-x64.dll"));
  const dir = path.join(work, "batch");
  execFileSync("mkdir", ["-p", dir]);
  const files: string[] = [];
  for (let i = 0; i < copies; i++) {
    // An 8-byte overlay holding the copy number: every copy has its own authentihash.
    const unsigned = path.join(dir, `u${i}.dll`);
    const counter = Buffer.alloc(8);
    counter.writeUInt32LE(i);
    writeFileSync(unsigned, Buffer.concat([base, counter]));
    const signed = path.join(dir, `kofmsp-${i}.dll`);
    execFileSync(
      "osslsigncode",
      [
        "sign",
        "-certs",
        path.join(pki, "leaf-valid-chain.pem"),
        "-key",
        path.join(pki, "leaf-valid.key"),
        "-h",
        "sha256",
        "-time",
        "1717200000",
        "-in",
        unsigned,
        "-out",
        signed,
      ],
      { stdio: "ignore" },
    );
    rmSync(unsigned);
    files.push(signed);
  }
  const ca = path.join(pki, "trust-anchors.pem");
  const ours = await triageAll(files, [ca]);
  const peer = osslsigncodeAll(files, ca);
  report(
    "batch",
    ours,
    peer,
    `osslsigncode verify ×${copies}`,
    ` (${(ours / copies).toFixed(2)} ms/file vs ${(peer / copies).toFixed(2)} ms/file)`,
  );
}

function benchCheck(): void {
  const examples = path.join(REPO, "examples");
  const images = readdirSync(examples).filter((n) => existsSync(path.join(examples, n, "Windows")));
  const times: string[] = [];
  let worst = 0;
  for (const image of images) {
    const t0 = now();
    spawnSync(
      process.execPath,
      [path.join(REPO, "bin", "koff-doctor.cjs"), "check", "--json", "--image", path.join(examples, image)],
      { stdio: "ignore" },
    );
    const t = ms(now() - t0);
    worst = Math.max(worst, t);
    times.push(`${image} ${t.toFixed(0)} ms`);
  }
  console.log(
    `check --image  worst ${worst.toFixed(0)} ms of ${images.length} images (goal 2000 ms, a fresh process each): ${times.join(", ")}`,
  );
}

const work = mkdtempSync(path.join(tmpdir(), "koff-bench-"));
try {
  console.log(`koff-doctor bench, node ${process.version}, ${new Date().toISOString()}`);
  if (wanted("corpus")) await benchCorpus();
  if (wanted("authentihash")) benchAuthentihash(work);
  if (wanted("batch")) await benchBatch(work);
  if (wanted("check")) benchCheck();
} finally {
  rmSync(work, { recursive: true, force: true });
}
