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

export interface EventRecord {
  log: string;
  id: number;
  provider: string;
  /** ISO 8601. */
  time: string;
  level?: number;
  /** Event data strings, in order. */
  data: string[];
}

export interface EventLogPort {
  /** Events of `log` (e.g. `Application`), newest first, at most `max`. */
  query(log: string, max: number): Promise<EventRecord[]>;
}

export interface DiskPort {
  /** Free bytes on the volume holding `windowsPath`, or `undefined` when unknown. */
  freeBytes(windowsPath: string): Promise<number | undefined>;
}
