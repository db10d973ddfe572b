/**
 * The parsed shape of a PE image (the contract between `src/pe/` and its consumers:
 * Authenticode, triage, check). Field names follow the PE/COFF specification
 * ("Microsoft Portable Executable and Common Object File Format Specification").
 *
 * All offsets are file offsets in bytes unless the name says RVA. All sizes are bytes.
 */

/** Something the permissive parser forgave, or a structural oddity worth reporting. */
export interface PeAnomaly {
  /** Stable kebab-case id, e.g. `"section-raw-data-past-eof"`, `"import-name-rva-unmapped"`. */
  code: string;
  /** The spec structure concerned, e.g. `"IMAGE_SECTION_HEADER"`. */
  structure: string;
  /** File offset where the problem was seen, when known. */
  offset?: number;
  message: string;
}

/** IMAGE_DOS_HEADER: the two fields the parser uses. */
export interface DosHeader {
  /** `e_magic`, 0x5A4D ("MZ"). */
  magic: number;
  /** `e_lfanew`: file offset of the `PE\0\0` signature. */
  lfanew: number;
}

/** IMAGE_FILE_HEADER (COFF file header). */
export interface FileHeader {
  /** Offset of the COFF header (e_lfanew + 4). */
  offset: number;
  machine: number;
  /** Readable machine name, e.g. `"x64"`, `"x86"`, `"arm64"`, or `"unknown(0x1234)"`. */
  machineName: string;
  numberOfSections: number;
  timeDateStamp: number;
  pointerToSymbolTable: number;
  numberOfSymbols: number;
  sizeOfOptionalHeader: number;
  characteristics: number;
  /** IMAGE_FILE_DLL (0x2000) is set. */
  isDll: boolean;
  /** IMAGE_FILE_EXECUTABLE_IMAGE (0x0002) is set. */
  isExecutableImage: boolean;
}

/** IMAGE_DATA_DIRECTORY. For index 4 (SECURITY) `virtualAddress` is a *file offset*. */
export interface DataDirectory {
  index: number;
  /** `"EXPORT"`, `"IMPORT"`, `"RESOURCE"`, `"EXCEPTION"`, `"SECURITY"`, `"BASERELOC"`, … */
  name: string;
  virtualAddress: number;
  size: number;
  /** File offset of this 8-byte entry in the optional header. */
  entryOffset: number;
}

/** IMAGE_OPTIONAL_HEADER32 / IMAGE_OPTIONAL_HEADER64. */
export interface OptionalHeader {
  /** Offset of the optional header. */
  offset: number;
  /** 0x10B (PE32) or 0x20B (PE32+). */
  magic: number;
  format: "PE32" | "PE32+";
  addressOfEntryPoint: number;
  baseOfCode: number;
  /** Image base; bigint because PE32+ uses 64 bits. */
  imageBase: bigint;
  sectionAlignment: number;
  fileAlignment: number;
  majorSubsystemVersion: number;
  sizeOfImage: number;
  sizeOfHeaders: number;
  /** The CheckSum field as stored. */
  checkSum: number;
  /** File offset of the 4-byte CheckSum field (optional header + 64), excluded from the authentihash. */
  checkSumOffset: number;
  subsystem: number;
  dllCharacteristics: number;
  numberOfRvaAndSizes: number;
  /** Data directories actually present (at most 16, capped by NumberOfRvaAndSizes and header size). */
  dataDirectories: DataDirectory[];
}

/** IMAGE_SECTION_HEADER plus derived facts. */
export interface SectionHeader {
  /** Name as stored (up to 8 bytes, NULs trimmed, Latin-1). */
  name: string;
  virtualSize: number;
  virtualAddress: number;
  sizeOfRawData: number;
  pointerToRawData: number;
  characteristics: number;
  /** Shannon entropy of the raw data that is inside the file, bits per byte (0–8). */
  entropy: number;
  /**
   * File offset the loader actually reads the raw data from (PointerToRawData rounded down to
   * 512 when FileAlignment ≥ 512). Added by the PE parser; optional for backward compatibility.
   */
  rawDataOffset?: number;
  /** Bytes of raw data actually inside the file (SizeOfRawData clipped at EOF). Optional, as above. */
  rawDataSizeInFile?: number;
  /** IMAGE_SCN_MEM_EXECUTE (0x20000000) or IMAGE_SCN_CNT_CODE (0x20). */
  executable: boolean;
  writable: boolean;
  /** File offset of this header. */
  headerOffset: number;
}

/** One imported function: by name (with hint) or by ordinal. */
export interface ImportedFunction {
  /** Function name when imported by name. */
  name?: string;
  /** Ordinal when imported by ordinal. */
  ordinal?: number;
  /** Hint when imported by name. */
  hint?: number;
}

/** One imported DLL (IMAGE_IMPORT_DESCRIPTOR or IMAGE_DELAYLOAD_DESCRIPTOR) and its functions. */
export interface ImportedModule {
  /** DLL name as stored, e.g. `"KERNEL32.dll"`. */
  dll: string;
  /** True for IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT entries. */
  delayLoad: boolean;
  functions: ImportedFunction[];
}

/** One used slot of the export address table. */
export interface ExportedFunction {
  /** Biased ordinal (Base + index). */
  ordinal: number;
  /** Name when the export has one. */
  name?: string;
  /** RVA of the code/data; absent for forwarders. */
  rva?: number;
  /** `"OTHERDLL.Func"` when the export is a forwarder. */
  forwarder?: string;
}

/** IMAGE_EXPORT_DIRECTORY and its exports (unused address-table slots, RVA 0, omitted). */
export interface ExportDirectory {
  /** Name of the DLL recorded in the export directory. */
  dllName?: string;
  ordinalBase: number;
  functions: ExportedFunction[];
}

/** VS_FIXEDFILEINFO, with versions as dotted strings. */
export interface FixedFileInfo {
  fileVersion: string;
  productVersion: string;
  fileFlags: number;
  fileOS: number;
  fileType: number;
}

/** VS_VERSIONINFO: the fixed file info and every StringFileInfo string (first table wins per key). */
export interface VersionInfo {
  fixed?: FixedFileInfo;
  /** e.g. `{ CompanyName: "Kerio Technologies", OriginalFilename: "kofmsp.dll", … }` */
  strings: Record<string, string>;
  /** Language/codepage keys of the string tables found, e.g. `["040904b0"]`. */
  translations: string[];
  /**
   * The VarFileInfo `Translation` values (language, code page), formatted like the string-table
   * keys, e.g. `["040904b0"]`. Added by the PE parser; optional for backward compatibility.
   */
  varFileInfoTranslations?: string[];
}

/** One leaf of the resource tree (type / name / language → data). */
export interface ResourceEntry {
  /** Resource type: numeric id (16 = RT_VERSION) or name. */
  type: number | string;
  /** Resource name: numeric id or name. */
  name: number | string;
  /** Language id, or a name in the (rare) case the third level is named. */
  language: number | string;
  /** RVA of the data (IMAGE_RESOURCE_DATA_ENTRY.OffsetToData is an RVA). */
  dataRva: number;
  /** Declared size of the data, in bytes. */
  size: number;
  codePage: number;
}

/** One WIN_CERTIFICATE entry of the certificate table (IMAGE_DIRECTORY_ENTRY_SECURITY). */
export interface WinCertificate {
  /** File offset of the entry header. */
  offset: number;
  /** `dwLength`: header + certificate bytes, as declared. */
  length: number;
  /** `wRevision`: 0x0200 for current, 0x0100 legacy. */
  revision: number;
  /** `wCertificateType`: 2 = WIN_CERT_TYPE_PKCS_SIGNED_DATA. */
  certificateType: number;
  /** `bCertificate`: the payload (subarray of the file, not a copy). */
  certificate: Uint8Array;
}

/** The certificate table as declared by data directory 4, and its entries. */
export interface CertificateTable {
  /** File offset (the directory's VirtualAddress). */
  offset: number;
  /** Declared size. */
  size: number;
  entries: WinCertificate[];
}

/** A parsed PE image. Produced by `parsePe()`. */
export interface PeImage {
  /** File size, in bytes. */
  size: number;
  dos: DosHeader;
  fileHeader: FileHeader;
  optionalHeader: OptionalHeader;
  sections: SectionHeader[];
  imports: ImportedModule[];
  exports?: ExportDirectory;
  versionInfo?: VersionInfo;
  /**
   * Every leaf of the resource tree, in directory order. Added by the PE parser (optional for
   * backward compatibility); absent when there is no resource directory.
   */
  resources?: ResourceEntry[];
  /** Present when data directory 4 is non-empty (even if it points outside the file; see anomalies). */
  certificateTable?: CertificateTable;
  /** Bytes after the end of the last section's raw data, excluding the certificate table. */
  overlay: { offset: number; size: number; entropy: number };
  /** PE checksum computed as the loader does (CheckSum field treated as zero). */
  computedCheckSum: number;
  /** Entry-point facts: the section containing AddressOfEntryPoint, if any. */
  entryPointSection?: string;
  anomalies: PeAnomaly[];
}
