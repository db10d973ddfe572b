/**
 * `koff-doctor triage PATH... [--json|--sarif] [--trust FILE]... [--at ISO] [--recursive]
 * [--image DIR] [--as WINPATH] [--signatures primary|all] [--explain] [--verbose]`
 * `koff-doctor triage --bundle FILE.zip [--json|--sarif] …`
 *
 * Judges each file against the indicator table (docs/verdict.md). With `--bundle`, the
 * PE files a diagnostics bundle carries are judged, reported by their Windows paths.
 */
import path from "node:path";
import { Option, type Command } from "commander";
import {
  BundleError,
  createSignatureVerifier,
  ExitCode,
  INPUT_FILE_ERROR_CODES,
  loadKnowledge,
  renderTriageJson,
  triageBundle,
  triageExitCode,
  triageHostFiles,
  shellStyleOf,
  windowsRootAnchors,
  type CommandSource,
  type ReportedPolicy,
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
  writeReport,
} from "../options.js";
import { renderExplain } from "../render/explain.js";
import { renderTriageHtml } from "../render/html-report.js";
import { renderTriageSarif } from "../render/triage-sarif.js";
import { renderTriageText } from "../render/triage-text.js";
import { bundleRefused, openCliSource } from "../source-options.js";
import { UsageError } from "../usage-error.js";

interface TriageFlags {
  json?: boolean;
  sarif?: boolean;
  trust: string[];
  at?: Date;
  recursive?: boolean;
  image?: string;
  bundle?: string;
  as?: string;
  signatures: "primary" | "all";
  systemRoots: boolean;
  explain?: boolean;
  verbose?: boolean;
  html?: string;
}

/** Prints the records as asked (text, JSON or SARIF) and writes the HTML report when asked. */
async function emit(
  records: TriageRecord[],
  policy: ReportedPolicy,
  flags: TriageFlags,
  io: CliIo,
): Promise<void> {
  if (flags.html !== undefined) await writeReport(flags.html, renderTriageHtml(records, policy));
  if (flags.json) io.stdout(renderTriageJson(records, policy));
  else if (flags.sarif) io.stdout(renderTriageSarif(records, io.cwd));
  else {
    const source: CommandSource | undefined =
      flags.bundle !== undefined
        ? { mode: "bundle", bundle: path.resolve(io.cwd, flags.bundle) }
        : flags.image !== undefined
          ? { mode: "image", image: path.resolve(io.cwd, flags.image) }
          : undefined;
    const shell = shellStyleOf(process.platform);
    io.stdout(renderTriageText(records, io.colors, { verbose: flags.verbose, source, shell }));
    if (flags.explain) io.stdout(renderExplain(records, io.colors));
  }
}

export function registerTriageCommand(program: Command, io: CliIo, done: (r: CommandResult) => void): void {
  program
    .command("triage")
    .description("judge PE files (kofmsp*.dll and friends): signature, location, size, packing, behaviour")
    .argument("[path...]", "files or directories to triage")
    .option("--json", "print one JSON document (koff-doctor explain json-contract)")
    .option("--sarif", "print SARIF 2.1.0")
    .option("--html <file>", "also write a self-contained HTML report to FILE")
    .option("--trust <file>", "also trust the certificates in FILE (PEM or DER); repeatable", collect, [])
    .option("--at <iso-8601>", "verify signatures as of this time instead of now", parseAt)
    .option("-r, --recursive", "walk directories recursively")
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
    .action(async (paths: string[], flags: TriageFlags) => {
      if (flags.json && flags.sarif) throw new UsageError("--json and --sarif are exclusive");
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
      // A file from an image is judged against the roots that Windows trusted, as check does.
      const image =
        flags.image === undefined
          ? undefined
          : await openCliSource({ image: flags.image }, "pass --image DIR");
      const inputs = await expandInputs(paths, flags.recursive === true);
      const verifier = await createSignatureVerifier({
        trustFiles: flags.trust,
        at: flags.at,
        signatures: flags.signatures,
        systemRoots: flags.systemRoots,
        extraAnchors: image === undefined ? [] : await windowsRootAnchors(image.snapshot),
      }).catch((e: unknown) => {
        throw optionFileError("--trust", e);
      });
      const problems = inputs.filter((i) => i.problem);
      const files = inputs.filter((i) => !i.problem).map((i) => i.path);
      const showProgress = io.interactive && !flags.json && !flags.sarif && files.length > 3;
      const records = await triageHostFiles(files, {
        knowledge: loadKnowledge(),
        verifySignature: verifier.verify,
        imageRoot: flags.image,
        originalWindowsPath: flags.as,
        onProgress: showProgress ? (n, total) => io.stderr(`\rtriage ${n}/${total}`) : undefined,
      });
      if (showProgress) io.stderr("\r\x1b[K");
      // Inputs that are not readable regular files are also said on stderr, one line each.
      const refused = [
        ...problems.map((i) => ({ path: i.path, ...i.problem! })),
        ...records
          .filter((r) => INPUT_FILE_ERROR_CODES.has(r.error?.code ?? ""))
          .map((r) => ({ path: r.path, ...r.error! })),
      ];
      for (const r of refused) io.stderr(`koff-doctor: ${r.path}: ${r.code}: ${r.message}\n`);
      const all: TriageRecord[] = [
        ...problems.map((p): TriageRecord => ({
          path: p.path,
          sha256: "",
          size: 0,
          verdict: "error",
          error: { code: p.problem!.code, message: p.problem!.message },
          indicators: [],
        })),
        ...records,
      ];
      await emit(all, verifier.policy, flags, io);
      done({ exitCode: all.length === 0 ? ExitCode.USAGE : triageExitCode(all) });
    });
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
    await emit(records, verifier.policy, flags, io);
    return { exitCode: records.length === 0 ? ExitCode.OK : triageExitCode(records) };
  } catch (e) {
    if (!(e instanceof BundleError)) throw e;
    return { exitCode: bundleRefused(e, file, io) };
  } finally {
    source?.close();
  }
}
