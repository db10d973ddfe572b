/**
 * The `pe` object of a triage record (docs/json-contract.md): the facts an analyst reads first,
 * derived from the parsed image. Section flags are given as `rwx` strings.
 */
import type { PeImage } from "../pe/types.js";

export interface PeSummary {
  machine: string;
  format: "PE32" | "PE32+";
  isDll: boolean;
  subsystem: number;
  timeDateStamp: number;
  entryPoint: { rva: number; section?: string };
  checkSum: { stored: number; computed: number; matches: boolean };
  sections: Array<{
    name: string;
    virtualAddress: number;
    virtualSize: number;
    rawSize: number;
    rawOffset: number;
    entropy: number;
    rwx: string;
  }>;
  imports: Array<{ dll: string; delayLoad: boolean; functions: string[] }>;
  exports: Array<{ ordinal: number; name?: string; forwarder?: string }>;
  versionInfo?: { fileVersion?: string; productVersion?: string; strings: Record<string, string> };
  overlay: { offset: number; size: number; entropy: number };
  anomalies: Array<{ code: string; structure: string; offset?: number; message: string }>;
}

const IMAGE_SCN_MEM_READ = 0x40000000;

export function summarizePe(pe: PeImage): PeSummary {
  const round = (x: number) => Math.round(x * 10000) / 10000;
  return {
    machine: pe.fileHeader.machineName,
    format: pe.optionalHeader.format,
    isDll: pe.fileHeader.isDll,
    subsystem: pe.optionalHeader.subsystem,
    timeDateStamp: pe.fileHeader.timeDateStamp,
    entryPoint: { rva: pe.optionalHeader.addressOfEntryPoint, section: pe.entryPointSection },
    checkSum: {
      stored: pe.optionalHeader.checkSum,
      computed: pe.computedCheckSum,
      matches: pe.optionalHeader.checkSum === pe.computedCheckSum,
    },
    sections: pe.sections.map((s) => ({
      name: s.name,
      virtualAddress: s.virtualAddress,
      virtualSize: s.virtualSize,
      rawSize: s.sizeOfRawData,
      rawOffset: s.pointerToRawData,
      entropy: round(s.entropy),
      rwx: `${s.characteristics & IMAGE_SCN_MEM_READ ? "r" : "-"}${s.writable ? "w" : "-"}${s.executable ? "x" : "-"}`,
    })),
    imports: pe.imports.map((m) => ({
      dll: m.dll,
      delayLoad: m.delayLoad,
      functions: m.functions.map((f) => f.name ?? `#${f.ordinal}`),
    })),
    exports: (pe.exports?.functions ?? []).map((f) => ({
      ordinal: f.ordinal,
      name: f.name,
      forwarder: f.forwarder,
    })),
    versionInfo: pe.versionInfo && {
      fileVersion: pe.versionInfo.fixed?.fileVersion,
      productVersion: pe.versionInfo.fixed?.productVersion,
      strings: pe.versionInfo.strings,
    },
    overlay: { ...pe.overlay, entropy: round(pe.overlay.entropy) },
    anomalies: pe.anomalies,
  };
}
