/**
 * The write-ahead journal of one run: JSON lines, each appended and fsynced before the change it
 * announces. A torn last line (a crash mid-append) is ignored on reading; anything else that does
 * not parse is a corrupt journal.
 *
 * A test-only hook, `KOFF_DOCTOR_TEST_KILL_AFTER=N`, sends SIGKILL to the process right after
 * its N-th journal record is durable, so the crash-safety test can stop a run at every boundary.
 */
import { open, readFile } from "node:fs/promises";
import { RunbookError } from "./errors.js";
import type { JournalRecord } from "./model.js";

let recordsWritten = 0;

function killHook(): void {
  const after = Number(process.env["KOFF_DOCTOR_TEST_KILL_AFTER"] ?? 0);
  if (after > 0 && ++recordsWritten === after) process.kill(process.pid, "SIGKILL");
}

export class Journal {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** Appends `record` and fsyncs the journal before returning. */
  async append(record: JournalRecord): Promise<void> {
    const h = await open(this.file, "a");
    try {
      await h.write(`${JSON.stringify({ ...record, at: new Date().toISOString() })}\n`);
      await h.sync();
    } finally {
      await h.close();
    }
    killHook();
  }

  /** All complete records, in order. @throws RunbookError `journal-corrupt`. */
  async read(): Promise<JournalRecord[]> {
    const text = await readFile(this.file, "utf8").catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return "";
      throw e;
    });
    const lines = text.split("\n");
    const last = lines.pop() ?? "";
    const records: JournalRecord[] = [];
    for (const [i, line] of lines.entries()) {
      try {
        records.push(JSON.parse(line) as JournalRecord);
      } catch (cause) {
        throw new RunbookError("journal-corrupt", `line ${i + 1} of ${this.file} is not JSON`, {
          path: this.file,
          cause,
        });
      }
    }
    // `last` is a torn append when the process died mid-write; it was never fsynced as complete.
    if (last.trim() !== "") {
      try {
        records.push(JSON.parse(last) as JournalRecord);
      } catch {
        // ignored: torn tail
      }
    }
    return records;
  }
}
