/**
 * What counts as "executable behavior" for a DLL (indicator-table row "File size", Malicious cell): an EXE
 * posing as a DLL, or imports that only make sense for injecting into, executing or downloading
 * code. Kept as data: each rule names every import that satisfies it.
 *
 * Deliberately absent: CreateProcess*, ShellExecute* and WinHTTP/WinINet on their own. A
 * connector that starts its backend or talks HTTP legitimately uses them.
 *
 * Source: docs/verdict.md ("The indicators", `executable-behavior`); MITRE ATT&CK T1055 (process
 * injection, https://attack.mitre.org/techniques/T1055/).
 */

export interface ImportRule {
  id: "process-injection" | "command-execution" | "download-to-file";
  description: string;
  /** Every group must be matched by at least one imported function name (exact, case-sensitive). */
  allOf: string[][];
}

export const IMPORT_RULES: ImportRule[] = [
  {
    id: "process-injection",
    description: "writes into another process and starts a thread or APC there",
    allOf: [
      ["WriteProcessMemory", "NtWriteVirtualMemory", "ZwWriteVirtualMemory"],
      [
        "CreateRemoteThread",
        "CreateRemoteThreadEx",
        "NtCreateThreadEx",
        "ZwCreateThreadEx",
        "RtlCreateUserThread",
        "QueueUserAPC",
        "NtQueueApcThread",
        "SetThreadContext",
      ],
    ],
  },
  {
    id: "command-execution",
    description: "runs a command line",
    allOf: [["WinExec"]],
  },
  {
    id: "download-to-file",
    description: "downloads a URL straight to a file",
    allOf: [
      ["URLDownloadToFileA", "URLDownloadToFileW", "URLDownloadToCacheFileA", "URLDownloadToCacheFileW"],
    ],
  },
];
