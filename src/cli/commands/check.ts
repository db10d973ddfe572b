/**
 * `koff-doctor check [--image DIR | --bundle FILE.zip] [--json] [--html FILE] [--trust FILE]... [--at ISO]
 *  [--free-space BYTES] [--server HOST]...`
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
  createBundleSnapshot,
  ExitCode,
  openBundle,
  renderCheckJson,
  type Bundle,
  type Snapshot,
} from "../../index.js";
// Mode picking (live / image / bundle): replaced by the library's openSource.
import { createImageSnapshot } from "../../snapshot/image-snapshot.js";
import { createLiveSnapshot } from "../../snapshot/live-snapshot.js";
import type { CommandResult } from "../command-result.js";
import type { CliIo } from "../io.js";
import {
  checkImageRoot,
  checkReportTarget,
  checkTrustFiles,
  collect,
  parseAt,
  parseByteCount,
  writeReport,
} from "../options.js";
import { describeBundleError } from "../render/bundle-error.js";
import { renderCheckText } from "../render/check-text.js";
import { renderCheckHtml } from "../render/html-report.js";
import { UsageError } from "../usage-error.js";

interface CheckFlags {
  image?: string;
  bundle?: string;
  json?: boolean;
  trust: string[];
  at?: Date;
  freeSpace?: number;
  windowsRoots: boolean;
  systemRoots: boolean;
  server: string[];
  html?: string;
}

export function registerCheckCommand(program: Command, io: CliIo, done: (r: CommandResult) => void): void {
  program
    .command("check")
    .description("diagnose KOFF on this Windows machine, or on a mounted Windows image (--image)")
    .option("--image <dir>", "root of a mounted or copied Windows system volume (holds Windows/, Users/, …)")
    .option("--bundle <file.zip>", "a diagnostics bundle written by `koff-doctor collect`")
    .option("--json", "print one JSON document (docs/json-contract.md)")
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
    .action(async (flags: CheckFlags) => {
      if (flags.image !== undefined && flags.bundle !== undefined)
        throw new UsageError("--image and --bundle are exclusive");
      if (flags.html !== undefined) await checkReportTarget("--html", flags.html);
      await checkTrustFiles(flags.trust);
      let bundle: Bundle | undefined;
      try {
        let snapshot: Snapshot;
        if (flags.bundle !== undefined) {
          bundle = await openBundle(flags.bundle);
          snapshot = await createBundleSnapshot(bundle);
          if (flags.freeSpace !== undefined) snapshot.disk = { freeBytes: async () => flags.freeSpace };
        } else if (flags.image !== undefined) {
          await checkImageRoot(flags.image);
          snapshot = createImageSnapshot(flags.image, { freeBytes: flags.freeSpace });
        } else if (process.platform === "win32") {
          snapshot = await createLiveSnapshot();
        } else {
          throw new UsageError("live mode runs on Windows only; pass --image DIR or --bundle FILE.zip");
        }
        const report = await checkMachine(snapshot, {
          trustFiles: flags.trust,
          at: flags.at,
          windowsRoots: flags.windowsRoots,
          systemRoots: flags.systemRoots,
          kerioServers: flags.server,
        });
        if (flags.html !== undefined) await writeReport(flags.html, renderCheckHtml(report));
        io.stdout(flags.json ? renderCheckJson(report) : renderCheckText(report, io.colors));
        done({ exitCode: checkExitCode(report) });
      } catch (e) {
        if (!(e instanceof BundleError)) throw e;
        io.stderr(`koff-doctor: ${flags.bundle}: ${describeBundleError(e)}\n`);
        done({ exitCode: ExitCode.UNREADABLE });
      } finally {
        bundle?.close();
      }
    });
}
