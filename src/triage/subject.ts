/**
 * Everything an indicator may look at for one file: the parsed PE, the signature summary, the
 * Windows location, and what the current mode knows about load positions and processes.
 * Indicators are pure functions of this object.
 */
import type { ConnectorKnowledge } from "../knowledge/index.js";
import type { PeImage } from "../pe/types.js";
import type { SignatureSummary } from "./signature-summary.js";
import type { WindowsPathOrigin } from "../paths/windows-path.js";

/** A place that would make Windows load the file (PRODUCT.md Location row, "load position"). */
export interface LoadPosition {
  kind: "mapisvc-inf" | "outlook-profile" | "loaded-by-process" | "next-to-exe" | "next-to-dll";
  /** Where: the INF file and section, the profile key, the process, or the importing module and the name it imports. */
  where: string;
}

/** A process seen with the file loaded (live mode only). */
export interface LoadingProcess {
  image: string;
  pid: number;
  /** Established outbound connections as `addr:port`. */
  connections?: string[];
}

export interface TriageSubject {
  /** File name as found on disk. */
  fileName: string;
  /** The file's Windows path, when one could be determined. */
  windowsPath?: string;
  windowsPathOrigin?: WindowsPathOrigin;
  /** File size in bytes. */
  size: number;
  pe: PeImage;
  signature: SignatureSummary;
  knowledge: ConnectorKnowledge;
  loadPositions: LoadPosition[];
  /**
   * How completely the modules beside the file were searched for importers of it; `undefined`
   * when they were not searched (a copied file judged by `--as`).
   */
  siblingSearch?: SiblingSearch;
  /** `undefined` when the mode cannot see processes (file, image, bundle modes). */
  loadingProcesses?: LoadingProcess[];
  /** The configured Kerio server host(s), to tell expected connections from others (live mode). */
  kerioServers?: string[];
}

/** Why a candidate module was not examined. */
export type NotReadReason = "count-cap" | "size-cap" | "unreadable";

/** How completely a folder was searched for modules importing a file (src/triage/sibling-loaders.ts). */
export interface SiblingSearch {
  /** Candidate modules in the folder (the file itself excluded). */
  candidates: number;
  /** Of those, read and parsed (or found not to be PE images). */
  read: number;
  /** How many were not read; the search is complete when this is 0 and `listed`. */
  notRead: number;
  /** Of those, how many for each reason. */
  notReadBy: Partial<Record<NotReadReason, number>>;
  /** The first `NOT_READ_SHOWN` (src/triage/sibling-loaders.ts) not read, for evidence (a huge folder must not bloat every record). */
  notReadExamples: Array<{ where: string; reason: NotReadReason }>;
  /** False when the folder could not be listed. */
  listed: boolean;
}
