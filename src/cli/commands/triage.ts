/**
 * `koff-doctor triage PATH... [--json|--sarif] [--trust FILE]... [--at ISO] [--recursive]
 * [--image DIR] [--as WINPATH] [--signatures primary|all] [--explain] [--verbose]`
 * `koff-doctor triage --bundle FILE.zip [--json|--sarif] …`
 *
 * Judges each file against the indicator table (docs/verdict.md). With `--bundle`, the
 * PE files a diagnostics bundle carries are judged, reported by their Windows paths.
 */
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import {
  BundleError,
  createSignatureVerifier,
  ExitCode,
  INPUT_FILE_ERROR_CODES,
  loadKnowledge,
  providerLikeReasons,
  streamHostFiles,
  streamHostFilesInWorkers,
  startDigestThread,
  type DigestThread,
  workerEntry,
  autoJobs,
  AUTO_MIN_BYTES,
  AUTO_MAX_JOBS,
  AUTO_MIN_FILES,
  MAX_JOBS,
  type JobsSetting,
  type VerifierOptions,
  triageBundle,
  triageExitCode,
  shellStyleOf,
  windowsRootAnchors,
  type CommandSource,
  type ReportedPolicy,
  type ShellStyle,
  type TriageRecord,
} from "../../index.js";
import type { CommandResult } from "../command-result.js";
import { expandInputs } from "../input-files.js";
import type { CliIo } from "../io.js";
import {
  checkReportTarget,
  checkTrustFiles,
  checkWindowsPathOption,
  collect,
  optionFileError,
  parseAt,
} from "../options.js";
import { TriageSink, type TriageFormat } from "../triage-output.js";
import { bundleRefused, openCliSource } from "../source-options.js";
import { UsageError } from "../usage-error.js";
import { printable } from "../terminal-text.js";

interface TriageFlags {
  json?: boolean;
  jsonl?: boolean;
  sarif?: boolean;
  trust: string[];
  at?: Date;
  recursive?: boolean;
  ext?: boolean;
  only?: "suspicious" | "malicious";
  providerLike?: boolean;
  image?: string;
  bundle?: string;
  as?: string;
  signatures: "primary" | "all";
  systemRoots: boolean;
  explain?: boolean;
  verbose?: boolean;
  html?: string;
  jobs: JobsSetting;
}

/** `--jobs auto|N` → `auto` or a whole number 1 … {@link MAX_JOBS}; anything else is a usage error (exit 64). */
export function parseJobs(value: string): JobsSetting {
  if (value === "auto") return "auto";
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_JOBS)
    throw new InvalidArgumentError(`expected auto or a whole number from 1 to ${MAX_JOBS}, got: ${value}`);
  return n;
}

/**
 * The worker threads a run of `files` uses: `--jobs N` as given, `auto` by {@link autoJobs} (the
 * files' sizes summed only when their count alone does not decide, so at most
 * {@link AUTO_MIN_FILES} stats). 1 (no worker) where this build cannot start one.
 */
async function jobsFor(setting: JobsSetting, files: readonly string[]): Promise<number> {
  if (workerEntry() === undefined) return 1;
  if (setting !== "auto") return setting;
  if (autoJobs(files.length, undefined) > 1 || autoJobs(AUTO_MIN_FILES, undefined) === 1)
    return autoJobs(files.length, undefined);
  let bytes = 0;
  for (const file of files) {
    bytes += (await stat(file).catch(() => undefined))?.size ?? 0;
    if (bytes >= AUTO_MIN_BYTES) break;
  }
  return autoJobs(files.length, bytes);
}

const formatOf = (flags: TriageFlags): TriageFormat =>
  flags.json ? "json" : flags.jsonl ? "jsonl" : flags.sarif ? "sarif" : "text";

/** The records `--only` and `--provider-like` let through (all are counted in the summary). */
function recordFilter(flags: TriageFlags): ((r: TriageRecord) => boolean) | undefined {
  if (flags.only === undefined && !flags.providerLike) return undefined;
  const knowledge = loadKnowledge();
  const levels = flags.only === "malicious" ? ["malicious"] : ["malicious", "suspicious"];
  return (r) =>
    (flags.only === undefined || levels.includes(r.verdict)) &&
    (!flags.providerLike || providerLikeReasons(r, knowledge).length > 0);
}

/** A sink for `records` printed at once (the bundle path, which judges few files). */
async function emitAll(
  records: TriageRecord[],
  policy: ReportedPolicy,
  flags: TriageFlags,
  io: CliIo,
): Promise<void> {
  const sink = new TriageSink(io, {
    format: formatOf(flags),
    policy,
    verbose: flags.verbose,
    explain: flags.explain,
    html: flags.html,
    keep: recordFilter(flags),
    found: records.length,
    progress: false,
    ...commandContext(flags, io),
  });
  for (const r of records) sink.record(r);
  await sink.end();
}

/** Where the files were read and how printed commands are quoted: for the next steps and SARIF. */
function commandContext(
  flags: TriageFlags,
  io: CliIo,
): { source?: CommandSource; shell: ShellStyle; cwd: string } {
  const source: CommandSource | undefined =
    flags.bundle !== undefined
      ? { mode: "bundle", bundle: path.resolve(io.cwd, flags.bundle) }
      : flags.image !== undefined
        ? { mode: "image", image: path.resolve(io.cwd, flags.image) }
        : undefined;
  return { source, shell: shellStyleOf(process.platform), cwd: io.cwd };
}

export function registerTriageCommand(program: Command, io: CliIo, done: (r: CommandResult) => void): void {
  program
    .command("triage")
    .description("judge PE files (kofmsp*.dll and friends): signature, location, size, packing, behaviour")
    .argument("[path...]", "files or directories to triage")
    .option(
      "--json",
      "print one JSON document (koff-doctor explain json-contract), written as files are judged",
    )
    .option("--jsonl", "print one JSON record per line, as files are judged")
    .option("--sarif", "print SARIF 2.1.0")
    .option("--html <file>", "also write a self-contained HTML report to FILE")
    .option("--trust <file>", "also trust the certificates in FILE (PEM or DER); repeatable", collect, [])
    .option("--at <iso-8601>", "verify signatures as of this time instead of now", parseAt)
    .option("-r, --recursive", "walk directories recursively, picking PE files by content (MZ, PE\\0\\0)")
    .option("--ext", "with -r, pick files by extension (.dll, .exe, …) instead of by content")
    .addOption(
      new Option("--only <verdict>", "print only files judged this or worse (all are counted)").choices([
        "suspicious",
        "malicious",
      ]),
    )
    .option(
      "--provider-like",
      "print only files named like the provider, exporting its entry points, with a Kerio/Kofax version resource, or signed by the vendor",
    )
    .option("--image <dir>", "root of a mounted Windows volume; paths inside it are judged as C:\\…")
    .option(
      "--bundle <file.zip>",
      "triage the DLLs and EXEs inside a bundle written by `koff-doctor collect`",
    )
    .option("--as <windows-path>", "the original Windows path of the (single) file")
    .addOption(
      new Option("--signatures <mode>", "which signatures must pass")
        .choices(["primary", "all"])
        .default("primary"),
    )
    .option("--no-system-roots", "do not trust Node's bundled root certificates")
    .option("--explain", "list every signature verification step with its outcome")
    .option("-v, --verbose", "also show indicators that are ok")
    .addOption(
      new Option(
        "--jobs <n>",
        `worker threads judging folders side by side (1: none, and no hashing thread); auto: one per core but one (at most ${AUTO_MAX_JOBS}) on more than 2 cores for ${AUTO_MIN_FILES}+ files or 100+ MB, else none (with a second core, files hashed on a second thread)`,
      )
        .argParser(parseJobs)
        .default("auto"),
    )
    .action(async (paths: string[], flags: TriageFlags) => {
      if ([flags.json, flags.jsonl, flags.sarif].filter(Boolean).length > 1)
        throw new UsageError("--json, --jsonl and --sarif are exclusive");
      if (flags.html !== undefined) await checkReportTarget("--html", flags.html);
      await checkTrustFiles(flags.trust);
      if (flags.bundle !== undefined) {
        if (paths.length > 0 || flags.image !== undefined || flags.as !== undefined)
          throw new UsageError("--bundle takes no paths, --image or --as");
        done(await triageBundleCommand(flags.bundle, flags, io));
        return;
      }
      if (paths.length === 0) throw new UsageError("no input: give PATH... or --bundle FILE.zip");
      if (flags.as !== undefined && paths.length !== 1) throw new UsageError("--as takes exactly one file");
      if (flags.as !== undefined) checkWindowsPathOption("--as", flags.as);
      done(await triagePathsCommand(paths, flags, io));
    });
}

/**
 * Files from which `triage PATH...` hashes on a second thread, when there is a second core: its
 * start costs about 0.1 s of CPU, on that thread (docs/architecture.md "Triage throughput").
 */
export const HASH_THREAD_MIN_FILES = 16;

/** `triage PATH...`: walk, then judge and print file by file; Ctrl-C and a closed stdout stop early. */
async function triagePathsCommand(paths: string[], flags: TriageFlags, io: CliIo): Promise<CommandResult> {
  // A file from an image is judged against the roots that Windows trusted, as check does.
  const image =
    flags.image === undefined ? undefined : await openCliSource({ image: flags.image }, "pass --image DIR");
  const inputs = await expandInputs(paths, flags.recursive === true, flags.ext ? "extension" : "content");
  const verifierOptions: VerifierOptions = {
    trustFiles: flags.trust,
    at: flags.at,
    signatures: flags.signatures,
    systemRoots: flags.systemRoots,
    extraAnchors: image === undefined ? [] : await windowsRootAnchors(image.snapshot),
  };
  const verifier = await createSignatureVerifier(verifierOptions).catch((e: unknown) => {
    throw optionFileError("--trust", e);
  });
  const files = inputs.filter((i) => !i.problem).map((i) => i.path);
  let interrupted = false;
  let workersFailed = false;
  // Worker threads see a Ctrl-C at once, through the signal (src/app/triage-pool.ts).
  const interruption = new AbortController();
  const stopListening = io.onInterrupt?.(() => {
    interrupted = true;
    interruption.abort();
  });
  const sink = new TriageSink(io, {
    format: formatOf(flags),
    policy: verifier.policy,
    verbose: flags.verbose,
    explain: flags.explain,
    html: flags.html,
    keep: recordFilter(flags),
    found: inputs.length,
    progress: io.interactive && inputs.length > 3,
    ...commandContext(flags, io),
  });
  // Inputs that are not readable regular files are also said on stderr, one line each.
  const refuse = (r: TriageRecord) =>
    sink.say(`koff-doctor: ${printable(r.path)}: ${r.error!.code}: ${r.error!.message}\n`);
  let digester: DigestThread | undefined;
  try {
    for (const p of inputs.filter((i) => i.problem)) {
      const record: TriageRecord = {
        path: p.path,
        sha256: "",
        size: 0,
        verdict: "error",
        error: { code: p.problem!.code, message: p.problem!.message },
        indicators: [],
      };
      refuse(record);
      sink.record(record);
    }
    const stopped = () => interrupted || io.stdoutClosed?.() === true;
    const onRecord = (r: TriageRecord) => {
      if (INPUT_FILE_ERROR_CODES.has(r.error?.code ?? "")) refuse(r);
      sink.record(r);
    };
    const jobs = await jobsFor(flags.jobs, files);
    if (jobs > 1) {
      const { failures } = await streamHostFilesInWorkers(
        files,
        {
          jobs,
          imageRoot: flags.image,
          originalWindowsPath: flags.as,
          verifier: verifierOptions,
          stopped,
          signal: interruption.signal,
        },
        onRecord,
      );
      for (const f of failures)
        sink.say(
          `koff-doctor: internal error: a worker thread failed (${f.message}); ${f.files} file(s) not judged\n`,
        );
      workersFailed = failures.length > 0;
    } else {
      const knowledge = loadKnowledge();
      // One thread judging, a second searching and hashing (unless --jobs 1 asks for one thread
      // in all): src/app/digest-thread.ts.
      digester =
        flags.jobs === "auto" && files.length >= HASH_THREAD_MIN_FILES && availableParallelism() >= 2
          ? startDigestThread()
          : undefined;
      await streamHostFiles(
        files,
        {
          knowledge,
          verifySignature: verifier.verify,
          imageRoot: flags.image,
          originalWindowsPath: flags.as,
          stopped,
          digester,
        },
        onRecord,
      );
    }
    await sink.end({ interrupted });
  } finally {
    digester?.close();
    stopListening?.();
  }
  if (interrupted) return { exitCode: ExitCode.INTERRUPTED };
  // A worker that failed is a defect (docs/exit-codes.md: 70); its files have error records.
  if (workersFailed) return { exitCode: ExitCode.INTERNAL };
  return { exitCode: sink.judged === 0 ? ExitCode.USAGE : sink.exitCode() };
}

/** `triage --bundle FILE.zip`: open and verify the bundle, then triage the PE files it carries. */
async function triageBundleCommand(file: string, flags: TriageFlags, io: CliIo): Promise<CommandResult> {
  let source;
  try {
    source = await openCliSource({ bundle: file }, "pass --bundle FILE.zip");
    const { snapshot } = source;
    const verifier = await createSignatureVerifier({
      trustFiles: flags.trust,
      at: flags.at,
      signatures: flags.signatures,
      systemRoots: flags.systemRoots,
      extraAnchors: await windowsRootAnchors(snapshot),
    }).catch((e: unknown) => {
      throw optionFileError("--trust", e);
    });
    const records = await triageBundle(snapshot, {
      knowledge: loadKnowledge(),
      verifySignature: verifier.verify,
    });
    await emitAll(records, verifier.policy, flags, io);
    return { exitCode: records.length === 0 ? ExitCode.OK : triageExitCode(records) };
  } catch (e) {
    if (!(e instanceof BundleError)) throw e;
    return { exitCode: bundleRefused(e, file, io) };
  } finally {
    source?.close();
  }
}
