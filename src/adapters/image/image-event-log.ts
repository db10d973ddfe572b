/**
 * The image adapter's event-log port: channel `X/Y` is the file
 * `Windows\System32\winevt\Logs\X%4Y.evtx` of the image (Windows writes `/` as `%4` in log file
 * names), streamed through the core EVTX reader one 64 KiB chunk at a time; only the records the
 * query selects are kept, the newest `max` of them, so memory stays flat whatever the log size.
 * Records of ids and providers the query does not name are skipped before they are rendered.
 * A log file that is a symbolic link (inside or out of the image), a FIFO, a device or a folder
 * is refused with a typed error and never opened; the file is opened with `O_NOFOLLOW` and
 * `O_NONBLOCK` and checked again once open. Damaged logs are read as far as they are sound.
 *
 * Source: docs/evtx.md ("Image mode"); Microsoft, "Event Logs" (log files under
 * %SystemRoot%\System32\winevt\Logs, https://learn.microsoft.com/en-us/windows/win32/wes/windows-event-log).
 */
import { constants } from "node:fs";
import { lstat, open, readdir, realpath, type FileHandle } from "node:fs/promises";
import path from "node:path";
import {
  AnomalyLog,
  iterateEvtxReader,
  summarizeRecord,
  type EvtxElement,
  type EvtxRecord,
} from "../../evtx/index.js";
import type { EventLogPort, EventQuery, EventRecord } from "../../ports/system.js";
import { describeKind, fileKind } from "../../util/safe-file.js";
import { InputFileError } from "../../util/input-file-error.js";
import { NewestEvents, selectsEvent, wantsIdOrProvider } from "../../windows/event-query.js";
import type { ImageFileSystem } from "./image-file-system.js";

/** Where Windows keeps its event logs. */
export const EVENT_LOG_FOLDER = "C:\\Windows\\System32\\winevt\\Logs";

/** The file name of channel `log`: `Microsoft-Windows-Windows Defender%4Operational.evtx`. */
export function eventLogFileName(log: string): string {
  return `${log.replaceAll("/", "%4")}.evtx`;
}

function child(e: EvtxElement | undefined, name: string): EvtxElement | undefined {
  return e?.children.find((c): c is EvtxElement => typeof c !== "string" && c.name === name);
}

/** The port's view of a rendered EVTX record read from channel `log`; undefined without an event id. */
export function eventRecordOf(record: EvtxRecord, log: string): EventRecord | undefined {
  const s = summarizeRecord(record);
  if (s.eventId === null) return undefined;
  const security = child(child(record.event, "System"), "Security");
  const userId = security?.attributes.find((a) => a.name === "UserID")?.value;
  return {
    log: s.channel ?? log,
    id: s.eventId,
    provider: s.provider ?? "",
    time: s.timeCreated,
    ...(s.level === null ? {} : { level: s.level }),
    recordNumber: s.recordNumber,
    ...(userId ? { userId } : {}),
    data: s.data,
  };
}

/** The EVTX port of an image (see the module comment). */
export class ImageEventLog implements EventLogPort {
  readonly #fs: ImageFileSystem;

  constructor(fs: ImageFileSystem) {
    this.#fs = fs;
  }

  /**
   * @throws Error when the image has no event-log folder (the same message for every log);
   *   InputFileError `not-found` when the log file is absent, `outside-root` for a link leading
   *   out of the image, `not-a-file` for a link inside it, a FIFO, device or folder;
   *   EvtxError `not-evtx` when the file has no EVTX header.
   */
  async query(log: string, query: EventQuery): Promise<EventRecord[]> {
    const file = await this.#logFile(log);
    const handle = await openNoFollow(file);
    try {
      const kept = new NewestEvents(query.max);
      const readAt = async (buffer: Uint8Array, length: number, position: number) =>
        (await handle.read(buffer, 0, length, position)).bytesRead;
      // Records whose id and provider the query does not want are dropped before they are rendered.
      const filter = (head: { eventId: number | null; provider: string | null }) =>
        head.eventId !== null && wantsIdOrProvider(query, head.eventId, head.provider ?? "");
      // The port answers records only: anomalies are not kept (nor the records CRC32 computed).
      for await (const r of iterateEvtxReader(readAt, new AnomalyLog({ discard: true }), filter)) {
        const e = eventRecordOf(r, log);
        if (e && selectsEvent(query, e)) kept.add(e);
      }
      return kept.list();
    } finally {
      await handle.close();
    }
  }

  /** The host path of `log`'s file, checked: a regular file, not a link. */
  async #logFile(log: string): Promise<string> {
    const folder = await this.#fs.hostPath(EVENT_LOG_FOLDER);
    if (folder === undefined) throw new Error(`the image has no event logs (${EVENT_LOG_FOLDER} is absent)`);
    const want = eventLogFileName(log).toLowerCase();
    const names = await readdir(folder).catch(() => [] as string[]);
    const name = names.sort().find((n) => n.toLowerCase() === want);
    const shown = `${EVENT_LOG_FOLDER}\\${eventLogFileName(log)}`;
    if (name === undefined) throw new InputFileError("not-found", shown, "not in the image");
    const host = path.join(folder, name);
    const info = await lstat(host);
    if (info.isSymbolicLink()) {
      const [target, root] = await Promise.all([
        realpath(host).catch(() => undefined),
        realpath(this.#fs.root),
      ]);
      const inside = target !== undefined && target.startsWith(root + path.sep);
      throw new InputFileError(
        inside ? "not-a-file" : "outside-root",
        shown,
        inside
          ? "a symbolic link; links in an image are not followed"
          : "a symbolic link leading out of the image; not read",
        { kind: "symlink" },
      );
    }
    const kind = fileKind(info);
    if (kind !== "file")
      throw new InputFileError("not-a-file", shown, `${describeKind(kind)}, not a log file; not opened`, {
        kind,
      });
    return host;
  }
}

/** Opens a regular file without following a link or blocking on a FIFO swapped in since it was checked. */
async function openNoFollow(file: string): Promise<FileHandle> {
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  const handle = await open(file, flags);
  const kind = fileKind(await handle.stat());
  if (kind === "file") return handle;
  await handle.close();
  throw new InputFileError("not-a-file", file, `${describeKind(kind)}, not a log file; not read`, { kind });
}
