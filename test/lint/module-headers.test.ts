/**
 * Module headers tell the truth: the first `/** … *\/` block of every file under src/ cites only
 * what a reader of the repository can open (a public document, a page under docs/, another
 * file), never the private briefs the code was first written from, and every URL it cites is
 * listed in docs/sources.md.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../helpers/repo.js";

/** Citations of documents that are not in the repository, each with why it is refused. */
const PRIVATE_CITATIONS: Array<[RegExp, string]> = [
  [/PRODUCT\.md/, "PRODUCT.md"],
  [/STYLE\.md/, "STYLE.md"],
  [/research\//, "research/"],
  [/seeds\//, "seeds/"],
  [/\.\.\/shared/, "../shared"],
  [/[\w-]+-facts\.md/, "a research fact sheet"],
  [/authenticode-brief/, "the Authenticode research brief"],
  [/\bissue (\d+|")/i, "an issue of the project's tracker"],
];

/** The first `/** … *\/` block of a file, when the file starts with one. */
export function moduleHeader(text: string): string | undefined {
  return /^\s*(\/\*\*[\s\S]*?\*\/)/.exec(text)?.[1];
}

/** What a header cites that a reader cannot open (empty when nothing). */
export function privateCitations(header: string): string[] {
  return PRIVATE_CITATIONS.filter(([pattern]) => pattern.test(header)).map(([, what]) => what);
}

/** URLs in a header, cut at the first character that cannot end one in running text. */
export function citedUrls(header: string): string[] {
  return [...header.matchAll(/https?:\/\/[^\s)>\]`"]+/g)].map((m) => m[0].replace(/[.,;:]+$/, ""));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.isFile() && entry.name.endsWith(".ts") ? [full] : [];
  });
}

const headers = sourceFiles(path.join(REPO_ROOT, "src")).flatMap((file) => {
  const header = moduleHeader(readFileSync(file, "utf8"));
  return header === undefined ? [] : [{ file: path.relative(REPO_ROOT, file), header }];
});

describe("module headers", () => {
  it("the detector catches each private citation and passes public ones", () => {
    assert.deepEqual(privateCitations('/** Source: PRODUCT.md "triage"; STYLE.md principle 3. */'), [
      "PRODUCT.md",
      "STYLE.md",
    ]);
    assert.deepEqual(privateCitations("/** research/koff-facts.md §1; seeds/000; ../shared/corpus */"), [
      "research/",
      "seeds/",
      "../shared",
      "a research fact sheet",
    ]);
    assert.deepEqual(privateCitations('/** Source: issue 6 ("Reading is safe"); issue "check". */'), [
      "an issue of the project's tracker",
    ]);
    assert.deepEqual(
      privateCitations("/** Source: RFC 5652 §5.4; docs/bundle.md (conformance issues). */"),
      [],
    );
  });

  it("reads a header from the top of src/ files", () => {
    assert.ok(headers.length > 150, `only ${headers.length} headers found under src/`);
  });

  it("no src/ header cites PRODUCT.md, STYLE.md, research/, seeds/, ../shared, fact sheets or issues", () => {
    const offenders = headers.flatMap(({ file, header }) =>
      privateCitations(header).map((what) => `${file}: ${what}`),
    );
    assert.deepEqual(offenders, []);
  });

  it("every URL a header cites is listed in docs/sources.md", () => {
    const sources = readFileSync(path.join(REPO_ROOT, "docs", "sources.md"), "utf8");
    const missing = headers.flatMap(({ file, header }) =>
      citedUrls(header)
        .filter((url) => !sources.includes(url))
        .map((url) => `${file}: ${url}`),
    );
    assert.deepEqual(missing, []);
  });
});
