/**
 * The write-ahead journal of one run: JSON lines, each appended in full and fsynced before the
 * change it announces. A record counts only with its closing newline: a torn tail (the process
 * died mid-append) is ignored on reading and cut off before the next append, so it can never
 * glue onto a later record. Every complete record ends with `"sum":"<sha256>"`, the sha256 of the
 * record's text without that field, so a flipped bit or an overwritten byte anywhere in a complete
 * record is seen. A line that does not parse, fails its checksum or has fields of the wrong type
 * (journal-schema.ts) makes the journal corrupt. Journals are opened with `O_NOFOLLOW` where the
 * system has it: a journal replaced by a symbolic link is neither read nor appended to.
 *
 * A test-only hook, `KOFF_DOCTOR_TEST_KILL_AFTER=N`, sends SIGKILL to the process right after
 * its N-th journal record is durable, so the crash-safety test can stop a run at every boundary;
 * {@link crashPoint} does the same at named points inside operations.
 */
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { READ_LIMITS } from "../limits.js";
import { fsyncDir } from "./durable-fs.js";
import { RunbookError } from "./errors.js";
import { checkRecords } from "./journal-schema.js";
import type { JournalRecord } from "./model.js";

let recordsWritten = 0;

function killHook(): void {
  const after = Number(process.env["KOFF_DOCTOR_TEST_KILL_AFTER"] ?? 0);
  if (after > 0 && ++recordsWritten === after) process.kill(process.pid, "SIGKILL");
}

/**
 * Test-only hook for crashes *inside* an operation: `KOFF_DOCTOR_TEST_KILL_AT=<label>` sends
 * SIGKILL when the operation reaches that point (e.g. `hive-edit:backed-up`).
 */
export function crashPoint(label: string): void {
  if (process.env["KOFF_DOCTOR_TEST_KILL_AT"] === label) process.kill(process.pid, "SIGKILL");
}

/** `O_NOFOLLOW` where the platform has it (POSIX); 0 on Windows, where the state folder's ACL protects it. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const SUM = /,"sum":"([0-9a-f]{64})"\}$/;

/** One record's line: its JSON with a trailing `"sum"` over the text before it. */
function sealed(record: object): string {
  const body = JSON.stringify(record);
  return `${body.slice(0, -1)},"sum":"${sha256(body)}"}`;
}

/** The record of a sealed line. @throws RunbookError `journal-corrupt`. */
function unseal(line: string, where: string, file: string): unknown {
  const m = SUM.exec(line);
  const body = m ? `${line.slice(0, m.index)}}` : undefined;
  if (!m || body === undefined || sha256(body) !== m[1]) {
    throw new RunbookError("journal-corrupt", `${where} of ${file} fails its checksum (damaged or edited)`, {
      path: file,
    });
  }
  try {
    return JSON.parse(body) as unknown;
  } catch (cause) {
    throw new RunbookError("journal-corrupt", `${where} of ${file} is not JSON`, { path: file, cause });
  }
}

/** Longest record tail searched for the last newline when cutting a torn tail (bytes). */
const MAX_RECORD_BYTES = READ_LIMITS.journalRecordBytes;

export class Journal {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** Appends `record` (cutting off a torn tail first) and fsyncs the journal before returning. */
  async append(record: JournalRecord): Promise<void> {
    const line = Buffer.from(`${sealed({ ...record, at: new Date().toISOString() })}\n`);
    // Opened read-write (created if missing) and written at explicit positions: a file opened for
    // append cannot be truncated on Windows, and the torn tail must be cut before the new record.
    const h = await open(this.file, constants.O_RDWR | constants.O_CREAT | NO_FOLLOW, 0o600).catch(
      (e: NodeJS.ErrnoException) => {
        throw new RunbookError("journal-corrupt", `cannot open ${this.file} for writing: ${e.message}`, {
          path: this.file,
          cause: e,
        });
      },
    );
    let created: boolean | undefined;
    try {
      let { size } = await h.stat();
      created = size === 0;
      if (size > 0) {
        const span = Math.min(size, MAX_RECORD_BYTES);
        const tail = Buffer.alloc(span);
        await h.read(tail, 0, span, size - span);
        if (tail[span - 1] !== 0x0a) {
          const nl = tail.lastIndexOf(0x0a);
          if (nl < 0 && span < size)
            throw new RunbookError("journal-corrupt", `${this.file} ends in an over-long line`, {
              path: this.file,
            });
          size = nl < 0 ? 0 : size - span + nl + 1;
          await h.truncate(size);
        }
      }
      for (let written = 0; written < line.length;) {
        const { bytesWritten } = await h.write(line, written, line.length - written, size + written);
        if (bytesWritten === 0)
          throw new RunbookError("io", `short write to ${this.file}`, { path: this.file });
        written += bytesWritten;
      }
      await h.sync();
    } finally {
      await h.close();
    }
    if (created) await fsyncDir(path.dirname(this.file)); // the journal's own directory entry
    killHook();
  }

  /**
   * All complete records, in order, each checked against its checksum and the record schema.
   * @throws RunbookError `journal-corrupt` (also for a journal that is a symbolic link).
   */
  async read(): Promise<JournalRecord[]> {
    // O_NONBLOCK: a FIFO planted as the journal must not block the open (then refused below).
    const flags = constants.O_RDONLY | NO_FOLLOW | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
    const h = await open(this.file, flags).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return undefined;
      throw new RunbookError("journal-corrupt", `cannot read ${this.file}: ${e.message}`, {
        path: this.file,
        cause: e,
      });
    });
    let text = "";
    if (h) {
      try {
        if (!(await h.stat()).isFile())
          throw new RunbookError("journal-corrupt", `${this.file} is not a regular file; not read`, {
            path: this.file,
          });
        text = await h.readFile("utf8");
      } finally {
        await h.close();
      }
    }
    const lines = text.split("\n");
    lines.pop(); // the text after the last newline: empty, or a torn record that never counted
    return checkRecords(
      lines.map((line, i) => unseal(line, `line ${i + 1}`, this.file)),
      this.file,
    );
  }
}
