/**
 * `koff-doctor collect [--out FILE.zip] [--redact] [--image DIR] [--at ISO] [--trust FILE]...
 * [--free-space BYTES]`
 *
 * Writes the diagnostics bundle (docs/bundle.md): what `check` read, its results, inventory,
 * logs and system facts, with a manifest. With `--redact`, the local redaction map is written
 * next to the zip (`FILE.zip.redaction-map.json`) and never into it.
 */
import path from "node:path";
import type { Command } from "commander";
import {
  BundleError,
  collectBundle,
  ExitCode,
  formatCommand,
  shellStyleOf,
  writeBundle,
} from "../../index.js";
import type { CommandResult } from "../command-result.js";
import type { CliIo } from "../io.js";
import { checkTrustFiles, collect, outputTargetProblem, parseAt, parseByteCount } from "../options.js";
import { bundleRefused, checkCliSourceSupported, openCliSource, sourceSpec } from "../source-options.js";
import { printable } from "../terminal-text.js";

interface CollectFlags {
  out?: string;
  redact?: boolean;
  image?: string;
  at?: Date;
  trust: string[];
  freeSpace?: number;
}

/** `koff-doctor-bundle-20261121T093000Z.zip` for `now`. */
export function defaultBundleName(now: Date): string {
  return `koff-doctor-bundle-${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}.zip`;
}

export function registerCollectCommand(program: Command, io: CliIo, done: (r: CommandResult) => void): void {
  program
    .command("collect")
    .description(
      "write a diagnostics bundle (zip) for escalation: check results, inventory, logs, registry exports",
    )
    .option("--out <file.zip>", "where to write the bundle (default: koff-doctor-bundle-<time>.zip here)")
    .option("--redact", "replace user names, e-mail addresses, host and domain names (mapping kept locally)")
    .option("--image <dir>", "root of a mounted or copied Windows system volume")
    .option("--at <iso-8601>", "verify signatures as of this time instead of now", parseAt)
    .option("--trust <file>", "also trust the certificates in FILE (PEM or DER); repeatable", collect, [])
    .option("--free-space <bytes>", "free bytes on the image's system volume, when known", parseByteCount)
    .action(async (flags: CollectFlags) => {
      const spec = sourceSpec(flags);
      const liveHint = "pass --image DIR to collect from a mounted Windows image";
      // Off Windows without --image nothing else matters: refused before the other checks.
      checkCliSourceSupported(spec, liveHint);
      const createdAt = new Date();
      const out = path.resolve(io.cwd, flags.out ?? defaultBundleName(createdAt));
      await checkTrustFiles(flags.trust);
      // A folder, FIFO or device at --out is refused before collecting (the bundle could not be written).
      const target = await outputTargetProblem(out);
      if (target !== undefined) {
        io.stderr(`koff-doctor: --out ${printable(target.path)}: ${target.code}: ${target.reason}\n`);
        done({ exitCode: ExitCode.UNREADABLE });
        return;
      }
      // Image, or live (Windows): files, registry (reg.exe), event logs (wevtutil) of this machine.
      const source = await openCliSource(spec, liveHint);
      const sourcePaths = flags.image === undefined ? [] : [path.resolve(io.cwd, flags.image)];
      try {
        const bundle = await collectBundle(source.snapshot, {
          at: flags.at,
          trustFiles: flags.trust,
          redact: flags.redact === true,
          sourcePaths,
          createdAt,
        });
        const written = await writeBundle(out, bundle);
        io.stdout(`wrote ${written.file} (${written.members} members, ${written.size} bytes)\n`);
        for (const n of bundle.manifest.notes) io.stdout(`  note: ${n}\n`);
        if (written.redactionMap)
          io.stdout(
            `redaction map (keep it local, never send it): ${written.redactionMap} (${bundle.redaction?.entries.length ?? 0} values)\n`,
          );
        io.stdout(
          `next: ${formatCommand(["check", "--bundle", written.file], shellStyleOf(process.platform))}\n`,
        );
        done({ exitCode: ExitCode.OK });
      } catch (e) {
        if (!(e instanceof BundleError)) throw e;
        done({ exitCode: bundleRefused(e, undefined, io) });
      } finally {
        source.close();
      }
    });
}
