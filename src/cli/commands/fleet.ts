/**
 * `koff-doctor fleet ingest PATH... [--db URL] [--at ISO]` and
 * `koff-doctor fleet summary [--db URL] [--json | --html [FILE]] [--not-seen-since ISO]`.
 *
 * Ingest reads host reports (`check --json` output), JSON Lines of them and diagnostics bundles,
 * or folders of them, into the fleet store: PostgreSQL (`--db postgres://…`) or, by default, an
 * embedded PGlite database in `./koff-fleet-db`. A report that cannot be used is named on stderr
 * and skipped (exit 3 at the end); the others are ingested. docs/fleet.md.
 */
import path from "node:path";
import type { Command } from "commander";
import {
  DEFAULT_FLEET_DB,
  ExitCode,
  FleetDbError,
  fleetSummary,
  ingestReports,
  inputsOfFile,
  openFleetDb,
  renderFleetHtml,
  renderFleetText,
  type FleetDb,
  type IngestInput,
} from "../../index.js";
import type { CommandResult } from "../command-result.js";
import { expandInputs } from "../input-files.js";
import type { CliIo } from "../io.js";
import { parseAt, writeReport } from "../options.js";
import { UsageError } from "../usage-error.js";
import { printable } from "../terminal-text.js";

/** Files a folder contributes: host reports, JSON Lines and bundles. */
const INGESTIBLE = new Set([".json", ".jsonl", ".zip"]);

/** The inputs of every path argument, in argument order (folders walked, sorted by name). */
async function* inputsOf(
  paths: string[],
  cwd: string,
  at: Date | undefined,
  skip: (origin: string, reason: string) => void,
): AsyncGenerator<IngestInput> {
  for (const arg of paths) {
    for (const f of await expandInputs([path.resolve(cwd, arg)], true, INGESTIBLE)) {
      if (f.problem) {
        skip(f.path, `${f.problem.code}: ${f.problem.message}`);
        continue;
      }
      yield* await inputsOfFile(f.path, { at });
    }
  }
}

async function withDb<T>(
  url: string,
  cwd: string,
  io: CliIo,
  work: (db: FleetDb) => Promise<T>,
): Promise<T | number> {
  let db: FleetDb;
  try {
    db = await openFleetDb(url, cwd);
  } catch (e) {
    if (!(e instanceof FleetDbError)) throw e;
    io.stderr(`koff-doctor: --db: ${e.code}: ${e.message}\n`);
    return e.code === "bad-db-url" ? ExitCode.USAGE : ExitCode.UNREADABLE;
  }
  try {
    return await work(db);
  } catch (e) {
    // The database failed mid-way (a lost connection): said in one line, as when it cannot open.
    if (!(e instanceof FleetDbError)) throw e;
    io.stderr(`koff-doctor: --db: ${e.code}: ${e.message}\n`);
    return ExitCode.UNREADABLE;
  } finally {
    await db.close().catch(() => undefined);
  }
}

export function registerFleetCommand(program: Command, io: CliIo, done: (r: CommandResult) => void): void {
  const fleet = program
    .command("fleet")
    .description("load host reports into PostgreSQL and summarise the fleet");
  fleet
    .command("ingest")
    .description("ingest host reports (check --json), JSON Lines of them, bundles, or folders of them")
    .argument("<path...>", "report .json, .jsonl, bundle .zip, or a folder of them")
    .option("--db <url>", "postgres://USER@HOST/DB, or pglite:DIR (embedded)", DEFAULT_FLEET_DB)
    .option("--at <iso-8601>", "for bundles: verify signatures as of this time instead of now", parseAt)
    .action(async (paths: string[], flags: { db: string; at?: Date }) => {
      const code = await withDb(flags.db, io.cwd, io, async (db) => {
        const skip = (origin: string, reason: string) =>
          io.stderr(`koff-doctor: skipped ${printable(origin)}: ${reason}\n`);
        const earlySkips: string[] = [];
        const r = await ingestReports(
          db,
          inputsOf(paths, io.cwd, flags.at, (o, why) => {
            earlySkips.push(o);
            skip(o, why);
          }),
          { onSkip: skip },
        );
        const skipped = r.skipped.length + earlySkips.length;
        io.stdout(
          `ingested ${r.ingested} run(s) into ${db.describe}; ${r.duplicates} already there; ${skipped} skipped` +
            (r.migrated.length > 0 ? `; migrated to schema ${r.migrated.at(-1)}` : "") +
            "\n",
        );
        return skipped > 0 ? ExitCode.UNREADABLE : ExitCode.OK;
      });
      done({ exitCode: code });
    });
  fleet
    .command("summary")
    .description("hosts per finding, versions, provider DLL hashes, hosts not seen since a date")
    .option("--db <url>", "postgres://USER@HOST/DB, or pglite:DIR (embedded)", DEFAULT_FLEET_DB)
    .option("--json", "print one JSON document")
    .option("--html [file]", "a self-contained HTML page, to FILE or stdout")
    .option("--not-seen-since <iso-8601>", "also list hosts whose last report is older", parseAt)
    .action(async (flags: { db: string; json?: boolean; html?: string | true; notSeenSince?: Date }) => {
      if (flags.json && flags.html !== undefined) throw new UsageError("--json and --html are exclusive");
      const code = await withDb(flags.db, io.cwd, io, async (db) => {
        const s = await fleetSummary(db, { notSeenSince: flags.notSeenSince });
        if (flags.json) io.stdout(`${JSON.stringify(s, null, 2)}\n`);
        else if (typeof flags.html === "string")
          await writeReport(path.resolve(io.cwd, flags.html), renderFleetHtml(s));
        else io.stdout(flags.html ? renderFleetHtml(s) : renderFleetText(s));
        return ExitCode.OK;
      });
      done({ exitCode: code });
    });
}
