/**
 * What `fleet ingest` reads: host reports (`check --json` output, `.json`), JSON Lines of them
 * (`.jsonl`, one report per line, or `{ "Report": … }` rows as a Velociraptor export writes
 * them), and diagnostics bundles (`.zip`), checked with `check --bundle` through the library.
 * Each file is one or more {@link IngestInput}s whose `read` throws a typed error for a file that
 * cannot be used. Source: docs/fleet.md ("fleet ingest").
 */
import { openSource } from "../adapters/open-source.js";
import { checkMachine } from "./check-machine.js";
import { checkJsonDocument } from "../report/check-json.js";
import { toJsonText } from "../report/json-text.js";
import { readUserFile } from "../util/safe-file.js";
import type { IngestInput } from "../fleet/ingest.js";
import { READ_LIMITS } from "../limits.js";

const MAX_REPORT_BYTES = READ_LIMITS.hostReportBytes;

const text = (bytes: Uint8Array) => new TextDecoder("utf-8", { fatal: true }).decode(bytes);

/** A JSON Lines row: the report itself, or a row holding it in `Report` / `report` (as an object or JSON text). */
function reportOfRow(row: unknown): unknown {
  if (typeof row !== "object" || row === null || Array.isArray(row)) return row;
  const r = row as Record<string, unknown>;
  const inner = Object.hasOwn(r, "Report")
    ? r["Report"]
    : Object.hasOwn(r, "report")
      ? r["report"]
      : undefined;
  if (inner === undefined) return row;
  return typeof inner === "string" ? (JSON.parse(inner) as unknown) : inner;
}

/** The inputs of one file, by its extension (`.zip` bundle, `.jsonl` rows, else one JSON report). */
export async function inputsOfFile(file: string, options: { at?: Date } = {}): Promise<IngestInput[]> {
  if (/\.zip$/i.test(file))
    return [
      {
        origin: file,
        read: async () => {
          const source = await openSource({ bundle: file });
          try {
            const report = await checkMachine(source.snapshot, { at: options.at });
            // Through the JSON text, as check --bundle --json prints it (bigints as strings).
            return JSON.parse(toJsonText(checkJsonDocument(report))) as unknown;
          } finally {
            source.close();
          }
        },
      },
    ];
  if (/\.jsonl$/i.test(file)) {
    let lines: string[];
    try {
      lines = text(await readUserFile(file, { maxBytes: MAX_REPORT_BYTES })).split(/\r?\n/);
    } catch (e) {
      return [{ origin: file, read: () => Promise.reject(e as Error) }];
    }
    return lines.flatMap((line, i) =>
      line.trim() === ""
        ? []
        : [{ origin: `${file}:${i + 1}`, read: async () => reportOfRow(JSON.parse(line) as unknown) }],
    );
  }
  return [
    {
      origin: file,
      read: async () => JSON.parse(text(await readUserFile(file, { maxBytes: MAX_REPORT_BYTES }))) as unknown,
    },
  ];
}
