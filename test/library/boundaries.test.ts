/**
 * The layering of src/ holds: the report layer sits below the library's callers and touches no
 * file system, process or adapter; nothing outside the CLI imports the CLI; the CLI's commands
 * reach the library through its public face (src/index.ts); and no file of src/ is part of an
 * import cycle. Imports are read with the TypeScript scanner
 * (`ts.preProcessFile`: static, type-only, re-exports and dynamic imports alike), so a comment
 * or a string never counts.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { REPO_ROOT } from "../helpers/repo.js";

const SRC = path.join(REPO_ROOT, "src");

/** Every .ts file under src/, as a path relative to src/ with forward slashes. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [path.relative(SRC, full).split(path.sep).join("/")] : [];
  });
}

/** A file's imports: `internal` as src-relative .ts paths, `external` as written (node:fs, commander). */
interface Imports {
  internal: string[];
  external: string[];
  /** The specifiers as written, for messages and the commands' rule. */
  written: string[];
}

function importsOf(file: string): Imports {
  const text = readFileSync(path.join(SRC, file), "utf8");
  const written = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  const internal: string[] = [];
  const external: string[] = [];
  for (const spec of written) {
    if (!spec.startsWith(".")) {
      external.push(spec);
      continue;
    }
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    internal.push(target.endsWith(".js") ? `${target.slice(0, -3)}.ts` : target);
  }
  return { internal, external, written };
}

const FILES = sourceFiles();
const GRAPH = new Map(FILES.map((f) => [f, importsOf(f)]));

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    const next = GRAPH.get(v)?.internal.filter((w) => GRAPH.has(w)) ?? [];
    for (const w of next) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.includes(v)) out.push(component.sort());
    }
  };
  for (const f of FILES) if (!index.has(f)) visit(f);
  return out;
}

test("the import graph was read: the face, the report layer and the commands are there", () => {
  for (const f of ["index.ts", "report/index.ts", "report/exit-codes.ts", "cli/commands/triage.ts"])
    assert.ok(GRAPH.has(f), `${f} not found under src/`);
  assert.ok(GRAPH.get("cli/commands/triage.ts")!.written.includes("../../index.js"));
});

// ESLint's import-x/no-cycle ignores `import type` edges (erased from the built JavaScript);
// this counts them too, so the source graph a reader follows has no loop either.
test("no file of src/ is part of an import cycle, type-only imports included", () => {
  assert.deepEqual(
    cycles().map((c) => c.join(" ↔ ")),
    [],
  );
});

test("src/report imports no file system, process, adapter or CLI module", () => {
  const banned = /^(node:)?(fs|fs\/promises|child_process)$/;
  const offences = [...GRAPH]
    .filter(([f]) => f.startsWith("report/"))
    .flatMap(([f, i]) => [
      ...i.external.filter((s) => banned.test(s)).map((s) => `${f} → ${s}`),
      ...i.internal.filter((s) => /^(adapters|cli)\//.test(s)).map((s) => `${f} → src/${s}`),
    ]);
  assert.deepEqual(offences, []);
});

test("nothing outside src/cli imports the CLI (the library does not depend on its command line)", () => {
  const offences = [...GRAPH]
    .filter(([f]) => !f.startsWith("cli/"))
    .flatMap(([f, i]) => i.internal.filter((s) => s.startsWith("cli/")).map((s) => `${f} → src/${s}`));
  assert.deepEqual(offences, []);
});

/**
 * Deep imports the commands still make: choosing the source (live, image, bundle) and the live
 * repair environment, which the library's `openSource` replaces when it is merged.
 */

test("the CLI commands import only cli/ helpers, the public face (src/index.ts) and packages", () => {
  const offences = [...GRAPH]
    .filter(([f]) => f.startsWith("cli/commands/"))
    .flatMap(([f, i]) =>
      i.written.filter((s) => s.startsWith("../../") && s !== "../../index.js").map((s) => `${f} → ${s}`),
    );
  assert.deepEqual(offences, []);
  // Commands do not import each other either: what two share is a cli/ helper.
  const crossed = [...GRAPH]
    .filter(([f]) => f.startsWith("cli/commands/"))
    .flatMap(([f, i]) => i.written.filter((s) => s.startsWith("./")).map((s) => `${f} → ${s}`));
  assert.deepEqual(crossed, []);
});
