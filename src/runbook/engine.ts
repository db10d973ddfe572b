/**
 * The runbook engine: plans a step, checks the safety preconditions, applies the plan under a
 * lock with a write-ahead journal, resumes a run that was killed, and undoes runs byte for byte.
 *
 * Journal protocol (one file per run, every record fsynced before the next action):
 *   run(header with every operation) → [begin(i) → change → done(i)]* → complete
 *   undo-begin → [undo-op(i) → revert → undo-op-done(i)]* (reverse order) → undone
 * Operations are idempotent and judged from the disk (see operations.ts), so a crash between any
 * two records is completed by re-running the step and reverted by `undo`.
 *
 * Source: docs/runbook.md ("Safety contract, and how each promise is kept", "Damaged runs"); fsync(2)
 * (https://man7.org/linux/man-pages/man2/fsync.2.html).
 */
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { lstat, readdir, statfs } from "node:fs/promises";
import path from "node:path";
import { READ_LIMITS } from "../limits.js";
import type { CheckReport } from "../app/check-machine.js";
import { checkMachine } from "../app/check-machine.js";
import { loadKnowledge } from "../knowledge/index.js";
import { formatCommand, shellStyleOf, sourceArgs, type CommandSource } from "../report/next-step.js";
import type { Snapshot } from "../ports/snapshot.js";
import { dirsBetween, durableWrite, mkdirp, removeEmptyDirs } from "./durable-fs.js";
import { RunbookError, type RunbookErrorCode } from "./errors.js";
import { Journal } from "./journal.js";
import { checkOperation } from "./journal-schema.js";
import { acquireLock } from "./lock.js";
import type {
  JournalRecord,
  Operation,
  RunHeader,
  RunStatus,
  StepContext,
  StepId,
  StepPlan,
} from "./model.js";
import { STEP_IDS } from "./model.js";
import { perform, requireHivexregedit, revert, type LiveTools } from "./operations.js";
import { RUN_ID, RunContainment } from "./run-containment.js";
import { STEPS } from "./steps/index.js";
import { readUserFile } from "../util/safe-file.js";

/** Margin of free space kept for the journal, manifests and exports, in bytes. */
const SPACE_MARGIN = 4 * 1024 * 1024;

export interface RepairEnvironment {
  snapshot: Snapshot;
  /** Host path of the image root (image mode). */
  imageRoot?: string;
  /** Where journals, exports and the lock live (outside the image). */
  stateDir: string;
  trustFiles?: string[];
  at?: Date;
  /** Free bytes on the volume holding `hostPath` (default: statfs). Injected by tests. */
  freeBytes?: (hostPath: string) => Promise<number | undefined>;
  /** Quarantine root on the data's volume; default `<image>/ProgramData/koff-doctor/quarantine`. */
  quarantineRoot?: string;
  /** Live mode: how registry and Defender operations run their commands. */
  live?: LiveTools;
}

export interface StepRequest {
  step: StepId;
  profile?: string;
  user?: string;
}

/** A planned step, ready to show or apply. */
export interface PlannedStep {
  step: StepId;
  kind: "acting" | "guided";
  title: string;
  plan: StepPlan;
  /** Set when a precondition refuses the step (nothing will be changed). */
  refusal?: RunbookError;
  /** Notes about preconditions that could not be judged in this mode. */
  notes: string[];
}

const defaultFreeBytes = async (p: string): Promise<number | undefined> => {
  const s = await statfs(p).catch(() => undefined);
  return s ? s.bavail * s.bsize : undefined;
};

function runsDir(env: RepairEnvironment): string {
  return path.join(env.stateDir, "runs");
}

function quarantineRoot(env: RepairEnvironment): string {
  if (env.quarantineRoot) return env.quarantineRoot;
  if (!env.imageRoot)
    throw new RunbookError("usage", "acting steps are implemented for --image mode in this version");
  return path.join(realImage(env.imageRoot), "ProgramData", "koff-doctor", "quarantine");
}

/** The containment checks of run `runId` (see run-containment.ts). */
function containment(env: RepairEnvironment, runId: string): Promise<RunContainment> {
  return RunContainment.of({
    runId,
    image: env.imageRoot === undefined ? undefined : realImage(env.imageRoot),
    quarantineRoot: quarantineRoot(env),
    stateDir: path.resolve(env.stateDir),
    runDir: path.join(path.resolve(runsDir(env)), runId),
  });
}

async function context(
  env: RepairEnvironment,
  facts: CheckReport["facts"],
  req: StepRequest,
  runId: string,
): Promise<StepContext> {
  const fs = env.snapshot.fs;
  return {
    snapshot: env.snapshot,
    facts,
    knowledge: loadKnowledge(),
    hostPath: async (w) => fs.hostPath?.(w),
    quarantine: path.join(quarantineRoot(env), runId),
    runDir: path.join(runsDir(env), runId),
    profile: req.profile,
    user: req.user,
    command: (argv) =>
      formatCommand([...argv, ...sourceArgs(commandSource(env))], shellStyleOf(process.platform)),
  };
}

/** The source a printed command names: the image's real root, or the live machine. */
export function commandSource(env: Pick<RepairEnvironment, "imageRoot">): CommandSource {
  return env.imageRoot === undefined ? { mode: "live" } : { mode: "image", image: realImage(env.imageRoot) };
}

/** Checks the safety preconditions shared by acting steps. */
async function preconditions(
  env: RepairEnvironment,
  step: StepId,
  report: CheckReport,
  plan: StepPlan,
): Promise<{ refusal?: RunbookError; notes: string[] }> {
  const notes: string[] = [];
  const def = STEPS[step];
  if (def.kind === "guided") return { notes };
  if (step !== "rule-out-infection") {
    const bad = report.facts.triage.filter((t) => t.verdict === "malicious");
    if (bad.length > 0) {
      return {
        notes,
        refusal: new RunbookError(
          "refused-malicious",
          `${bad.map((t) => t.windowsPath).join(", ")} triage${bad.length === 1 ? "s" : ""} malicious; run koff-doctor repair --step rule-out-infection first`,
          { evidence: bad.map((t) => ({ path: t.windowsPath, sha256: t.sha256, verdict: t.verdict })) },
        ),
      };
    }
  }
  if (def.touchesCache && plan.operations.length > 0) {
    if (env.snapshot.processes) {
      const k = loadKnowledge();
      const listed = await env.snapshot.processes.list().catch((e: Error) => e);
      if (listed instanceof Error) {
        // A process list that could not be read (or a stub's silence) proves nothing is running.
        return {
          notes,
          refusal: new RunbookError(
            "refused-locked",
            `cannot tell whether Outlook or ${k.backendProcess} holds the KOFF cache: ${listed.message}`,
          ),
        };
      }
      const holders = listed.filter((p) =>
        ["outlook.exe", k.backendProcess.toLowerCase()].includes(p.image.toLowerCase()),
      );
      if (holders.length > 0) {
        return {
          notes,
          refusal: new RunbookError(
            "refused-locked",
            `${holders.map((p) => `${p.image} (pid ${p.pid})`).join(", ")} hold${holders.length === 1 ? "s" : ""} the KOFF cache; close Outlook and wait for KoffBackend.exe to exit`,
            { evidence: holders },
          ),
        };
      }
    } else {
      notes.push(`${env.snapshot.mode} mode: no process can hold the cache of an offline image`);
    }
  }
  if (plan.operations.length > 0) {
    const needed =
      SPACE_MARGIN +
      (
        await Promise.all(
          plan.operations.map(async (op) => (op.kind === "hive-edit" ? 2 * (await lstat(op.hive)).size : 0)),
        )
      ).reduce((a, b) => a + b, 0);
    const free = await (env.freeBytes ?? defaultFreeBytes)(env.imageRoot ?? volumeRoot(quarantineRoot(env)));
    if (free === undefined) notes.push("free disk space is unknown");
    else if (free < needed) {
      return {
        notes,
        refusal: new RunbookError(
          "refused-disk-space",
          `${free} bytes free on the image's volume, ${needed} needed for backups and the journal`,
          {
            evidence: { free, needed },
          },
        ),
      };
    }
  }
  if (plan.operations.some((op) => op.kind === "hive-edit")) {
    try {
      await requireHivexregedit();
    } catch (e) {
      return { notes, refusal: e as RunbookError };
    }
  }
  return { notes };
}

function newRunId(step: StepId): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${t}-${step}-${randomBytes(2).toString("hex")}`;
}

/** Plans `req` against a fresh check of the snapshot; never changes anything. */
export async function planStep(
  env: RepairEnvironment,
  req: StepRequest,
  report?: CheckReport,
  runId = newRunId(req.step),
): Promise<PlannedStep & { report: CheckReport; runId: string }> {
  const def = STEPS[req.step];
  if (!def) throw new RunbookError("usage", `unknown step ${req.step}; steps: ${STEP_IDS.join(", ")}`);
  const rep = report ?? (await checkMachine(env.snapshot, { trustFiles: env.trustFiles, at: env.at }));
  const ctx = await context(env, rep.facts, req, runId);
  let plan: StepPlan;
  try {
    plan = await def.plan(ctx);
  } catch (e) {
    if (e instanceof RunbookError) {
      return {
        step: req.step,
        kind: def.kind,
        title: def.title,
        plan: { operations: [], warnings: [], guidance: [], exports: [] },
        refusal: e,
        notes: [],
        report: rep,
        runId,
      };
    }
    throw e;
  }
  const { refusal, notes } = await preconditions(env, req.step, rep, plan);
  return { step: req.step, kind: def.kind, title: def.title, plan, refusal, notes, report: rep, runId };
}

/** The ladder the current findings call for: rule-out-infection first, then remedies in ladder order. */
export async function planLadder(
  env: RepairEnvironment,
): Promise<{ report: CheckReport; steps: Array<PlannedStep & { findings: string[] }> }> {
  const report = await checkMachine(env.snapshot, { trustFiles: env.trustFiles, at: env.at });
  const wanted = new Map<StepId, string[]>([["rule-out-infection", []]]);
  for (const f of report.findings) {
    if (f.remedy) wanted.set(f.remedy, [...(wanted.get(f.remedy) ?? []), f.id]);
  }
  const steps: Array<PlannedStep & { findings: string[] }> = [];
  for (const id of STEP_IDS) {
    if (!wanted.has(id)) continue;
    const { report: _report, runId: _runId, ...planned } = await planStep(env, { step: id }, report);
    steps.push({ ...planned, findings: [...new Set(wanted.get(id))] });
    if (id === "rule-out-infection" && planned.refusal?.code === "refused-malicious") break; // the ladder stops here
  }
  return { report, steps };
}

async function readRun(
  env: RepairEnvironment,
  runId: string,
): Promise<{ journal: Journal; records: JournalRecord[]; status: RunStatus }> {
  const dir = path.join(runsDir(env), runId);
  const info = await lstat(dir).catch(() => undefined);
  if (!info) throw new RunbookError("not-found", `no run ${runId}`, { path: dir });
  const journal = new Journal(path.join(dir, "journal.jsonl"));
  if (!info.isDirectory())
    throw new RunbookError("journal-corrupt", `the run folder ${dir} is not a folder (a link?)`, {
      path: dir,
    });
  const records = await journal.read();
  const head = records[0];
  if (!head || head.type !== "run")
    throw new RunbookError("journal-corrupt", `${journal.file} has no run header (truncated or missing)`, {
      path: journal.file,
    });
  const has = (t: JournalRecord["type"]) => records.some((r) => r.type === t);
  const opsDone = new Set(records.filter((r) => r.type === "done").map((r) => (r as { op: number }).op)).size;
  const state: RunStatus["state"] = has("undone")
    ? "undone"
    : has("undo-begin")
      ? "undoing"
      : has("complete")
        ? "complete"
        : records.some((r) => r.type === "begin")
          ? "partial"
          : "planned";
  return {
    journal,
    records,
    status: { header: head.header, state, opsDone, startedAt: head.at, endedAt: records.at(-1)?.at },
  };
}

/**
 * A run whose journal cannot be trusted (truncated header, failed checksum, wrong field types, a
 * path outside koff-doctor's folders), with what can still be read without it. Such a run is
 * listed, never acted on: `undo` refuses it with `journal-corrupt`, and docs/runbook.md says how
 * to restore its quarantined data by hand.
 */
export interface DamagedRun {
  runId: string;
  state: "damaged";
  /** The step, as the run id names it. */
  step: string;
  /** The journal file. */
  journal: string;
  /** Why the journal is not trusted. */
  problem: { code: RunbookErrorCode; message: string };
  /** The run's quarantine folder (its moved files and hive backups), as this tool places it. */
  quarantine?: string;
  /** Whether that folder exists; in image mode a run that changed nothing has none. */
  quarantineExists: boolean;
  /** `manifest.json`: every operation with its files' size and sha256, written before the first change. */
  manifestFile: string;
  /** The manifest's operations, when `manifest.json` reads and has the right shape. */
  manifest?: Operation[];
  /** Why the manifest could not be read, or why it is not to be trusted (it names places outside the run's). */
  manifestProblem?: string;
  /** The run id's time, ISO 8601 (to the second). */
  startedAt: string;
}

/** Largest quarantine `manifest.json` read for `repair --status`, in bytes. */
const MAX_MANIFEST_BYTES = READ_LIMITS.runbookManifestBytes;

async function damagedRun(env: RepairEnvironment, runId: string, e: RunbookError): Promise<DamagedRun> {
  const dir = path.join(runsDir(env), runId);
  let quarantine: string | undefined;
  try {
    quarantine = path.join(quarantineRoot(env), runId);
  } catch {
    quarantine = undefined;
  }
  const quarantineExists =
    quarantine !== undefined && (await lstat(quarantine).catch(() => undefined))?.isDirectory() === true;
  const manifestFile = path.join(dir, "manifest.json");
  let manifest: Operation[] | undefined;
  let manifestProblem: string | undefined;
  try {
    // A FIFO or device planted as the manifest is refused unread (a plain read would block).
    const bytes = await readUserFile(manifestFile, { maxBytes: MAX_MANIFEST_BYTES });
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (!Array.isArray(parsed)) throw new Error("not a list of operations");
    manifest = parsed.map((op, i) => checkOperation(op, `${manifestFile}, entry ${i}`));
  } catch (cause) {
    manifestProblem = `unreadable: ${(cause as Error).message}`;
  }
  // The manifest is no more trusted than the journal: one that names places outside the run's
  // own (an edited manifest) is listed with that warning, for whoever restores by hand.
  if (manifest) {
    try {
      const guard = await containment(env, runId);
      for (let i = 0; i < manifest.length; i++) await guard.checkOperation(manifest, i);
    } catch (cause) {
      if (!(cause instanceof RunbookError)) throw cause;
      manifestProblem = `not to be trusted (${cause.code}): ${cause.message}`;
    }
  }
  const t = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(runId)!;
  return {
    runId,
    state: "damaged",
    step: runId.slice(17, -5),
    journal: path.join(dir, "journal.jsonl"),
    problem: { code: e.code, message: e.message },
    quarantine,
    quarantineExists,
    manifestFile,
    manifest,
    manifestProblem,
    startedAt: `${t[1]}-${t[2]}-${t[3]}T${t[4]}:${t[5]}:${t[6]}Z`,
  };
}

/** The error `undo` of a damaged run exits with: `journal-corrupt`, naming the quarantined data. */
function damagedError(d: DamagedRun, prefix = ""): RunbookError {
  const where = d.quarantine
    ? d.quarantineExists
      ? `its quarantined data is in ${d.quarantine}`
      : `it has no quarantine folder (${d.quarantine}), so it moved nothing into quarantine`
    : "its quarantine folder is unknown";
  return new RunbookError(
    "journal-corrupt",
    `${prefix}run ${d.runId} has a damaged journal (${d.problem.message}); nothing was changed. ${where}; the manifest is ${d.manifestFile}${d.manifestProblem ? ` (${d.manifestProblem})` : ""}. Restore by hand: koff-doctor explain restoring-a-damaged-run-by-hand`,
    { path: d.quarantine ?? d.journal, evidence: d },
  );
}

/**
 * Every run in the state folder, oldest first: those whose journal reads, and the damaged ones
 * (never dropped). Folders under `runs/` not named like a run id are not runs (a run folder
 * renamed after a by-hand restore leaves the list this way).
 */
export async function surveyRuns(
  env: RepairEnvironment,
): Promise<{ runs: RunStatus[]; damaged: DamagedRun[] }> {
  const ids = (await readdir(runsDir(env)).catch(() => [] as string[]))
    .filter((id) => RUN_ID.test(id))
    .sort();
  const runs: RunStatus[] = [];
  const damaged: DamagedRun[] = [];
  const image = env.imageRoot === undefined ? undefined : realImage(env.imageRoot);
  for (const id of ids) {
    try {
      const { status } = await readRun(env, id);
      // A journal that reads but names a place that is not its own is damaged (edited) as well;
      // another image's runs are not judged here (`undo` refuses them as usage errors).
      if (status.header.image === image) {
        await (await containment(env, id)).checkHeader(status.header).catch((e: unknown) => {
          if (e instanceof RunbookError && e.code === "journal-corrupt") throw e;
        });
      }
      runs.push(status);
    } catch (e) {
      if (!(e instanceof RunbookError) || (e.code !== "journal-corrupt" && e.code !== "not-found")) throw e;
      damaged.push(await damagedRun(env, id, e));
    }
  }
  return { runs, damaged };
}

/** Past runs whose journals read, oldest first (see {@link surveyRuns} for the damaged ones). */
export async function listRuns(env: RepairEnvironment): Promise<RunStatus[]> {
  return (await surveyRuns(env)).runs;
}

async function finishRun(
  env: RepairEnvironment,
  journal: Journal,
  header: RunHeader,
  records: JournalRecord[],
  guard: RunContainment,
): Promise<void> {
  const done = new Set(records.filter((r) => r.type === "done").map((r) => (r as { op: number }).op));
  const begun = new Set(records.filter((r) => r.type === "begin").map((r) => (r as { op: number }).op));
  for (const [i, op] of header.operations.entries()) {
    if (done.has(i)) continue;
    await guard.checkOperation(header.operations, i); // the disk as it is now, right before acting
    await journal.append({ type: "begin", op: i });
    const result = await perform(op, env.live, begun.has(i));
    await journal.append({ type: "done", op: i, result });
  }
  await journal.append({ type: "complete" });
}

/**
 * Applies one step: resumes an unfinished run of the same step, or plans and runs a new one.
 * Every path the run names is checked first (run-containment.ts), and again before each operation.
 * @throws RunbookError with a `refused-*` code when a precondition refuses (nothing changed),
 *   `refused-symlink` when a symbolic link in the image leads a path out of it, `journal-corrupt`
 *   when an unfinished run's journal names a path outside koff-doctor's folders.
 */
export async function applyStep(
  env: RepairEnvironment,
  req: StepRequest,
): Promise<{ status: RunStatus; planned?: PlannedStep; resumed: boolean }> {
  await mkdirp(runsDir(env));
  const lock = await acquireLock(path.join(env.stateDir, "lock"), `repair --step ${req.step}`);
  try {
    const image = env.imageRoot === undefined ? undefined : realImage(env.imageRoot);
    const survey = await surveyRuns(env);
    // A damaged run of this step may have done part of it: it is restored by hand first.
    const damaged = survey.damaged.find((d) => d.step === req.step);
    if (damaged) throw damagedError(damaged, `a run of ${req.step} is damaged; restore it by hand first: `);
    const unfinished = survey.runs
      .filter(
        (r) =>
          r.header.step === req.step &&
          r.header.image === image &&
          (r.state === "partial" || r.state === "planned"),
      )
      .at(-1);
    if (unfinished) {
      const id = unfinished.header.runId;
      const { journal, records } = await readRun(env, id);
      const guard = await containment(env, id);
      await guard.checkHeader(unfinished.header);
      await finishRun(env, journal, unfinished.header, records, guard);
      return { status: (await readRun(env, id)).status, resumed: true };
    }
    const planned = await planStep(env, req);
    if (planned.refusal) throw planned.refusal;
    if (planned.kind === "guided" || planned.plan.operations.length === 0) {
      return {
        status: { header: headerOf(env, planned, []), state: "complete", opsDone: 0 },
        planned,
        resumed: false,
      };
    }
    const quarantine = path.join(quarantineRoot(env), planned.runId);
    const createdDirs = await missingDirs(quarantineBase(env), quarantine);
    const header = headerOf(env, planned, createdDirs);
    const guard = await containment(env, planned.runId);
    await guard.checkHeader(header); // before anything is written: a refusal changes nothing
    const runDir = path.join(runsDir(env), planned.runId);
    await mkdirp(runDir);
    for (const x of planned.plan.exports) await durableWrite(path.join(runDir, x.name), x.content);
    // The manifest goes first, so that a run whose journal is later damaged can still be restored by hand.
    await durableWrite(
      path.join(runDir, "manifest.json"),
      `${JSON.stringify(
        header.operations.filter((op) => op.kind !== "mkdir"),
        null,
        2,
      )}\n`,
    );
    const journal = new Journal(path.join(runDir, "journal.jsonl"));
    await journal.append({ type: "run", header });
    await finishRun(env, journal, header, [{ type: "run", header }], guard);
    return { status: (await readRun(env, planned.runId)).status, planned, resumed: false };
  } finally {
    await lock.release();
  }
}

function headerOf(
  env: RepairEnvironment,
  planned: PlannedStep & { runId?: string },
  createdDirs: string[],
): RunHeader {
  const runId = planned.runId ?? "";
  return {
    runId,
    step: planned.step,
    mode: env.snapshot.mode,
    source: env.snapshot.describe(),
    image: env.imageRoot === undefined ? undefined : realImage(env.imageRoot),
    operations: planned.plan.operations,
    createdDirs,
    quarantine: runId ? path.join(quarantineRoot(env), runId) : "",
    warnings: planned.plan.warnings,
    guidance: planned.plan.guidance,
  };
}

/** The root of the volume holding `p` (`C:\\` on Windows, `/` elsewhere). */
function volumeRoot(p: string): string {
  return path.parse(path.resolve(p)).root;
}

/** Where the folders a run may create start: the image, or (live) the folder holding the quarantine root. */
function quarantineBase(env: RepairEnvironment): string {
  return env.imageRoot === undefined ? path.dirname(quarantineRoot(env)) : realImage(env.imageRoot);
}

/** Ancestors of `leaf` under `root` that do not exist yet (the run will create them). */
async function missingDirs(root: string, leaf: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirsBetween(root, leaf)) if (!(await lstat(d).catch(() => undefined))) out.push(d);
  return out;
}

/** Sort key of a run or damaged run: when it started. */
const startedAt = (r: { startedAt?: string }) => r.startedAt ?? "";

/**
 * Reverts a run (default: the latest one not yet undone), byte for byte: operations in reverse
 * order, then the quarantine folders it created. Completes an interrupted undo. Every path the
 * journal names is checked before the first change and again before each operation.
 * @throws RunbookError `refused-precondition` when there is nothing to undo (no run, or the run is
 *   undone already) or a later run changed the same things; `journal-corrupt` for a damaged run
 *   (naming its quarantine folder) or a journal naming paths outside koff-doctor's folders;
 *   `refused-symlink` when a symbolic link leads a path out of the image; `not-found` / `usage`
 *   for an unknown or malformed run id, or another image's run.
 */
export async function undoRun(env: RepairEnvironment, runId?: string): Promise<RunStatus> {
  await mkdirp(runsDir(env));
  const lock = await acquireLock(path.join(env.stateDir, "lock"), `undo ${runId ?? "latest"}`);
  try {
    if (runId !== undefined && !RUN_ID.test(runId)) throw new RunbookError("usage", `not a run id: ${runId}`);
    const survey = await surveyRuns(env);
    const runs = survey.runs.sort((a, b) => startedAt(a).localeCompare(startedAt(b)));
    const all = [
      ...runs.map((r) => ({ id: r.header.runId, startedAt: startedAt(r), undone: r.state === "undone" })),
      ...survey.damaged.map((d) => ({ id: d.runId, startedAt: d.startedAt, undone: false })),
    ].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const id = runId ?? all.filter((r) => !r.undone).at(-1)?.id;
    if (!id) {
      throw new RunbookError(
        "refused-precondition",
        all.length === 0 ? "no run to undo: nothing to do" : "every run is undone already: nothing to do",
      );
    }
    const damaged = survey.damaged.find((d) => d.runId === id);
    if (damaged) throw damagedError(damaged);
    const { journal, records, status } = await readRun(env, id);
    if (status.state === "undone")
      throw new RunbookError("refused-precondition", `run ${id} is undone already: nothing to do`);
    const header = status.header;
    const image = env.imageRoot === undefined ? undefined : realImage(env.imageRoot);
    if (header.image !== undefined && image !== undefined && header.image !== image) {
      throw new RunbookError("usage", `run ${id} was made on the image ${header.image}, not ${image}`);
    }
    const guard = await containment(env, id);
    await guard.checkHeader(header); // journal-corrupt cases were listed as damaged above
    // A later damaged run may have changed the same things: it is restored by hand first.
    const laterDamaged = survey.damaged.find((d) => d.startedAt > (status.startedAt ?? ""));
    if (laterDamaged)
      throw damagedError(laterDamaged, `undo the later run ${laterDamaged.runId} first, by hand: `);
    // Undo newest first: a later run that touched the same things must be undone before this one.
    const touched = (h: RunHeader) => new Set(h.operations.map(operationTarget));
    const mine = touched(header);
    const later = runs.filter(
      (r) =>
        r.header.runId !== id &&
        r.state !== "undone" &&
        (r.startedAt ?? "") > (status.startedAt ?? "") &&
        [...touched(r.header)].some((t) => mine.has(t)),
    );
    if (later.length > 0) {
      throw new RunbookError(
        "refused-precondition",
        `undo ${later.map((r) => r.header.runId).join(", ")} first: it changed the same files or keys later`,
        {
          evidence: later.map((r) => r.header.runId),
        },
      );
    }
    if (status.state !== "undoing") await journal.append({ type: "undo-begin" });
    const reverted = new Set(
      records.filter((r) => r.type === "undo-op-done").map((r) => (r as { op: number }).op),
    );
    const doneRecords = new Map(records.flatMap((r) => (r.type === "done" ? [[r.op, r] as const] : [])));
    for (let i = header.operations.length - 1; i >= 0; i--) {
      if (reverted.has(i)) continue;
      await guard.checkOperation(header.operations, i); // the disk as it is now, right before acting
      await journal.append({ type: "undo-op", op: i });
      await revert(header.operations[i]!, env.live, doneRecords.get(i));
      await journal.append({ type: "undo-op-done", op: i });
    }
    if (header.quarantine) {
      const ours = await listDirs(header.quarantine);
      await removeEmptyDirs([...ours, header.quarantine, ...header.createdDirs]);
      const left = await readdir(header.quarantine).catch(() => undefined);
      if (left && left.length > 0)
        throw new RunbookError("io", `quarantine ${header.quarantine} is not empty after undo`, {
          path: header.quarantine,
        });
    }
    await journal.append({ type: "undone" });
    return (await readRun(env, id)).status;
  } finally {
    await lock.release();
  }
}

/** What an operation changes (a file path or a registry key), to order undos. */
function operationTarget(op: Operation): string {
  switch (op.kind) {
    case "move":
    case "mkdir":
      return op.windowsPath.toLowerCase();
    case "hive-edit":
      return op.hive;
    case "reg-delete-key":
    case "reg-delete-value":
      return op.key.toLowerCase();
    case "defender-exclusion":
      return `defender:${op.path.toLowerCase()}`;
  }
}

/** The resolved real path of an image root (how runs name their image). */
function realImage(root: string): string {
  try {
    return realpathSync(path.resolve(root));
  } catch {
    return path.resolve(root);
  }
}

async function listDirs(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) {
        out.push(path.join(d, e.name));
        await walk(path.join(d, e.name));
      }
    }
  };
  await walk(root);
  return out;
}
