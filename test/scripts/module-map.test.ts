/**
 * scripts/module-map.ts on a scratch src/ tree whose sizes are known: folder counts, the
 * longest-first order, how functions are named, and which long functions are flagged; then on
 * this checkout's real src/, where no function over {@link LONG_FUNCTION_LINES} lines may lack a
 * comment above it saying why.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  buildModuleMap,
  formatModuleMap,
  LONG_FUNCTION_LINES,
  type ModuleMap,
} from "../../scripts/module-map.js";
import { REPO_ROOT } from "../helpers/repo.js";

/** A function of exactly `lines` lines (signature line, body, closing brace). */
function fn(name: string, lines: number): string {
  const body = Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`);
  return [`export function ${name}(): void {`, ...body, "}"].join("\n");
}

let root = "";
let map: ModuleMap;

describe("module-map", () => {
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), "koff-module-map-"));
    const put = (relative: string, text: string): void => {
      mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
      writeFileSync(path.join(root, relative), text);
    };
    const long = LONG_FUNCTION_LINES + 10;
    put("src/a/long.ts", [fn("unexplained", long), "", fn("short", 5), ""].join("\n"));
    put(
      "src/a/why.ts",
      [
        "// Long on purpose: one table-driven walk reads better than six helpers passing state.",
        fn("explained", long + 1),
        "",
        "/** Describes what it does, not why it is big. */",
        fn("documentedOnly", long + 2),
        "",
      ].join("\n"),
    );
    put(
      "src/b/c/members.ts",
      [
        "export class Box {",
        "  constructor() {}",
        "  get size(): number {",
        "    return 1;",
        "  }",
        "}",
        "export const arrow = (x: number): number => {",
        "  return x;",
        "};",
        "",
      ].join("\n"),
    );
    map = buildModuleMap(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("counts files and lines per folder (folders without .ts files are not listed)", () => {
    assert.deepEqual(
      map.folders.map((f) => [f.folder, f.files]),
      [
        ["src/a", 2],
        ["src/b/c", 1],
      ],
    );
    assert.equal(map.folders.find((f) => f.folder === "src/b/c")!.lines, 9);
    assert.equal(map.totals.files, 3);
  });

  it("lists functions longest first, with exact line counts and names from declarations, members and variables", () => {
    const long = LONG_FUNCTION_LINES + 10;
    assert.deepEqual(
      map.longestFunctions.slice(0, 3).map((f) => [f.name, f.lines]),
      [
        ["documentedOnly", long + 2],
        ["explained", long + 1],
        ["unexplained", long],
      ],
    );
    const names = map.longestFunctions.map((f) => f.name);
    for (const name of ["Box.constructor", "Box.size", "arrow", "short"])
      assert.ok(names.includes(name), name);
    assert.equal(map.longestFunctions.find((f) => f.name === "short")!.lines, 5);
  });

  it("flags long functions unless the comment right above says why they are long", () => {
    assert.deepEqual(
      map.unexplainedLong.map((f) => `${f.name} ${f.file}:${f.line}`),
      ["documentedOnly src/a/why.ts:135", "unexplained src/a/long.ts:1"],
    );
  });

  it("prints every section", () => {
    const text = formatModuleMap(map);
    assert.match(text, /^src\/: 3 files, \d+ lines, \d+ functions$/m);
    assert.match(text, /^Functions over 120 lines with no comment above saying why: 2$/m);
    assert.match(text, /^132 +documentedOnly +src\/a\/why\.ts:135$/m);
  });
});

describe("module-map of this checkout's src/", () => {
  it(`has no function over ${LONG_FUNCTION_LINES} lines without a comment above it saying why`, () => {
    const real = buildModuleMap(REPO_ROOT);
    // The analysis did read the tree: the map holds src/'s folders and many functions.
    assert.ok(real.totals.functions > 500, `only ${real.totals.functions} functions found`);
    assert.ok(real.folders.some((f) => f.folder === "src/registry/hive"));
    const offenders = real.unexplainedLong.map((f) => `${f.name} (${f.lines} lines) ${f.file}:${f.line}`);
    assert.deepEqual(offenders, [], `split these functions or say above each why it is long`);
  });
});
