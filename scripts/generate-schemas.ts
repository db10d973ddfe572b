/**
 * Generates the JSON Schemas (draft 2020-12) of every `--json` document from the TypeScript types
 * that produce them, into schemas/: `npm run schemas` writes them, and
 * test/report/json-schemas.test.ts fails when a committed schema differs from what the types
 * generate (types and schemas cannot drift apart).
 *
 * The types are read with the TypeScript compiler API (a program over the document modules, its
 * type checker resolving aliases, `Omit`/`Pick`, unions and literal types). Mapping: string,
 * number, boolean and literals as themselves; `bigint` as a decimal string (as
 * src/report/json-text.ts writes it); `Date` as a date-time string; arrays and tuples as arrays;
 * an object with named properties as an object with `required` (non-optional properties) and
 * `additionalProperties: false`; an index signature as `additionalProperties`; `unknown` as any
 * value; a named interface or alias as a `$defs` entry, referenced; TSDoc as `description`.
 * Functions are not data and are left out. `check` findings get their evidence schema from the
 * `<Name>Evidence` interface each check module exports, chosen by the finding's `id`.
 *
 * Sources: JSON Schema 2020-12, https://json-schema.org/draft/2020-12/json-schema-core and
 * https://json-schema.org/draft/2020-12/json-schema-validation; TypeScript compiler API,
 * https://github.com/microsoft/TypeScript/wiki/Using-the-Compiler-API
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

/** A JSON Schema, as plain data. */
export type Schema = { [key: string]: unknown };

/** One schema file: the document type it describes and where it is declared. */
interface DocumentSpec {
  file: string;
  title: string;
  module: string;
  type: string;
}

/** The documents, their types, and their schema files (schemas/<file>). */
export const DOCUMENTS: readonly DocumentSpec[] = [
  {
    file: "check.schema.json",
    title: "koff-doctor check --json (the host report)",
    module: "src/report/check-json.ts",
    type: "CheckJsonDocument",
  },
  {
    file: "triage.schema.json",
    title: "koff-doctor triage --json",
    module: "src/report/triage-json.ts",
    type: "TriageJsonDocument",
  },
  {
    file: "repair.schema.json",
    title: "koff-doctor repair --json and undo --json",
    module: "src/report/repair-json.ts",
    type: "RepairJsonDocument",
  },
  {
    file: "events.schema.json",
    title: "koff-doctor events --json (one record per line with --jsonl)",
    module: "src/report/events-json.ts",
    type: "EventsJsonDocument",
  },
  {
    file: "bundle-manifest.schema.json",
    title: "koff-doctor collect: the bundle's manifest.json",
    module: "src/bundle/manifest.ts",
    type: "BundleManifest",
  },
];

/** Where the check modules are, each exporting one `<Name>Evidence` interface. */
const CHECKS_DIR = "src/check/checks";
const SCHEMA_BASE = "https://koff-doctor.invalid/schemas/";

/** Builds schemas from one program's types; `$defs` are collected per document. */
class SchemaBuilder {
  readonly defs = new Map<string, Schema>();
  readonly #names = new Map<ts.Symbol, string>();
  readonly #building = new Set<ts.Symbol>();

  constructor(readonly checker: ts.TypeChecker) {}

  /** The schema of `type`; `node` anchors symbol lookups. */
  of(type: ts.Type, node: ts.Node): Schema {
    const c = this.checker;
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (f & ts.TypeFlags.StringLiteral) return { const: (type as ts.StringLiteralType).value };
    if (f & ts.TypeFlags.NumberLiteral) return { const: (type as ts.NumberLiteralType).value };
    if (f & ts.TypeFlags.BooleanLiteral) return { const: c.typeToString(type) === "true" };
    if (f & ts.TypeFlags.String) return { type: "string" };
    if (f & ts.TypeFlags.Number) return { type: "number" };
    if (f & ts.TypeFlags.Boolean) return { type: "boolean" };
    if (f & (ts.TypeFlags.BigInt | ts.TypeFlags.BigIntLiteral))
      return { type: "string", pattern: "^-?[0-9]+$", description: "a 64-bit integer as decimal text" };
    if (f & ts.TypeFlags.Null) return { type: "null" };
    if (type.isUnion()) return this.union(type, node);
    if (c.isArrayType(type) || c.isTupleType(type)) {
      const [item] = c.getTypeArguments(type as ts.TypeReference);
      return { type: "array", items: item === undefined ? {} : this.of(item, node) };
    }
    if (type.getSymbol()?.getName() === "Date") return { type: "string", format: "date-time" };
    if (f & ts.TypeFlags.Object || type.isIntersection()) return this.named(type, node);
    throw new Error(`generate-schemas: no JSON schema for type ${c.typeToString(type)}`);
  }

  /** A union: `undefined` dropped, `true | false` as boolean, literals as `enum`, else `anyOf`. */
  private union(type: ts.UnionType, node: ts.Node): Schema {
    const parts = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    const bools = parts.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
    const rest = parts.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
    const schemas = [
      ...(bools.length === 2 ? [{ type: "boolean" }] : bools.map((t) => this.of(t, node))),
      ...rest.map((t) => this.of(t, node)),
    ];
    if (schemas.length === 1) return schemas[0]!;
    if (schemas.every((s) => "const" in s && Object.keys(s).length === 1))
      return { enum: schemas.map((s) => s["const"]) };
    return { anyOf: schemas };
  }

  /** An object type: a `$ref` to its `$defs` entry when it is a named interface or alias, else inline. */
  private named(type: ts.Type, node: ts.Node): Schema {
    const alias = type.aliasSymbol;
    const symbol =
      alias !== undefined && (type.aliasTypeArguments ?? []).length === 0
        ? alias
        : type.getSymbol()?.flags && type.getSymbol()!.flags & ts.SymbolFlags.Interface
          ? type.getSymbol()
          : undefined;
    const generic = (type as ts.TypeReference).typeArguments?.length ?? 0;
    if (symbol === undefined || generic > 0) return this.object(type, node);
    const name = this.defName(symbol);
    if (!this.defs.has(name) && !this.#building.has(symbol)) {
      this.#building.add(symbol);
      const schema = this.object(type, node);
      const doc = ts.displayPartsToString(symbol.getDocumentationComment(this.checker)).trim();
      this.defs.set(name, doc === "" ? schema : { description: doc, ...schema });
      this.#building.delete(symbol);
    }
    return { $ref: `#/$defs/${name}` };
  }

  /** A unique `$defs` name for `symbol`: its own, suffixed on a clash. */
  private defName(symbol: ts.Symbol): string {
    const known = this.#names.get(symbol);
    if (known !== undefined) return known;
    const taken = new Set(this.#names.values());
    let name = symbol.getName();
    for (let i = 2; taken.has(name); i++) name = `${symbol.getName()}${i}`;
    this.#names.set(symbol, name);
    return name;
  }

  /** Properties (functions left out), `required`, and index signatures as `additionalProperties`. */
  private object(type: ts.Type, node: ts.Node): Schema {
    const c = this.checker;
    const properties: Schema = {};
    const required: string[] = [];
    for (const p of c.getPropertiesOfType(type)) {
      const t = c.getTypeOfSymbolAtLocation(p, node);
      if (t.getCallSignatures().length > 0) continue;
      const doc = ts.displayPartsToString(p.getDocumentationComment(c)).trim();
      const s = this.of(t, node);
      properties[p.getName()] = doc === "" || "$ref" in s ? s : { description: doc, ...s };
      if (!(p.flags & ts.SymbolFlags.Optional)) required.push(p.getName());
    }
    const index = c.getIndexTypeOfType(type, ts.IndexKind.String);
    const out: Schema = { type: "object" };
    if (Object.keys(properties).length > 0) out["properties"] = properties;
    if (required.length > 0) out["required"] = required;
    out["additionalProperties"] = index === undefined ? false : this.of(index, node);
    return out;
  }
}

/** The exported declaration named `name` in `file`. */
function exportedType(program: ts.Program, file: string, name: string): { type: ts.Type; node: ts.Node } {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`generate-schemas: ${file} is not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const symbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.getName() === name);
  if (symbol === undefined) throw new Error(`generate-schemas: ${file} exports no ${name}`);
  return { type: checker.getDeclaredTypeOfSymbol(symbol), node: source };
}

/** Per check id, its evidence interface's name (one `<Name>Evidence` export per check module). */
function evidenceModules(root: string): Array<{ id: string; file: string; type: string; program?: never }> {
  return readdirSync(path.join(root, CHECKS_DIR))
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => {
      const id = f.replace(/\.ts$/, "");
      const type =
        id.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, ch: string) => ch.toUpperCase()) + "Evidence";
      return { id, file: path.join(root, CHECKS_DIR, f), type };
    });
}

/**
 * `findings[].evidence` of the check document: one `if id = X then evidence matches XEvidence`
 * per check, so every finding's evidence has its documented shape.
 */
function withEvidence(builder: SchemaBuilder, program: ts.Program, root: string): Schema[] {
  return evidenceModules(root).map(({ id, file, type }) => {
    const { type: t, node } = exportedType(program, file, type);
    return {
      if: { properties: { id: { const: id } }, required: ["id"] },
      then: { properties: { evidence: builder.of(t, node) } },
    };
  });
}

/**
 * Every schema file's content, keyed by file name, generated from the types under `root`.
 * @throws Error when a document or evidence type is missing, or a type has no JSON form.
 */
export function generateSchemas(root: string): Record<string, Schema> {
  const files = [
    ...DOCUMENTS.map((d) => path.join(root, d.module)),
    ...evidenceModules(root).map((e) => e.file),
  ];
  const program = ts.createProgram(files, {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  });
  const out: Record<string, Schema> = {};
  for (const d of DOCUMENTS) {
    const builder = new SchemaBuilder(program.getTypeChecker());
    const { type, node } = exportedType(program, path.join(root, d.module), d.type);
    const top = builder.of(type, node);
    if (d.type === "CheckJsonDocument") {
      const finding = builder.defs.get("ReportedFinding");
      if (finding === undefined)
        throw new Error("generate-schemas: the check document has no ReportedFinding");
      builder.defs.set("ReportedFinding", { ...finding, allOf: withEvidence(builder, program, root) });
    }
    const defs = Object.fromEntries([...builder.defs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    out[d.file] = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: `${SCHEMA_BASE}${d.file}`,
      title: d.title,
      description: `Generated from ${d.module} (${d.type}) by scripts/generate-schemas.ts; do not edit.`,
      ...top,
      $defs: defs,
    };
  }
  return out;
}

/** The text of one schema file: two-space indented JSON with a final newline. */
export function schemaText(schema: Schema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const root = path.resolve(process.argv[2] ?? process.cwd());
  const dir = path.join(root, "schemas");
  mkdirSync(dir, { recursive: true });
  for (const [file, schema] of Object.entries(generateSchemas(root))) {
    writeFileSync(path.join(dir, file), schemaText(schema));
    console.log(`wrote schemas/${file}`);
  }
}
