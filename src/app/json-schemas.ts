/**
 * The JSON Schemas (draft 2020-12) the package ships in schemas/, compiled with ajv: a caller
 * (fleet ingest, a test, a script) validates a `--json` document against the schema of its kind
 * before trusting it. The schemas are generated from the TypeScript types by
 * scripts/generate-schemas.ts; docs/json-contract.md describes the documents.
 *
 * Source: JSON Schema 2020-12 (https://json-schema.org/draft/2020-12/json-schema-core);
 * Ajv (https://ajv.js.org/json-schema.html#draft-2020-12).
 */
import { existsSync, readFileSync } from "node:fs";
import Ajv2020Module from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";

/** The documents with a schema, by kind. */
export const SCHEMA_FILES = {
  check: "check.schema.json",
  triage: "triage.schema.json",
  repair: "repair.schema.json",
  events: "events.schema.json",
  "bundle-manifest": "bundle-manifest.schema.json",
} as const;

export type SchemaKind = keyof typeof SCHEMA_FILES;

/** Why a document does not match its schema: the first problems, as `<JSON pointer>: <message>`. */
export interface SchemaProblems {
  valid: boolean;
  problems: string[];
}

/** An ISO 8601 date-time as `Date.toISOString` and RFC 3339 write it. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type AjvClass = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvClass }).default ??
  Ajv2020Module) as unknown as AjvClass;

const compiled = new Map<SchemaKind, ValidateFunction>();

/**
 * `file` in the package's schemas/ folder: the nearest one above this module, which is three
 * folders up in the tsc build (dist/src/app/) and two in the npm bin's bundle (dist/bin/).
 */
function schemaUrl(file: string): URL {
  for (let dir = new URL("./", import.meta.url), i = 0; i < 6; dir = new URL("../", dir), i++) {
    const url = new URL(`schemas/${file}`, dir);
    if (existsSync(url)) return url;
  }
  return new URL(`../../../schemas/${file}`, import.meta.url);
}

/** The parsed schema of `kind`, from the package's schemas/ folder. */
export function loadSchema(kind: SchemaKind): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaUrl(SCHEMA_FILES[kind]), "utf8")) as Record<string, unknown>;
}

/** The compiled validator of `kind` (compiled once, strict mode). */
export function schemaValidator(kind: SchemaKind): ValidateFunction {
  let v = compiled.get(kind);
  if (v === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addFormat("date-time", DATE_TIME);
    v = ajv.compile(loadSchema(kind));
    compiled.set(kind, v);
  }
  return v;
}

/** Validates `doc` against the schema of `kind`; at most `max` problems are described. */
export function validateDocument(kind: SchemaKind, doc: unknown, max = 10): SchemaProblems {
  const validate = schemaValidator(kind);
  if (validate(doc)) return { valid: true, problems: [] };
  return { valid: false, problems: (validate.errors ?? []).slice(0, max).map(describe) };
}

function describe(e: ErrorObject): string {
  return `${e.instancePath === "" ? "/" : e.instancePath}: ${e.message ?? e.keyword}`;
}
