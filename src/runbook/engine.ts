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
 * Source: PRODUCT.md "Safety contract"; issue "repair and undo".
 */
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { lstat, readdir, statfs } from "node:fs/promises";
import path from "node:path";
import type { CheckReport } from "../app/check-machine.js";
import { checkMachine } from "../app/check-machine.js";
import { loadKnowledge } from "../knowledge/index.js";
import type { Snapshot } from "../snapshot/snapshot.js";
import { dirsBetween, durableWrite, mkdirp, removeEmptyDirs } from "./durable-fs.js";
import { RunbookError } from "./errors.js";
import { Journal } from "./journal.js";
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
import { STEPS } from "./steps/index.js";

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
  return path.join(env.imageRoot, "ProgramData", "koff-doctor", "quarantine");
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
  };
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
      const holders = (await env.snapshot.processes.list()).filter((p) =>
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
  const journal = new Journal(path.join(runsDir(env), runId, "journal.jsonl"));
  const records = await journal.read();
  const head = records[0];
  if (!head || head.type !== "run")
    throw new RunbookError("not-found", `no run ${runId}`, { path: journal.file });
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

/** Past runs, oldest first. */
export async function listRuns(env: RepairEnvironment): Promise<RunStatus[]> {
  const ids = (await readdir(runsDir(env)).catch(() => [] as string[])).sort();
  const out: RunStatus[] = [];
  for (const id of ids) {
    const r = await readRun(env, id).catch(() => undefined);
    if (r) out.push(r.status);
  }
  return out;
}

async function finishRun(
  env: RepairEnvironment,
  journal: Journal,
  header: RunHeader,
  records: JournalRecord[],
): Promise<void> {
  const done = new Set(records.filter((r) => r.type === "done").map((r) => (r as { op: number }).op));
  const begun = new Set(records.filter((r) => r.type === "begin").map((r) => (r as { op: number }).op));
  for (const [i, op] of header.operations.entries()) {
    if (done.has(i)) continue;
    await journal.append({ type: "begin", op: i });
    const result = await perform(op, env.live, begun.has(i));
    await journal.append({ type: "done", op: i, result });
  }
  if (header.quarantine) {
    const manifest = header.operations.filter((op) => op.kind !== "mkdir");
    await durableWrite(
      path.join(runsDir(env), header.runId, "manifest.json"),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
  }
  await journal.append({ type: "complete" });
}

/**
 * Applies one step: resumes an unfinished run of the same step, or plans and runs a new one.
 * @throws RunbookError with a `refused-*` code when a precondition refuses (nothing changed).
 */
export async function applyStep(
  env: RepairEnvironment,
  req: StepRequest,
): Promise<{ status: RunStatus; planned?: PlannedStep; resumed: boolean }> {
  await mkdirp(runsDir(env));
  const lock = await acquireLock(path.join(env.stateDir, "lock"), `repair --step ${req.step}`);
  try {
    const unfinished = (await listRuns(env))
      .filter((r) => r.header.step === req.step && (r.state === "partial" || r.state === "planned"))
      .at(-1);
    if (unfinished) {
      const { journal, records } = await readRun(env, unfinished.header.runId);
      assertHeaderContained(env, unfinished.header, unfinished.header.runId);
      await finishRun(env, journal, unfinished.header, records);
      return { status: (await readRun(env, unfinished.header.runId)).status, resumed: true };
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
    const runDir = path.join(runsDir(env), planned.runId);
    await mkdirp(runDir);
    for (const x of planned.plan.exports) await durableWrite(path.join(runDir, x.name), x.content);
    const quarantine = path.join(quarantineRoot(env), planned.runId);
    const createdDirs = await missingDirs(env.imageRoot ?? volumeRoot(quarantine), quarantine);
    const header = headerOf(env, planned, createdDirs);
    const journal = new Journal(path.join(runDir, "journal.jsonl"));
    await journal.append({ type: "run", header });
    await finishRun(env, journal, header, [{ type: "run", header }]);
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

/** Ancestors of `leaf` under `root` that do not exist yet (the run will create them). */
async function missingDirs(root: string, leaf: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirsBetween(root, leaf)) if (!(await lstat(d).catch(() => undefined))) out.push(d);
  return out;
}

/**
 * Reverts a run (default: the latest one not yet undone), byte for byte: operations in reverse
 * order, then the quarantine folders it created. Idempotent; completes an interrupted undo.
 */
export async function undoRun(env: RepairEnvironment, runId?: string): Promise<RunStatus> {
  await mkdirp(runsDir(env));
  const lock = await acquireLock(path.join(env.stateDir, "lock"), `undo ${runId ?? "latest"}`);
  try {
    if (runId !== undefined && !RUN_ID.test(runId)) throw new RunbookError("usage", `not a run id: ${runId}`);
    const runs = (await listRuns(env)).sort((a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? ""));
    const id = runId ?? runs.filter((r) => r.state !== "undone").at(-1)?.header.runId;
    if (!id) throw new RunbookError("not-found", "no run to undo");
    const { journal, records, status } = await readRun(env, id);
    if (status.state === "undone") return status;
    const header = status.header;
    if (
      header.image !== undefined &&
      env.imageRoot !== undefined &&
      realImage(header.image) !== realImage(env.imageRoot)
    ) {
      throw new RunbookError(
        "usage",
        `run ${id} was made on the image ${header.image}, not ${realImage(env.imageRoot)}`,
      );
    }
    assertHeaderContained(env, header, id);
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

/**
 * A journal is trusted to drive changes only when everything it would write to lies where this
 * tool puts things: quarantine copies and hive backups under this run's quarantine folder, exports
 * under its run folder, and the image (when there is one) the same image.
 * @throws RunbookError `journal-corrupt` otherwise.
 */
function assertHeaderContained(env: RepairEnvironment, header: RunHeader, runId: string): void {
  const under = (child: string, parent: string) =>
    path.resolve(child).startsWith(path.resolve(parent) + path.sep);
  const quarantine = path.join(quarantineRoot(env), header.runId);
  const runDir = path.join(runsDir(env), header.runId);
  const bad = (what: string) =>
    new RunbookError(
      "journal-corrupt",
      `run ${header.runId}: ${what} lies outside koff-doctor's folders; not acting on it`,
    );
  if (!RUN_ID.test(header.runId) || header.runId !== runId) throw bad("its id");
  const image = env.imageRoot === undefined ? undefined : realImage(env.imageRoot);
  if (image !== undefined && (header.image === undefined || realImage(header.image) !== image))
    throw bad("its image");
  // Image mode: everything a run touches lies inside the image; live mode relies on the state
  // folder being writable by administrators only (securePrivateDir).
  const inImage = (p: string) => image === undefined || under(p, image);
  for (const op of header.operations) {
    if (op.kind === "move" && (!under(op.to, quarantine) || !inImage(op.from))) throw bad(op.from);
    if (op.kind === "hive-edit" && (!under(op.backup, quarantine) || !inImage(op.hive))) throw bad(op.hive);
    if (op.kind === "mkdir" && !inImage(op.path)) throw bad(op.path);
    if (op.kind === "reg-delete-key" && !under(op.exportFile, runDir)) throw bad(op.exportFile);
    if (
      image !== undefined &&
      (op.kind === "reg-delete-key" || op.kind === "reg-delete-value" || op.kind === "defender-exclusion")
    ) {
      throw bad(`a live-mode operation in an image run (${op.kind})`);
    }
  }
}

/** Run ids are generated as `<UTC time>-<step>-<4 hex>`; nothing else is a path under runs/. */
const RUN_ID = /^\d{8}T\d{6}Z-[a-z-]+-[0-9a-f]{4}$/;

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
