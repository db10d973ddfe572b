/**
 * The part of a parsed PE image that Authenticode needs. `PeImage` from `src/pe/` satisfies it;
 * tests may build one by hand. Field meanings: `src/pe/types.ts`.
 *
 * Source: PE/COFF specification §3.4 (optional header), §4 (section table), §5.7 (certificate table).
 */
import type {
  CertificateTable,
  DataDirectory,
  FileHeader,
  OptionalHeader,
  SectionHeader,
} from "../pe/types.js";

/** Minimal PE facts used by the authentihash, page hashes and the certificate-table scan. */
export interface PeLayout {
  /** File size, in bytes. */
  size?: number;
  fileHeader: Pick<FileHeader, "machine">;
  optionalHeader: Pick<OptionalHeader, "checkSumOffset" | "sizeOfHeaders"> & {
    dataDirectories: Array<Pick<DataDirectory, "index" | "virtualAddress" | "size" | "entryOffset">>;
  };
  sections: Array<Pick<SectionHeader, "pointerToRawData" | "sizeOfRawData">>;
  certificateTable?: Pick<CertificateTable, "offset" | "size">;
}

/** IMAGE_DIRECTORY_ENTRY_SECURITY. */
export const SECURITY_DIRECTORY_INDEX = 4;

/** Data directory 4, when the image has one. */
export function securityDirectory(
  pe: PeLayout,
): PeLayout["optionalHeader"]["dataDirectories"][number] | undefined {
  return pe.optionalHeader.dataDirectories.find((d) => d.index === SECURITY_DIRECTORY_INDEX);
}

/** The declared certificate table (offset = VirtualAddress as a file offset, size), or undefined when the directory is empty. */
export function certificateTableLocation(pe: PeLayout): { offset: number; size: number } | undefined {
  const dir = securityDirectory(pe);
  if (dir && dir.virtualAddress !== 0 && dir.size !== 0)
    return { offset: dir.virtualAddress, size: dir.size };
  if (pe.certificateTable && pe.certificateTable.size !== 0)
    return { offset: pe.certificateTable.offset, size: pe.certificateTable.size };
  return undefined;
}
