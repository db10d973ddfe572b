/**
 * The indicator table koff-doctor implements, cell by cell, so every fired indicator can quote
 * the cell it comes from. How each cell is measured: docs/verdict.md ("The indicators").
 */
import type { SeedRow } from "./types.js";

export const SEED_TABLE: Record<SeedRow, { suspicious: string; malicious: string }> = {
  Signature: { suspicious: "Missing or self-signed", malicious: "Invalid or expired" },
  Location: { suspicious: "%TEMP%, Downloads, or Roaming", malicious: "Any non-Kofax folder" },
  "File size": { suspicious: "<100 KB or >5 MB (packed)", malicious: "Executable behavior detected" },
  "Process loading it": {
    suspicious: "Unknown process (e.g., svchost.exe)",
    malicious: "Script runner, PowerShell",
  },
  "High CPU / network": {
    suspicious: "Yes, even when not scanning",
    malicious: "Persistent outbound connections",
  },
};

/** `"Signature × Suspicious: Missing or self-signed"`, optionally with our reading appended. */
export function seedCell(row: SeedRow, level: "suspicious" | "malicious", reading?: string): string {
  const text = SEED_TABLE[row][level];
  const column = level === "suspicious" ? "Suspicious" : "Malicious";
  return `${row} × ${column}: ${text}${reading ? ` (read as: ${reading})` : ""}`;
}
