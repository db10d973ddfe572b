/**
 * Ports for the live-only facts: processes and their modules, network connections, the event
 * log, and free disk space. A mode that cannot see one leaves it `undefined` in the snapshot, and
 * every consumer reports the fact as unknown (never as ok).
 */

export interface ProcessInfo {
  /** Image name, e.g. `OUTLOOK.EXE`. */
  image: string;
  pid: number;
  /** Loaded module names (`tasklist /m`), when known. */
  modules?: string[];
}

export interface ProcessPort {
  list(): Promise<ProcessInfo[]>;
}

export interface Connection {
  protocol: "TCP" | "UDP";
  local: string;
  remote: string;
  state?: string;
  pid: number;
}

export interface NetworkPort {
  connections(): Promise<Connection[]>;
}

/** One event-log record, as every event-log port answers it. */
export interface EventRecord {
  /** The channel, e.g. `Application`, `Microsoft-Windows-Windows Defender/Operational`. */
  log: string;
  id: number;
  provider: string;
  /** `System/TimeCreated/@SystemTime`, ISO 8601 UTC. */
  time: string;
  level?: number;
  /** `System/EventRecordID`, when known. */
  recordNumber?: number;
  /** `System/Security/@UserID` (a SID), when logged. */
  userId?: string;
  /**
   * The event's data fields, by `Name`; unnamed ones by their position (`"0"`, `"1"`, …), as
   * src/evtx/event-summary.ts flattens them.
   */
  data: Record<string, string>;
}

/**
 * Which records of one log a caller wants. A record is selected when its id is in `ids` or its
 * provider in `providers` (case-insensitive), it was created at or after `since`, and `accept`
 * keeps it; of those, the newest `max` are answered. Ports apply it while reading, so only the
 * selected records are ever held.
 */
export interface EventQuery {
  /** Event ids wanted. */
  ids: readonly number[];
  /** Providers whose records are wanted whatever their id. */
  providers?: readonly string[];
  /** Only records created at or after this instant. */
  since?: Date;
  /** A further test on a record that passed the others (pure, cheap). */
  accept?: (record: EventRecord) => boolean;
  /** Most records answered: the newest that match. */
  max: number;
}

export interface EventLogPort {
  /**
   * The records of channel `log` selected by `query`, newest first.
   * @throws when the log cannot be read (absent, not a regular file, the tool failed); the
   *   error's message says why, without naming the log when the reason is the same for all.
   */
  query(log: string, query: EventQuery): Promise<EventRecord[]>;
}

export interface DiskPort {
  /** Free bytes on the volume holding `windowsPath`, or `undefined` when unknown. */
  freeBytes(windowsPath: string): Promise<number | undefined>;
}
