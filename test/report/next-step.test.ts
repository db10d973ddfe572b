/**
 * The commands koff-doctor prints (src/report/next-step.ts): quoting that a real shell reads back
 * word for word, the source, profile and user each repair step needs, and the bundle form.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import {
  BUNDLE_REPAIR_WHERE,
  REDACTED_BUNDLE_REPAIR_WHERE,
  commandSourceOf,
  findingNextStep,
  formatCommand,
  quoteArg,
  repairStep,
  trustFilesOf,
} from "../../src/report/next-step.js";
import { shellWords } from "../helpers/shell-words.js";

/** Awkward arguments: spaces, quotes, shell metacharacters, a leading dash, empty, non-ASCII. */
const NASTY = [
  "plain",
  "with space",
  "o'brien",
  "it's 'quoted'",
  'say "hi"',
  "$HOME",
  "`id`",
  "a;b&c|d",
  "*.dll",
  "C:\\Users\\bob\\",
  "trailing\\",
  "",
  "Bücher (alt)",
  "-x",
  "#hash",
  "tab\there",
];

/** How CommandLineToArgvW / the MSVC runtime split one quoted argument (the rules the Windows quoting targets). */
function windowsArgv(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const blank = (ch: string | undefined) => ch === " " || ch === "\t";
  while (i < line.length) {
    while (blank(line[i])) i++;
    if (i >= line.length) break;
    let word = "";
    let quoted = false;
    while (i < line.length && (quoted || !blank(line[i]))) {
      let slashes = 0;
      while (line[i] === "\\") {
        slashes++;
        i++;
      }
      if (line[i] === '"') {
        word += "\\".repeat(Math.floor(slashes / 2));
        if (slashes % 2 === 1) word += '"';
        else quoted = !quoted;
        i++;
      } else {
        word += "\\".repeat(slashes);
        if (slashes === 0) word += line[i++];
      }
    }
    out.push(word);
  }
  return out;
}

describe("quoting for the shell", () => {
  it("POSIX: /bin/sh reads every quoted argument back byte for byte", (t) => {
    const sh = spawnSync("sh", ["-c", "true"]);
    if (sh.error) return t.skip("no /bin/sh here");
    const line = NASTY.map((a) => quoteArg(a, "posix")).join(" ");
    const r = spawnSync("sh", ["-c", `for a in ${line}; do printf '%s\\0' "$a"; done`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split("\0").slice(0, -1), NASTY);
  });

  it("POSIX: the test's shell-words parser agrees with the quoting", () => {
    assert.deepEqual(shellWords(NASTY.map((a) => quoteArg(a, "posix")).join(" ")), NASTY);
  });

  it("POSIX: safe words stay bare, others are single-quoted", () => {
    assert.equal(quoteArg("/cases/pc1", "posix"), "/cases/pc1");
    assert.equal(quoteArg("Kerio (old)", "posix"), "'Kerio (old)'");
    assert.equal(quoteArg("o'brien", "posix"), "'o'\\''brien'");
    assert.equal(quoteArg("", "posix"), "''");
  });

  it("Windows: CommandLineToArgvW splitting reads every quoted argument back", () => {
    const line = NASTY.map((a) => quoteArg(a, "windows")).join(" ");
    assert.deepEqual(windowsArgv(line), NASTY);
    assert.equal(quoteArg("C:\\Program Files (x86)\\Kerio", "windows"), '"C:\\Program Files (x86)\\Kerio"');
    assert.equal(quoteArg("E:\\", "windows"), "E:\\");
  });
});

describe("repair commands carry what the step needs", () => {
  const image = { mode: "image", image: "/cases/pc 1" } as const;

  it("an image names --image DIR, quoted", () => {
    const s = repairStep("av-exclusions", image, "posix");
    assert.deepEqual(s.argv, ["repair", "--step", "av-exclusions", "--image", "/cases/pc 1"]);
    assert.equal(s.command, "koff-doctor repair --step av-exclusions --image '/cases/pc 1'");
    assert.equal(s.where, undefined);
  });

  it("profile steps carry --profile and --user; other steps do not", () => {
    const target = { profile: "Bob's", user: "alice" };
    assert.deepEqual(repairStep("clear-cache", image, "posix", target).argv.slice(5), [
      "--profile",
      "Bob's",
      "--user",
      "alice",
    ]);
    assert.deepEqual(repairStep("recreate-profile", { mode: "live" }, "windows", target).argv, [
      "repair",
      "--step",
      "recreate-profile",
      "--profile",
      "Bob's",
      "--user",
      "alice",
    ]);
    assert.equal(repairStep("remove-leftovers", image, "posix", target).argv.includes("--profile"), false);
  });

  it("trust files, state and --apply are added in that order", () => {
    const s = repairStep("rule-out-infection", image, "posix", {
      trust: ["/pki/root.pem"],
      state: "/st",
      apply: true,
    });
    assert.deepEqual(s.argv.slice(5), ["--trust", "/pki/root.pem", "--state", "/st", "--apply"]);
  });

  it("a bundle cannot be repaired: the live command, quoted for Windows, with where to run it", () => {
    const s = repairStep("clear-cache", { mode: "bundle", bundle: "/tmp/b.zip" }, "posix", {
      profile: "Kerio (old)",
    });
    assert.deepEqual(s.argv, ["repair", "--step", "clear-cache", "--profile", "Kerio (old)"]);
    assert.equal(s.command, 'koff-doctor repair --step clear-cache --profile "Kerio (old)"');
    assert.equal(s.where, BUNDLE_REPAIR_WHERE);
  });

  it("a redacted bundle's stand-in user is left out of a profile step, and where asks for the real one", () => {
    const source = commandSourceOf({
      mode: "bundle",
      source: "bundle /tmp/b.zip",
      host: { idSource: "machine-guid-sha256" },
    });
    assert.deepEqual(source, { mode: "bundle", bundle: "/tmp/b.zip", redacted: true });
    const s = repairStep("clear-cache", source, "posix", { profile: "Kerio", user: "user-1" });
    assert.deepEqual(s.argv, ["repair", "--step", "clear-cache", "--profile", "Kerio"]);
    assert.equal(s.where, REDACTED_BUNDLE_REPAIR_WHERE);
    // A step that names no user keeps the plain bundle wording.
    assert.equal(repairStep("rule-out-infection", source, "posix").where, BUNDLE_REPAIR_WHERE);
    const plain = commandSourceOf({
      mode: "bundle",
      source: "bundle /tmp/b.zip",
      host: { idSource: "machine-guid" },
    });
    assert.deepEqual(repairStep("clear-cache", plain, "posix", { user: "alice" }).argv.slice(-2), [
      "--user",
      "alice",
    ]);
  });

  it("a finding without a remedy points to its doc page", () => {
    const s = findingNextStep({ id: "office-not-found", remedy: null, evidence: {} }, image, "posix");
    assert.equal(s.command, "koff-doctor explain office-not-found");
  });

  it("a finding's evidence narrows a profile step; non-string evidence is ignored", () => {
    const s = findingNextStep(
      { id: "cache-db-invalid", remedy: "clear-cache", evidence: { profile: "Kerio", user: 7 } },
      image,
      "posix",
      ["a b.pem"],
    );
    assert.equal(
      s.command,
      "koff-doctor repair --step clear-cache --image '/cases/pc 1' --profile Kerio --trust 'a b.pem'",
    );
  });

  it("the source is read back from a report's mode and source fields", () => {
    assert.deepEqual(commandSourceOf({ mode: "image", source: "image /a b" }), {
      mode: "image",
      image: "/a b",
    });
    assert.deepEqual(commandSourceOf({ mode: "bundle", source: "bundle /x.zip" }), {
      mode: "bundle",
      bundle: "/x.zip",
    });
    assert.deepEqual(commandSourceOf({ mode: "live", source: "live" }), { mode: "live" });
    // A source that does not name its path is read as live rather than as a wrong path.
    assert.deepEqual(commandSourceOf({ mode: "image", source: "image" }), { mode: "live" });
    assert.deepEqual(trustFilesOf({ trust: ["node-bundled-roots", "file:/p/a.pem", "windows-ROOT"] }), [
      "/p/a.pem",
    ]);
    assert.equal(formatCommand(["explain", "x"], "posix"), "koff-doctor explain x");
  });
});
