/**
 * The runbook's data: operations (the only things that change a machine), run headers, journal
 * records and step definitions. Steps are declarative: a precondition and a pure plan; the engine
 * applies any plan with the same journal, and reverts any run with the same undo.
 *
 * Source: docs/runbook.md ("Steps", "Safety contract, and how each promise is kept").
 */
import type { MachineFacts } from "../check/facts.js";
import type { ConnectorKnowledge } from "../knowledge/index.js";
import type { Snapshot } from "../ports/snapshot.js";
import type { StepId } from "../vocabulary/index.js";
import type { ManifestEntry } from "./durable-fs.js";

/** Step ids are vocabulary shared with `check` (a finding's remedy): defined once, re-exported here. */
export { STEP_IDS, type StepId } from "../vocabulary/index.js";

/** One change. Host paths are absolute paths on this machine; `windowsPath` names them for people. */
export type Operation =
  | {
      kind: "move";
      /** What it is, in plain words. */
      what: string;
      windowsPath: string;
      from: string;
      to: string;
      /** Every file moved, hashed before the move. */
      manifest: ManifestEntry[];
    }
  | {
      kind: "hive-edit";
      what: string;
      /** Registry key changed, e.g. `HKU\alice\Software\…\Profiles\Kerio`. */
      key: string;
      hive: string;
      /** Where the original hive is kept (same volume, so restoring it is one rename). */
      backup: string;
      /** The `.reg` text merged with `hivexregedit --merge --prefix <prefix>`. */
      reg: string;
      prefix: string;
      beforeSha256: string;
    }
  | {
      kind: "mkdir";
      what: string;
      windowsPath: string;
      path: string;
    }
  | {
      /** Live: `reg export KEY FILE` (the backup), then `reg delete KEY /f`; undo: `reg import FILE`. */
      kind: "reg-delete-key";
      what: string;
      key: string;
      /** Where the export is written (the run folder). */
      exportFile: string;
    }
  | {
      /** Live: `reg delete KEY /v NAME /f`; undo re-adds the value with its recorded type and data. */
      kind: "reg-delete-value";
      what: string;
      key: string;
      name: string;
      /** `REG_SZ`, `REG_DWORD`, … and the data as `reg add /d` takes it. */
      type: string;
      data: string;
    }
  | {
      /** Live: `Add-MpPreference -ExclusionPath`; undo: `Remove-MpPreference -ExclusionPath`. */
      kind: "defender-exclusion";
      what: string;
      path: string;
    };

/** What an operation found when it ran, kept in its `done` record for undo. */
export interface OperationResult {
  /** hive-edit: sha256 of the hive right after the edit (undo refuses if the hive changed since). */
  afterSha256?: string;
  /** defender-exclusion: whether this run added it (undo removes only what it added). */
  added?: boolean;
}

/** What a step plans: changes, warnings to show before acting, guidance to follow after. */
export interface StepPlan {
  operations: Operation[];
  warnings: string[];
  /** Instructions for the parts the tool does not do itself (guided steps, server side). */
  guidance: string[];
  /**
   * How `guidance` reads before the step is applied (dry run, ladder), when a line there tells
   * what was done: `Would add …` for `Added …`. Absent when the guidance reads the same.
   */
  preview?: string[];
  /** Backups written to the run's folder before the first change (e.g. `.reg` exports). */
  exports: Array<{ name: string; content: string }>;
  /** For refusals and evidence: anything the step found (e.g. triage verdicts). */
  evidence?: unknown;
}

export interface StepContext {
  snapshot: Snapshot;
  facts: MachineFacts;
  knowledge: ConnectorKnowledge;
  /** Host path of a Windows path in the snapshot (undefined when it does not exist). */
  hostPath(windowsPath: string): Promise<string | undefined>;
  /** Quarantine folder of this run (host path, on the data's volume). */
  quarantine: string;
  /** Folder of this run's journal and exports (outside the data). */
  runDir: string;
  profile?: string;
  user?: string;
  /**
   * A koff-doctor command for this run's source, quoted for the host's shell, to print in
   * guidance: `command(["repair", "--status"])` → `koff-doctor repair --status --image /cases/pc1`.
   */
  command(argv: readonly string[]): string;
}

/** One runbook step; `Id` is its literal id, so the step table can prove each key names its own step. */
export interface StepDefinition<Id extends StepId = StepId> {
  id: Id;
  title: string;
  /** `acting` steps change the machine; `guided` ones print exact instructions. */
  kind: "acting" | "guided";
  /** Why and when, one line. */
  summary: string;
  /** Whether the step touches caches (then Outlook/KoffBackend must not run). */
  touchesCache?: boolean;
  plan(ctx: StepContext): Promise<StepPlan>;
}

/** The header every run's journal starts with. */
export interface RunHeader {
  runId: string;
  step: StepId;
  mode: string;
  source: string;
  /** Image root for image mode. */
  image?: string;
  profile?: string;
  operations: Operation[];
  /** Directories this run creates (quarantine ancestors), removed again by undo when empty. */
  createdDirs: string[];
  quarantine: string;
  warnings: string[];
  guidance: string[];
}

export type JournalRecord = (
  | { type: "run"; header: RunHeader }
  | { type: "begin"; op: number }
  | { type: "done"; op: number; result?: OperationResult }
  | { type: "complete" }
  | { type: "undo-begin" }
  | { type: "undo-op"; op: number }
  | { type: "undo-op-done"; op: number }
  | { type: "undone" }
) & { at?: string };

/** A run's state, derived from its journal. */
export interface RunStatus {
  header: RunHeader;
  state: "planned" | "partial" | "complete" | "undoing" | "undone";
  opsDone: number;
  startedAt?: string;
  endedAt?: string;
}
