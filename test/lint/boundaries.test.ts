/**
 * The boundary rules in eslint.config.js can fail: the core importing node:fs or an adapter, and
 * an import loop, each draw an error from the repository's own ESLint configuration. The probes
 * live in a scratch tree under the OS temp folder (src/check, src/adapters, src/bundle) whose
 * eslint.config.js re-exports the repository's, so nothing is written into the repository.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { ESLint } from "eslint";
import { REPO_ROOT } from "../helpers/repo.js";

let scratch = "";

function put(relative: string, text: string): string {
  const file = path.join(scratch, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

async function ruleIds(files: string[]): Promise<string[]> {
  const eslint = new ESLint({ cwd: scratch });
  const results = await eslint.lintFiles(files);
  return results.flatMap((r) => r.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`));
}

describe("eslint boundaries", () => {
  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "koff-lint-"));
    const config = pathToFileURL(path.join(REPO_ROOT, "eslint.config.js")).href;
    put(
      "eslint.config.js",
      `import { koffConfig } from ${JSON.stringify(config)};\nexport default koffConfig(import.meta.dirname);\n`,
    );
    put("tsconfig.json", JSON.stringify({ compilerOptions: { module: "NodeNext", strict: true } }));
    put("package.json", JSON.stringify({ type: "module" }));
    put("src/adapters/live/probe.ts", "export const probe = 1;\n");
    put(
      "src/check/uses-adapter.ts",
      'import { probe } from "../adapters/live/probe.js";\nexport const p = probe;\n',
    );
    put("src/check/loop-a.ts", 'import { b } from "./loop-b.js";\nexport const a = (): number => b() + 1;\n');
    put("src/check/loop-b.ts", 'import { a } from "./loop-a.js";\nexport const b = (): number => a() - 1;\n');
    put("src/check/clean.ts", 'import { probeText } from "./clean-dep.js";\nexport const c = probeText;\n');
    put("src/check/clean-dep.ts", 'export const probeText = "ok";\n');
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("rejects node:fs, fs/promises and child_process in a core folder (lintText in src/check)", async () => {
    const eslint = new ESLint({ cwd: REPO_ROOT });
    const snippet = [
      'import { readFileSync } from "node:fs";',
      'import { readFile } from "fs/promises";',
      'import { execFile } from "node:child_process";',
      "export const x = [readFileSync, readFile, execFile];",
      "",
    ].join("\n");
    const [result] = await eslint.lintText(snippet, {
      filePath: path.join(REPO_ROOT, "src", "check", "boundary-probe.ts"),
    });
    const restricted = result!.messages.filter((m) => m.ruleId === "no-restricted-imports");
    assert.deepEqual(
      restricted.map((m) => m.line),
      [1, 2, 3],
    );
  });

  it("allows the same import outside the core (src/bundle is not core)", async () => {
    const eslint = new ESLint({ cwd: REPO_ROOT });
    const [result] = await eslint.lintText(
      'import { readFileSync } from "node:fs";\nexport const x = readFileSync;\n',
      {
        filePath: path.join(REPO_ROOT, "src", "bundle", "boundary-probe.ts"),
      },
    );
    assert.deepEqual(result!.messages, []);
  });

  it("rejects a core file importing src/adapters (resolved through ./x.js → x.ts)", async () => {
    const ids = await ruleIds([path.join(scratch, "src/check/uses-adapter.ts")]);
    assert.deepEqual(ids, ["import-x/no-restricted-paths"]);
  });

  it("rejects two files importing each other", async () => {
    const ids = await ruleIds([
      path.join(scratch, "src/check/loop-a.ts"),
      path.join(scratch, "src/check/loop-b.ts"),
    ]);
    assert.deepEqual(ids, ["import-x/no-cycle", "import-x/no-cycle"]);
  });

  it("passes a core file with an ordinary one-way import", async () => {
    const ids = await ruleIds([path.join(scratch, "src/check/clean.ts")]);
    assert.deepEqual(ids, []);
  });
});
