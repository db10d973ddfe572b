/**
 * `koff-doctor explain ID` / `koff-doctor explain --list`
 *
 * Prints the doc page of a check (docs/checks/ID.md), a runbook step, a triage indicator, a whole
 * page (`runbook`, `exit-codes`) or a section (`damaged-runs`), from the docs shipped in the
 * package, so a printed `more: koff-doctor explain ID` works where the repository is not. An
 * unknown ID is a usage error (64) naming the close matches. Not to be confused with
 * `triage --explain`, which lists the signature verification steps of each file.
 */
import type { Command } from "commander";
import { ExitCode } from "../../index.js";
import type { CommandResult } from "../command-result.js";
import { closeMatches, docTopics, type DocTopic } from "../docs/doc-topics.js";
import { bundledDocs, packageRoot, readPackageDocs } from "../docs/package-docs.js";
import type { CliIo } from "../io.js";
import { UsageError } from "../usage-error.js";

const LIST_HEADINGS: Array<[DocTopic["kind"], string]> = [
  ["check", "Checks"],
  ["step", "Runbook steps"],
  ["indicator", "Triage indicators"],
  ["page", "Pages"],
];

function renderList(topics: DocTopic[]): string {
  const lines: string[] = [];
  for (const [kind, title] of LIST_HEADINGS) {
    lines.push(`${title}:`);
    for (const t of topics.filter((x) => x.kind === kind)) lines.push(`  ${t.id}`);
    lines.push("");
  }
  lines.push("Any section heading of a page works too, as its anchor: koff-doctor explain damaged-runs");
  return `${lines.join("\n")}\n`;
}

export function registerExplainCommand(program: Command, io: CliIo, done: (r: CommandResult) => void): void {
  program
    .command("explain")
    .description("print the documentation of a check, runbook step, triage indicator or docs page")
    .argument("[id]", "e.g. cache-db-invalid, clear-cache, signature, exit-codes, damaged-runs")
    .option("--list", "list every topic")
    .action(async (id: string | undefined, flags: { list?: boolean }) => {
      if (id === undefined && !flags.list)
        throw new UsageError("explain needs a topic ID; koff-doctor explain --list lists them");
      const bundled = bundledDocs();
      const root = bundled ? undefined : packageRoot();
      const pages = bundled ?? (root === undefined ? new Map<string, string>() : await readPackageDocs(root));
      if (pages.size === 0) {
        io.stderr(
          `koff-doctor: the documentation is not in this installation (looked for ${root ?? "the package root"}/docs)\n`,
        );
        done({ exitCode: ExitCode.UNREADABLE });
        return;
      }
      const topics = docTopics(pages);
      if (flags.list) {
        io.stdout(renderList(topics));
        done({ exitCode: ExitCode.OK });
        return;
      }
      const wanted = id!.trim().toLowerCase();
      const topic = topics.find((t) => t.id === wanted);
      if (!topic) {
        const near = closeMatches(
          wanted,
          topics.map((t) => t.id),
        );
        throw new UsageError(
          `no topic ${JSON.stringify(id)}${near.length > 0 ? `; did you mean ${near.join(", ")}?` : ""} (koff-doctor explain --list lists every topic)`,
        );
      }
      io.stdout(`${topic.text.trimEnd()}\n`);
      done({ exitCode: ExitCode.OK });
    });
}
