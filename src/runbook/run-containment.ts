/**
 * What a run may touch, checked before a journal (or a fresh plan) drives any change:
 *
 * - the header's own fields: its id, its image (the same real image), its quarantine folder
 *   (exactly `<quarantine root>/<run id>`), and the folders it says it created (ancestors of that
 *   quarantine folder, inside the image);
 * - every path each operation names, and the temporary names operations derive from them
 *   (`<hive>.koff-doctor-edit`, `<backup>.partial`): sources and hives inside the image but not in
 *   koff-doctor's own folders, quarantine copies and hive backups inside this run's quarantine
 *   folder, `.reg` exports inside this run's folder; a `mkdir` only recreates what a move of the
 *   same run took away.
 *
 * Each path is checked lexically, then after resolving symbolic links (containment.ts). The
 * engine runs {@link RunContainment.checkHeader} before the first change and
 * {@link RunContainment.checkOperation} again right before each operation is performed or reverted.
 *
 * Source: docs/runbook.md ("Trust: a journal or an image cannot lead repair or undo outside");
 * path_resolution(7) (https://man7.org/linux/man-pages/man7/path_resolution.7.html).
 */
import path from "node:path";
import {
  assertContained,
  containmentRoot,
  isCanonicalPath,
  isStrictlyUnder,
  realPathOfDeepest,
  type ContainmentRoot,
} from "./containment.js";
import { dirsBetween } from "./durable-fs.js";
import { RunbookError } from "./errors.js";
import type { Operation, RunHeader } from "./model.js";

/** Run ids are generated as `<UTC time>-<step>-<4 hex>`; nothing else is a folder under runs/. */
export const RUN_ID = /^\d{8}T\d{6}Z-[a-z-]+-[0-9a-f]{4}$/;

/** Where a run's things belong, as this process computes them (never as the journal says). */
export interface RunPlaces {
  runId: string;
  /** Real path of the image root (image mode). */
  image?: string;
  /** Quarantine folder of all runs: `<image>\ProgramData\koff-doctor\quarantine`, or the live one. */
  quarantineRoot: string;
  /** The state folder (journals, exports, lock). */
  stateDir: string;
  /** This run's folder in the state folder. */
  runDir: string;
}

const corrupt = (runId: string, what: string) =>
  new RunbookError(
    "journal-corrupt",
    `run ${runId}: ${what}; the journal was edited or damaged, not acting on it`,
  );

export class RunContainment {
  private constructor(
    private readonly places: RunPlaces,
    /** The image (image mode) or the folder holding the quarantine root (live mode). */
    private readonly base: ContainmentRoot,
    private readonly image: ContainmentRoot | undefined,
    private readonly quarantine: ContainmentRoot,
    private readonly runDir: ContainmentRoot,
    /** koff-doctor's own folders (quarantine root, state folder), real paths resolved once. */
    private readonly own: readonly ContainmentRoot[],
  ) {}

  /** Resolves the roots once. @throws RunbookError `refused-symlink` for a root whose link leads nowhere. */
  static async of(places: RunPlaces): Promise<RunContainment> {
    const image = places.image === undefined ? undefined : await containmentRoot(places.image, "the image");
    const base =
      image ?? (await containmentRoot(path.dirname(places.quarantineRoot), "koff-doctor's folder"));
    return new RunContainment(
      places,
      base,
      image,
      await containmentRoot(path.join(places.quarantineRoot, places.runId), "the run's quarantine folder"),
      await containmentRoot(places.runDir, "the run's folder"),
      [
        await containmentRoot(places.quarantineRoot, "koff-doctor's quarantine"),
        await containmentRoot(places.stateDir, "koff-doctor's state folder"),
      ],
    );
  }

  /**
   * Checks the header's fields and every operation.
   * @throws RunbookError `journal-corrupt` for a field that names the wrong place, `refused-symlink`
   *   for a path that a symbolic link leads out of its place.
   */
  async checkHeader(header: RunHeader): Promise<void> {
    const { runId } = this.places;
    if (!RUN_ID.test(header.runId) || header.runId !== runId)
      throw corrupt(runId, `its id is ${JSON.stringify(header.runId)}`);
    if (this.places.image !== undefined ? header.image !== this.places.image : header.image !== undefined)
      throw corrupt(runId, `it names the image ${JSON.stringify(header.image)}`);
    if (header.quarantine !== this.quarantine.path)
      throw corrupt(
        runId,
        `its quarantine folder ${JSON.stringify(header.quarantine)} is not ${this.quarantine.path}`,
      );
    // The quarantine folder itself, and every ancestor the run created, inside the image.
    await assertContained(header.quarantine, this.base, `run ${runId}'s quarantine folder`);
    const ancestors = new Set(dirsBetween(this.base.path, this.quarantine.path));
    for (const dir of header.createdDirs) {
      if (!isCanonicalPath(dir) || !ancestors.has(dir))
        throw corrupt(
          runId,
          `it says it created ${JSON.stringify(dir)}, which is not a folder of its quarantine`,
        );
      await assertContained(dir, this.base, `run ${runId}'s created folder`);
    }
    for (let i = 0; i < header.operations.length; i++) await this.checkOperation(header.operations, i);
  }

  /** Checks operation `i` of `operations` (see the module header). */
  async checkOperation(operations: readonly Operation[], i: number): Promise<void> {
    const { runId } = this.places;
    const op = operations[i]!;
    const what = `run ${runId}, operation ${i} (${op.kind})`;
    const inImage = async (p: string, role: string) => {
      if (!isCanonicalPath(p))
        throw corrupt(runId, `${what}: its ${role} ${JSON.stringify(p)} is not an absolute canonical path`);
      for (const own of [this.places.quarantineRoot, this.places.stateDir]) {
        if (p === own || isStrictlyUnder(p, own) || isStrictlyUnder(own, p))
          throw corrupt(
            runId,
            `${what}: its ${role} ${p} is, holds or lies in koff-doctor's own folder ${own}`,
          );
      }
      if (this.image) await assertContained(p, this.image, `${what}: its ${role}`);
      // The same after resolving links: a link in the image may lead into another run's quarantine.
      const real = await realPathOfDeepest(p);
      for (const own of this.own) {
        if (real === own.real || isStrictlyUnder(real, own.real) || isStrictlyUnder(own.real, real))
          throw new RunbookError(
            "refused-symlink",
            `${what}: its ${role} ${p} resolves to ${real}, which is, holds or lies in ${own.name} (${own.real}): a symbolic link leads there; not following it`,
            { path: p, evidence: { resolved: real, root: own.real } },
          );
      }
    };
    const inQuarantine = (p: string, role: string) =>
      assertContained(p, this.quarantine, `${what}: its ${role}`);
    switch (op.kind) {
      case "move":
        await inImage(op.from, "source");
        await inQuarantine(op.to, "quarantine copy");
        return;
      case "hive-edit":
        await inImage(op.hive, "hive");
        await inImage(`${op.hive}.koff-doctor-edit`, "hive's working copy");
        await inQuarantine(op.backup, "hive backup");
        await inQuarantine(`${op.backup}.partial`, "hive backup's partial copy");
        return;
      case "mkdir":
        await inImage(op.path, "folder");
        if (!operations.slice(0, i).some((o) => o.kind === "move" && o.from === op.path))
          throw corrupt(runId, `${what}: ${op.path} is not a folder an earlier move of the run took away`);
        return;
      case "reg-delete-key":
        if (this.image) throw corrupt(runId, `${what}: a live-mode operation in an image run`);
        await assertContained(op.exportFile, this.runDir, `${what}: its export`);
        return;
      case "reg-delete-value":
      case "defender-exclusion":
        if (this.image) throw corrupt(runId, `${what}: a live-mode operation in an image run`);
        return;
    }
  }
}
