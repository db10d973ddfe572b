/**
 * `koff-doctor explain ID` prints the documentation shipped in the package: every check's page,
 * every runbook step and triage indicator, whole pages and sections; an unknown ID is a usage
 * error naming close matches. The packed tarball case is in test/library/packed-tarball.test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { closeMatches, docTopics, headingAnchor, tableRows } from "../../src/cli/docs/doc-topics.js";
import { packageRoot } from "../../src/cli/docs/package-docs.js";
import type { IndicatorId } from "../../src/triage/index.js";
import { CHECK_IDS, STEP_IDS } from "../../src/vocabulary/index.js";
import { REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

/** Every indicator id; `satisfies` makes a new id a compile error here until it is listed. */
const INDICATORS = Object.keys({
  signature: 1,
  location: 1,
  "file-size": 1,
  packing: 1,
  "executable-behavior": 1,
  "dynamic-imports": 1,
  process: 1,
  "cpu-network": 1,
  "provider-exports": 1,
  identity: 1,
  "certificate-table": 1,
} satisfies Record<IndicatorId, 1>);

describe("koff-doctor explain", () => {
  it("finds the package root from dist/, where docs/ ships", () => {
    assert.equal(packageRoot(), REPO_ROOT);
    assert.equal(packageRoot(tmpdir()), undefined, "no koff-doctor package above /tmp");
  });

  for (const id of CHECK_IDS)
    it(`check ${id}: prints docs/checks/${id}.md`, async () => {
      const r = await runCli(["explain", id]);
      assert.equal(r.code, 0, r.stderr);
      const page = readFileSync(path.join(REPO_ROOT, "docs", "checks", `${id}.md`), "utf8");
      assert.equal(r.stdout, `${page.trimEnd()}\n`);
    });

  it("every runbook step prints its row of docs/runbook.md, as labelled fields", async () => {
    for (const id of STEP_IDS) {
      const r = await runCli(["explain", id]);
      assert.equal(r.code, 0, `${id}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^# Runbook step \`${id}\``), id);
      assert.match(r.stdout, /^kind: (acting|guided)$/m, id);
      assert.match(r.stdout, /^what it does: \S/m, id);
      assert.doesNotMatch(r.stdout, /\|/, `${id}: no table pipes left`);
    }
  });

  it("every triage indicator prints its row of docs/verdict.md", async () => {
    for (const id of INDICATORS) {
      const r = await runCli(["explain", id]);
      assert.equal(r.code, 0, `${id}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^# Triage indicator \`${id}\``), id);
      assert.match(r.stdout, /^suspicious when: /m, id);
    }
  });

  it("whole pages and sections print by name and anchor; ids are case-insensitive", async () => {
    const exit = await runCli(["explain", "exit-codes"]);
    assert.equal(
      exit.stdout,
      `${readFileSync(path.join(REPO_ROOT, "docs/exit-codes.md"), "utf8").trimEnd()}\n`,
    );
    const section = await runCli(["explain", "Restoring-A-Damaged-Run-By-Hand"]);
    assert.equal(section.code, 0, section.stderr);
    assert.match(section.stdout, /^### Restoring a damaged run by hand\n/);
    assert.doesNotMatch(section.stdout, /^## Where state lives/m, "stops at the next heading of its level");
  });

  it("an unknown id is a usage error listing close matches, and nothing on stdout", async () => {
    const r = await runCli(["explain", "cache-db-invalud"]);
    assert.equal(r.code, 64);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /no topic "cache-db-invalud"; did you mean cache-db-invalid\?/);
    const far = await runCli(["explain", "qqqqqqqqqq"]);
    assert.equal(far.code, 64);
    assert.doesNotMatch(far.stderr, /did you mean/);
    assert.equal((await runCli(["explain"])).code, 64, "no id");
  });

  it("--list names every check, step and indicator", async () => {
    const r = await runCli(["explain", "--list"]);
    assert.equal(r.code, 0);
    for (const id of [...CHECK_IDS, ...STEP_IDS, ...INDICATORS])
      assert.match(r.stdout, new RegExp(`^  ${id}$`, "m"));
  });

  it("works from the launcher in another working directory", () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "koff-explain-"));
    try {
      const r = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, "bin/koff-doctor.cjs"), "explain", "clear-cache"],
        {
          cwd,
          encoding: "utf8",
        },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Runbook step `clear-cache`/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe("doc topics (pure)", () => {
  it("anchors as GitHub spells them", () => {
    assert.equal(headingAnchor("Restoring a damaged run by hand"), "restoring-a-damaged-run-by-hand");
    assert.equal(
      headingAnchor("Trust: a journal or an image cannot lead repair or undo outside"),
      "trust-a-journal-or-an-image-cannot-lead-repair-or-undo-outside",
    );
    assert.equal(headingAnchor("`--at` and `events --since`"), "--at-and-events---since");
  });

  it("table rows become labelled fields; a missing section gives none", () => {
    const page =
      "# T\n\n## Steps\n\n| step | kind |\n|---|---|\n| `a` | acting |\n| `b` | guided |\n\n## Next\n| x | y |\n|---|---|\n| `c` | d |\n";
    assert.deepEqual(tableRows(page, "Steps"), [
      { id: "a", fields: ["kind: acting"] },
      { id: "b", fields: ["kind: guided"] },
    ]);
    assert.deepEqual(tableRows(page, "Nope"), []);
  });

  it("a check's page wins over a section of the same anchor; headings in code fences are not sections", () => {
    const pages = new Map([
      ["checks/foo.md", "# `foo`\n"],
      ["other.md", "# Other\n\n## Foo\ntext\n\n```\n## not-a-heading\n```\n"],
    ]);
    const topics = docTopics(pages);
    assert.equal(topics.find((t) => t.id === "foo")?.kind, "check");
    assert.equal(
      topics.some((t) => t.id === "not-a-heading"),
      false,
    );
    assert.equal(new Set(topics.map((t) => t.id)).size, topics.length, "ids are unique");
  });

  it("close matches: substrings and small edits, closest first, bounded", () => {
    const ids = ["cache-db-invalid", "cache-missing", "cache-orphan", "clear-cache", "signature"];
    assert.deepEqual(closeMatches("cache", ids).slice(0, 1), ["cache-db-invalid"]);
    assert.deepEqual(closeMatches("signatur", ids), ["signature"]);
    assert.deepEqual(closeMatches("zzzzzzzz", ids), []);
    assert.ok(closeMatches("c", ids, 2).length <= 2);
  });
});
