/**
 * Caps on every count the PE parser reads from a file. A count above its cap is an anomaly
 * (`count-over-limit`) in permissive mode, where parsing continues with the capped count, and a
 * {@link PeFormatError} in strict mode. The caps bound both time and memory: no loop in `src/pe/`
 * runs more than one of these numbers of times per structure.
 *
 * Source: PE/COFF specification (section limit) and loader behaviour; the others are generous
 * bounds far above anything a real toolchain emits.
 */

/** Sections per image. The spec: "the Windows loader limits the number of sections to 96". */
export const MAX_SECTIONS = 96;
/** IMAGE_IMPORT_DESCRIPTOR / IMAGE_DELAYLOAD_DESCRIPTOR entries per directory. */
export const MAX_IMPORT_MODULES = 4096;
/** Thunks (imported functions) per imported module. */
export const MAX_IMPORT_FUNCTIONS_PER_MODULE = 65536;
/**
 * Imported functions in total (imports plus delay imports). Bounds the work when many descriptors
 * share one huge thunk array.
 */
export const MAX_IMPORT_FUNCTIONS_TOTAL = 262144;
/** NumberOfFunctions and NumberOfNames of IMAGE_EXPORT_DIRECTORY (ordinals are 16-bit). */
export const MAX_EXPORTS = 65536;
/** Depth of the resource tree (Windows uses 3: type, name, language). */
export const MAX_RESOURCE_DEPTH = 8;
/** Directory entries visited in the whole resource tree. */
export const MAX_RESOURCE_ENTRIES = 10000;
/** Characters of an IMAGE_RESOURCE_DIR_STRING_U name. */
export const MAX_RESOURCE_NAME_CHARS = 256;
/** Bytes of an imported or delay-imported DLL name. */
export const MAX_DLL_NAME_LENGTH = 512;
/** Bytes of an imported or exported function name (pefile uses the same 0x200). */
export const MAX_SYMBOL_NAME_LENGTH = 512;
/** Bytes of an export forwarder string (`DLL.Function` or `DLL.#ordinal`). */
export const MAX_FORWARDER_LENGTH = 1024;
/** UTF-16 code units of a VS_VERSIONINFO key or String value. */
export const MAX_VERSION_STRING_CHARS = 4096;
/** Blocks (String, StringTable, Var …) visited in one VS_VERSIONINFO. */
export const MAX_VERSION_BLOCKS = 4096;
/** WIN_CERTIFICATE entries walked in the certificate table. */
export const MAX_CERTIFICATES = 64;
/** Data directories in the optional header (the spec defines 16). */
export const MAX_DATA_DIRECTORIES = 16;
/** Anomalies recorded per parse; one more entry, `anomaly-limit-reached`, marks the cut. */
export const MAX_ANOMALIES = 1000;
