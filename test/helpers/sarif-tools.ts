/**
 * The SARIF checkers the tests run over koff-doctor's `--sarif` logs: the OASIS SARIF 2.1.0 JSON
 * Schema (shipped with @microsoft/sarif-multitool-linux), compiled with Ajv, and the SARIF
 * Multitool's `validate` with the SARIF and GitHub rule kinds. Each says when it is not
 * installed, for the test to skip.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** A compiled schema: true when `doc` is valid; `errors` then says why not. */
export type SchemaValidator = ((doc: unknown) => boolean) & { errors?: unknown };

/** The SARIF 2.1.0 schema's validator, or why it cannot be had (a reason to skip with). */
export async function sarifSchemaValidator(): Promise<SchemaValidator | string> {
  let schemaFile: string;
  try {
    schemaFile = path.join(
      path.dirname(require.resolve("@microsoft/sarif-multitool")),
      "..",
      "sarif-multitool-linux",
      "sarif-2.1.0.json",
    );
    if (!existsSync(schemaFile)) throw new Error("absent");
  } catch {
    return "the SARIF 2.1.0 schema ships with @microsoft/sarif-multitool-linux, which is not installed";
  }
  const { Ajv2020 } = (await import("ajv/dist/2020.js")) as unknown as {
    Ajv2020: new (o: object) => { compile(schema: unknown): SchemaValidator };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
}

/** The Multitool binary of this platform, when the package is installed. */
export function sarifMultitool(): string | undefined {
  try {
    const bin = require("@microsoft/sarif-multitool") as string;
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `sarif-multitool validate` with the SARIF and GitHub rule kinds over `files`, its log
 * written to `out`, and returns the errors it reports (rule, message id, text). Called directly,
 * not through `npx`: the package's launcher passes its arguments through a shell, which would
 * split the rule-kind list at its `;`. A non-zero exit still writes the log, which is what is
 * judged; no log at all rejects.
 */
export function multitoolErrors(bin: string, files: string[], out: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      ["validate", ...files, "--rule-kind", "Sarif;Gh", "--log", "ForceOverwrite", "--output", out],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1" } },
      (error, stdout, stderr) => {
        if (!existsSync(out)) {
          reject(new Error(`sarif-multitool wrote no log: ${error?.message ?? ""}\n${stdout}\n${stderr}`));
          return;
        }
        const log = JSON.parse(readFileSync(out, "utf8")) as {
          runs: Array<{
            results: Array<{ level?: string; ruleId?: string; message?: Record<string, unknown> }>;
          }>;
        };
        resolve(
          log.runs[0]!.results.filter((r) => r.level === "error").map(
            (r) =>
              `${r.ruleId} ${String(r.message?.["id"] ?? "")}: ${String(r.message?.["text"] ?? JSON.stringify(r.message?.["arguments"]))}`,
          ),
        );
      },
    );
  });
}
