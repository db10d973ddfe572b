/**
 * The module map of a checkout's src/: each folder's files and lines, the largest files, the
 * longest functions, and every function over {@link LONG_FUNCTION_LINES} lines that has no comment
 * immediately above it saying why it is long. `npm run module-map [-- ROOT]` prints it; it reads
 * src/ only and changes nothing.
 *
 * Functions are found with the TypeScript compiler API (`ts.createSourceFile`, syntax only, no
 * type checking): declarations, methods, constructors, accessors, and function or arrow
 * expressions, named after the variable, property or class member that holds them. A function's
 * length is the count of source lines from its first token (the `function`, the method name or
 * the arrow's parameters) to its closing brace; a nested function is counted inside its parent
 * and on its own. Source: TypeScript compiler API,
 * https://github.com/microsoft/TypeScript/wiki/Using-the-Compiler-API
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

/** Over this many lines, a function needs a comment right above it saying why. */
export const LONG_FUNCTION_LINES = 120;
/** How many files and functions the "largest" and "longest" lists show. */
export const TOP = 15;
/**
 * A comment explains a long function when it says so: it must end on the line right above the
 * function (or the statement holding it) and say why it is long: "long"/"longer", or "N lines".
 */
const WHY_LONG = /\b(long|longer|\d+ lines)\b/i;

export interface FolderStats {
  /** Folder relative to the root, POSIX separators (`src/pe`). */
  folder: string;
  /** `.ts` files directly in the folder. */
  files: number;
  /** Lines of those files (a final newline does not start a line). */
  lines: number;
}

export interface FileStats {
  file: string;
  lines: number;
}

export interface FunctionStats {
  name: string;
  file: string;
  /** 1-based line of the function's first token. */
  line: number;
  lines: number;
  /** True when a comment ending on the line above mentions why it is long. */
  explained: boolean;
}

export interface ModuleMap {
  folders: FolderStats[];
  largestFiles: FileStats[];
  longestFunctions: FunctionStats[];
  /** Functions over {@link LONG_FUNCTION_LINES} lines with no explaining comment, longest first. */
  unexplainedLong: FunctionStats[];
  totals: { files: number; lines: number; functions: number };
}

function countLines(text: string): number {
  if (text.length === 0) return 0;
  const newlines = text.split("\n").length - 1;
  return text.endsWith("\n") ? newlines : newlines + 1;
}

function listTsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTsFiles(full));
    else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

function propertyName(name: ts.PropertyName | ts.BindingName, sf: ts.SourceFile): string {
  return ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name)
    ? name.text
    : name.getText(sf);
}

/** The name a function goes by, and the node whose leading comments describe it. */
function nameAndAnchor(
  node: ts.FunctionLikeDeclaration,
  sf: ts.SourceFile,
): { name: string; anchor: ts.Node } {
  const className = (n: ts.Node): string => {
    const parent = n.parent;
    return parent && (ts.isClassDeclaration(parent) || ts.isClassExpression(parent)) && parent.name
      ? `${parent.name.text}.`
      : "";
  };
  if (ts.isConstructorDeclaration(node)) return { name: `${className(node)}constructor`, anchor: node };
  if (node.name) return { name: `${className(node)}${propertyName(node.name, sf)}`, anchor: node };
  // A function or arrow expression: named after what holds it.
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent)) {
    const statement = parent.parent?.parent;
    return { name: propertyName(parent.name, sf), anchor: statement ?? parent };
  }
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return { name: propertyName(parent.name, sf), anchor: parent };
  }
  if (ts.isExportAssignment(parent)) return { name: "default", anchor: parent };
  const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return { name: `(anonymous:${line + 1})`, anchor: node };
}

/** True when a comment ends on the line just above `anchor`'s first token and says why it is long. */
function hasWhyComment(anchor: ts.Node, sf: ts.SourceFile): boolean {
  const text = sf.getFullText();
  const ranges = ts.getLeadingCommentRanges(text, anchor.getFullStart()) ?? [];
  const last = ranges[ranges.length - 1];
  if (!last) return false;
  const startLine = sf.getLineAndCharacterOfPosition(anchor.getStart(sf)).line;
  const commentEndLine = sf.getLineAndCharacterOfPosition(last.end).line;
  return commentEndLine >= startLine - 1 && WHY_LONG.test(text.slice(last.pos, last.end));
}

function functionsOf(file: string, relative: string): FunctionStats[] {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out: FunctionStats[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const fn = node as ts.FunctionLikeDeclaration;
      const first = sf.getLineAndCharacterOfPosition(fn.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(fn.getEnd()).line;
      const { name, anchor } = nameAndAnchor(fn, sf);
      out.push({
        name,
        file: relative,
        line: first + 1,
        lines: last - first + 1,
        explained: hasWhyComment(anchor, sf),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Builds the map of `<root>/src`. Throws (ENOENT) when the folder does not exist. */
export function buildModuleMap(root: string): ModuleMap {
  const src = path.join(root, "src");
  const folders = new Map<string, FolderStats>();
  const files: FileStats[] = [];
  const functions: FunctionStats[] = [];
  for (const file of listTsFiles(src)) {
    const relative = path.relative(root, file).split(path.sep).join("/");
    const folder = path.posix.dirname(relative);
    const lines = countLines(readFileSync(file, "utf8"));
    const stats = folders.get(folder) ?? { folder, files: 0, lines: 0 };
    stats.files += 1;
    stats.lines += lines;
    folders.set(folder, stats);
    files.push({ file: relative, lines });
    functions.push(...functionsOf(file, relative));
  }
  const byLines = <T extends { lines: number }>(a: T, b: T): number => b.lines - a.lines;
  const longest = [...functions].sort(byLines);
  return {
    folders: [...folders.values()].sort((a, b) => a.folder.localeCompare(b.folder)),
    largestFiles: [...files].sort(byLines).slice(0, TOP),
    longestFunctions: longest.slice(0, TOP),
    unexplainedLong: longest.filter((f) => f.lines > LONG_FUNCTION_LINES && !f.explained),
    totals: {
      files: files.length,
      lines: files.reduce((n, f) => n + f.lines, 0),
      functions: functions.length,
    },
  };
}

/** Aligned columns: numbers to the right, text to the left. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const numeric = rows[0]!.map((_, i) => rows.every((r) => /^\d+$/.test(r[i]!)));
  return rows.map((r) =>
    r
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

/** The map as plain text, one section per list. */
export function formatModuleMap(map: ModuleMap): string {
  const { totals } = map;
  const lines = [`src/: ${totals.files} files, ${totals.lines} lines, ${totals.functions} functions`, ""];
  lines.push("Folders (files directly inside, lines)");
  lines.push(...table(map.folders.map((f) => [f.folder, String(f.files), String(f.lines)])), "");
  lines.push(`Largest ${TOP} files (lines)`);
  lines.push(...table(map.largestFiles.map((f) => [f.file, String(f.lines)])), "");
  lines.push(`Longest ${TOP} functions (lines, name, file:line)`);
  lines.push(...table(map.longestFunctions.map((f) => [String(f.lines), f.name, `${f.file}:${f.line}`])), "");
  lines.push(
    `Functions over ${LONG_FUNCTION_LINES} lines with no comment above saying why: ${map.unexplainedLong.length}`,
  );
  if (map.unexplainedLong.length > 0) {
    lines.push(...table(map.unexplainedLong.map((f) => [String(f.lines), f.name, `${f.file}:${f.line}`])));
  }
  return lines.join("\n") + "\n";
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const root = path.resolve(process.argv[2] ?? process.cwd());
  process.stdout.write(formatModuleMap(buildModuleMap(root)));
}
