/**
 * Every command koff-doctor prints runs as printed. For every sample image (and one copied to a
 * path with a space and an apostrophe, holding two damaged caches, one named with an
 * apostrophe), the text of `check`, `repair` (the ladder and each step's dry run) and
 * `triage -r --image` is read, each `next:`, `more:`, `plan:` and `apply:` line is split into
 * words as a POSIX shell would (test/helpers/shell-words.ts) and run through the CLI in plan
 * mode (`--apply` removed): each must be accepted (not a usage error, not a crash). The JSON
 * `next` of each finding must be the same command the text prints.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { EXAMPLES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";
import { shellWords } from "../helpers/shell-words.js";

const SCENARIOS = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !["src", "tools"].includes(d.name))
  .map((d) => d.name)
  .sort();

const scratch = mkdtempSync(path.join(tmpdir(), "koff-printed-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
/** Where repair plans keep state (the default is under XDG_STATE_HOME). */
const ENV = { XDG_STATE_HOME: path.join(scratch, "xdg") };

/** The commands a text output prints, by label: `next: koff-doctor …` → the command text. */
export function printedCommands(text: string): Array<{ label: string; command: string }> {
  const out: Array<{ label: string; command: string }> = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(next|more|plan|apply):\s+(koff-doctor\s.*)$/.exec(line);
    if (m) out.push({ label: m[1]!, command: m[2]!.trimEnd() });
  }
  return out;
}

/** Runs a printed command in plan mode; returns its exit code and output. */
async function runPrinted(command: string) {
  const words = shellWords(command);
  assert.equal(words[0], "koff-doctor", command);
  const argv = words.slice(1).filter((w) => w !== "--apply");
  return { argv, ...(await runCli(argv, ENV)) };
}

/** Asserts `command` is accepted: exit 0 for explain; for a plan any exit but usage (64) or internal (70). */
async function assertRuns(command: string, from: string): Promise<void> {
  const r = await runPrinted(command);
  const why = `${from}: \`${command}\` exited ${r.code}: ${r.stderr}`;
  assert.notEqual(r.code, 64, why);
  assert.notEqual(r.code, 70, why);
  assert.doesNotMatch(r.stderr, /usage|unknown option|error: /i, why);
  if (r.argv[0] === "explain") {
    assert.equal(r.code, 0, why);
    assert.ok(r.stdout.length > 40, `${why}: explain printed ${JSON.stringify(r.stdout)}`);
  } else if (r.argv[0] === "repair") {
    assert.ok(r.stdout.includes(r.argv[2]!), `${why}: the plan names its step`);
  }
}

/** Every command printed for `image`; runs each, and the dry run of each `plan:` line, and returns how many ran. */
async function exercise(image: string, label: string): Promise<number> {
  const state = path.join(scratch, `state-${label}`);
  const check = await runCli(["check", "--image", image], ENV);
  assert.ok([0, 1, 2].includes(check.code), `${label}: check exited ${check.code}: ${check.stderr}`);
  assert.doesNotMatch(check.stdout, /see docs\//, `${label}: no repository paths in the text`);
  const ladder = await runCli(["repair", "--image", image, "--state", state], ENV);
  assert.equal(ladder.code, 0, ladder.stderr);
  const triage = await runCli(["triage", "-r", image, "--image", image], ENV);
  const outputs: Array<[string, string]> = [
    ["check", check.stdout],
    ["repair ladder", ladder.stdout],
    ["triage", triage.stdout],
  ];
  // Each plan line's dry run prints the command that applies it.
  for (const p of printedCommands(ladder.stdout).filter((c) => c.label === "plan")) {
    const dry = await runPrinted(p.command);
    outputs.push([`dry run of ${p.command}`, dry.stdout]);
  }
  let ran = 0;
  for (const [from, text] of outputs)
    for (const c of printedCommands(text)) {
      await assertRuns(c.command, `${label} ${from}`);
      ran++;
    }
  // The JSON next of each finding is the command the text prints (text groups repeats).
  const json = JSON.parse((await runCli(["check", "--image", image, "--json"], ENV)).stdout) as {
    findings: Array<{ next: { argv: string[]; command: string }; explain: { command: string } }>;
  };
  const textNext = printedCommands(check.stdout)
    .filter((c) => c.label === "next")
    .map((c) => c.command);
  assert.deepEqual([...new Set(json.findings.map((f) => f.next.command))], [...new Set(textNext)], label);
  for (const f of json.findings) assert.deepEqual(shellWords(f.next.command).slice(1), f.next.argv);
  return ran;
}

describe("every printed command runs as printed (plan mode)", () => {
  for (const scenario of SCENARIOS)
    it(`examples/${scenario}`, async (t) => {
      const ran = await exercise(path.join(EXAMPLES, scenario), scenario);
      t.diagnostic(`${ran} printed command(s) ran`);
      if (scenario !== "healthy") assert.ok(ran > 0, "a broken image prints something to run");
    });

  it("an image under a path with a space and an apostrophe, with two damaged caches", async () => {
    const parent = path.join(scratch, "case o'brien");
    mkdirSync(parent, { recursive: true });
    const image = path.join(parent, "disk image");
    cpSync(path.join(EXAMPLES, "corrupt-cache"), image, { recursive: true });
    const caches = path.join(image, "Users/alice/AppData/Local/Kerio/Outlook Connector");
    cpSync(path.join(caches, "Kerio"), path.join(caches, "Bob's cache"), { recursive: true });
    const check = await runCli(["check", "--image", image], ENV);
    const next = printedCommands(check.stdout).filter((c) => c.label === "next");
    const clear = next.filter((c) => c.command.includes("clear-cache"));
    assert.equal(clear.length, 2, `one clear-cache line per damaged cache:\n${check.stdout}`);
    assert.ok(
      clear.some((c) => shellWords(c.command).includes("Bob's cache")),
      check.stdout,
    );
    // Without --profile the step is refused as ambiguous; the printed lines are not.
    const bare = await runCli(["repair", "--step", "clear-cache", "--image", image], ENV);
    assert.equal(bare.code, 64, "the bare step is ambiguous with two caches");
    assert.match(
      bare.stdout + bare.stderr,
      /--profile 'Bob'\\''s cache' --user alice/,
      "the refusal names runnable flags",
    );
    const ran = await exercise(image, "awkward");
    assert.ok(ran >= 6, `${ran} commands ran`);
  });
});
