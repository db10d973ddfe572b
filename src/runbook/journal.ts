/**
 * The write-ahead journal of one run: JSON lines, each appended in full and fsynced before the
 * change it announces. A record counts only with its closing newline: a torn tail (the process
 * died mid-append) is ignored on reading and cut off before the next append, so it can never
 * glue onto a later record. Anything else that does not parse is a corrupt journal.
 *
 * A test-only hook, `KOFF_DOCTOR_TEST_KILL_AFTER=N`, sends SIGKILL to the process right after
 * its N-th journal record is durable, so the crash-safety test can stop a run at every boundary;
 * {@link crashPoint} does the same at named points inside operations.
 */
import { open, readFile } from "node:fs/promises";
import path from "node:path";
import { fsyncDir } from "./durable-fs.js";
import { RunbookError } from "./errors.js";
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

/** Longest record tail searched for the last newline when cutting a torn tail (bytes). */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export class Journal {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** Appends `record` (cutting off a torn tail first) and fsyncs the journal before returning. */
  async append(record: JournalRecord): Promise<void> {
    const line = Buffer.from(`${JSON.stringify({ ...record, at: new Date().toISOString() })}\n`);
    // Opened "r+" and written at explicit positions: a file opened for append cannot be
    // truncated on Windows, and the torn tail must be cut before the new record.
    await (await open(this.file, "a")).close();
    const h = await open(this.file, "r+");
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

  /** All complete records, in order. @throws RunbookError `journal-corrupt`. */
  async read(): Promise<JournalRecord[]> {
    const text = await readFile(this.file, "utf8").catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return "";
      throw e;
    });
    const lines = text.split("\n");
    lines.pop(); // the text after the last newline: empty, or a torn record that never counted
    return lines.map((line, i) => {
      try {
        return JSON.parse(line) as JournalRecord;
      } catch (cause) {
        throw new RunbookError("journal-corrupt", `line ${i + 1} of ${this.file} is not JSON`, {
          path: this.file,
          cause,
        });
      }
    });
  }
}
