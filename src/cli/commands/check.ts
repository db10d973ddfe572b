/**
 * `koff-doctor check [--image DIR | --bundle FILE.zip] [--json | --sarif] [--html FILE] [--trust FILE]... [--at ISO]
 *  [--free-space BYTES] [--server HOST]... [--since ISO]`
 *
 * Diagnoses KOFF on a machine (live, Windows only), a mounted image (any OS), or a diagnostics
 * bundle made by `collect` (any OS; read safely, see docs/bundle.md). A refused or tampered
 * bundle exits with code 3 (UNREADABLE).
 */
import type { Command } from "commander";
import {
  BundleError,
  checkExitCode,
  checkMachine,
  renderCheckJson,
  shellStyleOf,
  type OpenedSource,
} from "../../index.js";
import type { CommandResult } from "../command-result.js";
import type { CliIo } from "../io.js";
import {
  checkReportTarget,
  checkTrustFiles,
  collect,
  parseAt,
  parseByteCount,
  writeReport,
} from "../options.js";
import { bundleRefused, openCliSource, sourceSpec } from "../source-options.js";
import { renderCheckText } from "../render/check-text.js";
import { renderCheckHtml } from "../render/html-report.js";
import { renderCheckSarif } from "../render/check-sarif.js";
import { UsageError } from "../usage-error.js";

interface CheckFlags {
  image?: string;
  bundle?: string;
  json?: boolean;
  sarif?: boolean;
  trust: string[];
  at?: Date;
  freeSpace?: number;
  windowsRoots: boolean;
  systemRoots: boolean;
  server: string[];
  html?: string;
  since?: Date;
}

export function registerCheckCommand(program: Command, io: CliIo, done: (r: CommandResult) => void): void {
  program
    .command("check")
    .description("diagnose KOFF on this Windows machine, or on a mounted Windows image (--image)")
    .option("--image <dir>", "root of a mounted or copied Windows system volume (holds Windows/, Users/, …)")
    .option("--bundle <file.zip>", "a diagnostics bundle written by `koff-doctor collect`")
    .option("--json", "print one JSON document (koff-doctor explain json-contract)")
    .option("--sarif", "print SARIF 2.1.0 (one result per finding; GitHub code scanning accepts it)")
    .option("--trust <file>", "also trust the certificates in FILE (PEM or DER); repeatable", collect, [])
    .option("--at <iso-8601>", "verify signatures as of this time instead of now", parseAt)
    .option("--free-space <bytes>", "free bytes on the image's system volume, when known", parseByteCount)
    .option("--no-windows-roots", "do not trust the image's Windows ROOT/AuthRoot stores")
    .option("--no-system-roots", "do not trust Node's bundled root certificates")
    .option(
      "--server <host>",
      "the Kerio Connect server's address as netstat shows it (live mode); repeatable",
      collect,
      [],
    )
    .option("--html <file>", "also write a self-contained HTML report to FILE")
    .option("--since <iso-8601>", "read only the event-log records created at or after this time", parseAt)
    .action(async (flags: CheckFlags) => {
      if (flags.json && flags.sarif) throw new UsageError("--json and --sarif are exclusive");
      const spec = sourceSpec(flags);
      if (flags.html !== undefined) await checkReportTarget("--html", flags.html);
      await checkTrustFiles(flags.trust);
      let source: OpenedSource | undefined;
      try {
        source = await openCliSource(spec, "pass --image DIR or --bundle FILE.zip");
        const report = await checkMachine(source.snapshot, {
          trustFiles: flags.trust,
          at: flags.at,
          windowsRoots: flags.windowsRoots,
          systemRoots: flags.systemRoots,
          kerioServers: flags.server,
          eventsSince: flags.since,
        });
        if (flags.html !== undefined) await writeReport(flags.html, renderCheckHtml(report));
        const shell = shellStyleOf(process.platform);
        if (flags.json) io.stdout(renderCheckJson(report, { shell }));
        else if (flags.sarif)
          io.stdout(renderCheckSarif(report, { image: flags.image, bundle: flags.bundle, cwd: io.cwd }));
        else io.stdout(renderCheckText(report, io.colors, shell));
        done({ exitCode: checkExitCode(report) });
      } catch (e) {
        if (!(e instanceof BundleError)) throw e;
        done({ exitCode: bundleRefused(e, flags.bundle, io) });
      } finally {
        source?.close();
      }
    });
}
