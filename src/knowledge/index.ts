/**
 * Typed access to the connector knowledge file (`koff.json`). Every fact about what KOFF
 * looks like on disk, in the registry and in its signatures lives in that one data file;
 * code reads it only through {@link loadKnowledge}. A second connector could be described by a
 * second file of the same shape.
 *
 * Source: koff.json (each fact has a `source` note); the public documents behind those facts
 * are listed in docs/sources.md ("KOFF").
 */
import koff from "./koff.json" with { type: "json" };

/** The raw file's shape (paths are Windows paths; `%VAR%` forms are expanded per user). */
export type ConnectorKnowledgeFile = typeof koff;

/** Knowledge with patterns compiled, ready for matching. */
export interface ConnectorKnowledge {
  id: string;
  product: string;
  /** Vendor install folders of the connector itself, e.g. `C:\Program Files (x86)\Kerio\Outlook Connector (Offline Edition)`. */
  installFolders: string[];
  /** Folders under which any Kerio-installed binary legitimately lives. */
  vendorFolders: string[];
  /** Provider DLL file names to look for, lower case (`kofmsp.dll`, `kofmsp32.dll`). */
  providerDllNames: string[];
  /** Matches a PR_SERVICE_DLL_NAME / file name that refers to the provider (case-insensitive). */
  providerDllPattern: RegExp;
  /** Exports a genuine provider DLL must have. */
  requiredExports: string[];
  backendProcess: string;
  expectedHostProcesses: string[];
  scriptRunnerProcesses: string[];
  companyNamePatterns: RegExp[];
  signerPatterns: RegExp[];
  productNamePattern: RegExp;
  suspectCompanyPatterns: RegExp[];
  uninstallDisplayNamePattern: RegExp;
  updaterDisplayNamePattern: RegExp;
  /** `%LOCALAPPDATA%\Kerio\Outlook Connector`: one sub-folder per Outlook profile. */
  cacheRoot: string;
  databaseExtension: string;
  /** Free space needed for a database upgrade, as a multiple of the database size. */
  upgradeSpaceFactor: number;
  avExclusionPaths: string[];
  updaterService: { displayName: string; folder: string };
}

function compile(file: ConnectorKnowledgeFile): ConnectorKnowledge {
  const ci = (p: string) => new RegExp(p, "i");
  return {
    id: file.id,
    product: file.product,
    installFolders: file.installFolders.paths,
    vendorFolders: file.vendorFolders.paths,
    providerDllNames: file.providerDll.fileNames.map((n) => n.toLowerCase()),
    providerDllPattern: ci(file.providerDll.serviceDllPattern),
    requiredExports: file.providerDll.requiredExports.names,
    backendProcess: file.processes.backend,
    expectedHostProcesses: file.processes.expectedHosts,
    scriptRunnerProcesses: file.processes.scriptRunners,
    companyNamePatterns: file.vendors.companyNamePatterns.map(ci),
    signerPatterns: file.vendors.signerPatterns.map(ci),
    productNamePattern: ci(file.vendors.productNamePattern),
    suspectCompanyPatterns: file.vendors.suspectCompanyPatterns.map(ci),
    uninstallDisplayNamePattern: ci(file.uninstall.displayNamePattern),
    updaterDisplayNamePattern: ci(file.uninstall.updaterDisplayNamePattern),
    cacheRoot: file.cache.root,
    databaseExtension: file.cache.databaseExtension,
    upgradeSpaceFactor: file.cache.upgradeSpaceFactor,
    avExclusionPaths: file.avExclusions.paths,
    updaterService: { displayName: file.updaterService.displayName, folder: file.updaterService.folder },
  };
}

let cached: ConnectorKnowledge | undefined;

/** The KOFF knowledge, compiled once per process. */
export function loadKnowledge(): ConnectorKnowledge {
  cached ??= compile(koff);
  return cached;
}
