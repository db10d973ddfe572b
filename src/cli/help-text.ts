/**
 * The end of each verb's `--help`: examples that run as printed, the exit codes of that verb
 * (docs/exit-codes.md) and the command that prints the documentation.
 */
import type { Command } from "commander";

/**
 * Adds the examples, exit codes and docs command after `cmd`'s `--help`.
 * @param examples - full command lines, each runnable as printed.
 * @param exitCodes - `[code, meaning]` pairs for this verb.
 * @param topic - the `koff-doctor explain` topic that documents the verb.
 */
export function addHelpFooter(
  cmd: Command,
  examples: readonly string[],
  exitCodes: ReadonlyArray<readonly [number, string]>,
  topic: string,
): Command {
  const lines = [
    "",
    "Examples:",
    ...examples.map((e) => `  ${e}`),
    "",
    "Exit codes:",
    ...exitCodes.map(([code, meaning]) => `  ${String(code).padStart(2)}  ${meaning}`),
    "",
    `Documentation: koff-doctor explain ${topic}   (koff-doctor explain --list lists every topic)`,
  ];
  return cmd.addHelpText("after", lines.join("\n"));
}

/** Exit codes every verb shares. */
export const USAGE_AND_INTERNAL = [
  [64, "bad command line"],
  [70, "internal error (please report it)"],
] as const;

/** Each verb's examples, exit codes (docs/exit-codes.md) and documentation topic. */
const FOOTERS: Record<
  string,
  { examples: string[]; exitCodes: ReadonlyArray<readonly [number, string]>; topic: string }
> = {
  check: {
    examples: [
      "koff-doctor check --image /mnt/pc1",
      "koff-doctor check --bundle koff-doctor-bundle.zip --json",
      "koff-doctor check            (on the Windows machine itself)",
    ],
    exitCodes: [
      [0, "no finding of warning or higher"],
      [1, "a warning, nothing worse"],
      [2, "an error or critical finding"],
      [3, "the image, bundle or machine could not be read; a bundle refused or tampered"],
      ...USAGE_AND_INTERNAL,
    ],
    topic: "exit-codes",
  },
  triage: {
    examples: [
      "koff-doctor triage kofmsp32.dll",
      "koff-doctor triage -r /mnt/pc1/Users --image /mnt/pc1",
      "koff-doctor triage --bundle koff-doctor-bundle.zip --sarif",
    ],
    exitCodes: [
      [0, "every file clean"],
      [1, "a file suspicious, none malicious or unreadable"],
      [2, "a file malicious"],
      [3, "a file unreadable or not a PE image, none malicious"],
      ...USAGE_AND_INTERNAL,
    ],
    topic: "verdict",
  },
  collect: {
    examples: ["koff-doctor collect --image /mnt/pc1 --out pc1.zip --redact"],
    exitCodes: [
      [0, "the bundle was written"],
      [3, "the source could not be read or the bundle not written"],
      ...USAGE_AND_INTERNAL,
    ],
    topic: "bundle",
  },
  repair: {
    examples: [
      "koff-doctor repair --image /mnt/pc1",
      "koff-doctor repair --image /mnt/pc1 --step clear-cache --profile Kerio --user alice",
      "koff-doctor repair --image /mnt/pc1 --step clear-cache --profile Kerio --user alice --apply",
      "koff-doctor repair --image /mnt/pc1 --status",
    ],
    exitCodes: [
      [0, "done, or the plan printed"],
      [3, "a damaged journal, or a file operation the system refused"],
      [4, "refused by a precondition; nothing was changed"],
      ...USAGE_AND_INTERNAL,
    ],
    topic: "runbook",
  },
  undo: {
    examples: [
      "koff-doctor undo --image /mnt/pc1",
      "koff-doctor undo 20261121T093000Z-clear-cache-1a2b --image /mnt/pc1",
    ],
    exitCodes: [
      [0, "the run is undone"],
      [
        3,
        "the run's journal is damaged (restore by hand: koff-doctor explain restoring-a-damaged-run-by-hand)",
      ],
      [4, "nothing to do (no run left to undo), or refused; nothing was changed"],
      ...USAGE_AND_INTERNAL,
    ],
    topic: "runbook",
  },
  explain: {
    examples: [
      "koff-doctor explain cache-db-invalid",
      "koff-doctor explain clear-cache",
      "koff-doctor explain --list",
    ],
    exitCodes: [
      [0, "printed"],
      [3, "the documentation is missing from this installation"],
      ...USAGE_AND_INTERNAL,
    ],
    topic: "architecture",
  },
  events: {
    examples: ["koff-doctor events Application.evtx --jsonl --id 1000 --since 2024-01-01T00:00:00Z"],
    exitCodes: [
      [0, "every log was read (anomalies are reported on stderr)"],
      [3, "a file is not an event log or cannot be read"],
      ...USAGE_AND_INTERNAL,
    ],
    topic: "evtx",
  },
  fleet: {
    examples: [
      "koff-doctor fleet ingest reports/ --db pglite:./koff-fleet-db",
      "koff-doctor fleet summary --db pglite:./koff-fleet-db --not-seen-since 2024-01-01",
    ],
    exitCodes: [
      [0, "every report was ingested, or the summary printed"],
      [3, "a report was skipped (named on stderr), or the database could not be opened"],
      ...USAGE_AND_INTERNAL,
    ],
    topic: "fleet",
  },
};

/**
 * Adds {@link FOOTERS} to the `--help` of each registered verb that has one, and of its
 * subcommands (`fleet ingest`, `fleet summary`), which share their verb's footer.
 */
export function addHelpFooters(program: Command): void {
  for (const cmd of program.commands) {
    const f = FOOTERS[cmd.name()];
    if (!f) continue;
    for (const c of [cmd, ...cmd.commands]) addHelpFooter(c, f.examples, f.exitCodes, f.topic);
  }
}
