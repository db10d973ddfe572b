/**
 * `repair --guided` on a real pseudo-terminal (tmux): a y answer applies its step and a n answer
 * leaves its step's files alone; the printed undo command, run as printed, restores the image byte
 * for byte; Ctrl-C stops with 130 and changes nothing; end of input is No. Without a terminal the
 * command refuses with 64 and names the one-step commands.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { EXAMPLES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";
import pc from "picocolors";
import {
  guidedSourceArgs,
  runGuidedRepair,
  type GuidedAnswer,
  type GuidedPrompter,
} from "../../src/cli/guided-repair.js";
import type { CliIo } from "../../src/cli/io.js";
import { openSource, quoteArg, repairEnvironment } from "../../src/index.js";

/** `arg` quoted for sh, as the printed commands quote it on this (POSIX) test host. */
const shellQuote = (arg: string) => quoteArg(arg, "posix");

const LAUNCHER = path.join(REPO_ROOT, "bin", "koff-doctor.cjs");

const missingTool = (tool: string, arg: string) =>
  spawnSync(tool, [arg], { stdio: "ignore" }).error ? `${tool} is not installed` : false;
const skip = missingTool("tmux", "-V") || missingTool("hivexregedit", "--help");

/** sha256 of every file under `root`, by relative path. */
function treeHashes(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(path.relative(root, full), createHash("sha256").update(readFileSync(full)).digest("hex"));
    }
  };
  walk(root);
  return out;
}

/** A copy of a sample image in a folder whose name has a space (printed commands must quote it). */
function copyImage(name: string): { tmp: string; image: string } {
  const tmp = mkdtempSync(path.join(tmpdir(), "koff-guided-"));
  const image = path.join(tmp, "my image");
  cpSync(path.join(EXAMPLES, name), image, { recursive: true });
  return { tmp, image };
}

/** One tmux server of our own (its own socket), running the CLI on a pseudo-terminal. */
class TmuxSession {
  private readonly socket = `koff-guided-${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor(command: string, env: Record<string, string>) {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    // The shell keeps the pane open after the CLI exits, so its last screen can still be read.
    this.tmux(
      "new-session",
      "-d",
      "-x",
      "250",
      "-y",
      "200",
      ...envArgs,
      `${command}; echo EXIT=$?; sleep 3600`,
    );
  }

  private tmux(...args: string[]): string {
    const r = spawnSync("tmux", ["-f", "/dev/null", "-L", this.socket, ...args], { encoding: "utf8" });
    assert.equal(r.status, 0, `tmux ${args[0]}: ${r.stderr}`);
    return r.stdout;
  }

  screen(): string {
    return this.tmux("capture-pane", "-p", "-J", "-S", "-");
  }

  /** Waits until the screen shows `text` `times` times (polling; gives up after about 5 minutes). */
  async waitFor(text: string, times = 1): Promise<string> {
    for (let i = 0; i < 1500; i++) {
      const s = this.screen();
      if (s.split(text).length - 1 >= times) return s;
      await sleep(200);
    }
    throw new Error(`never saw ${JSON.stringify(text)}; screen:\n${this.screen()}`);
  }

  keys(...keys: string[]): void {
    this.tmux("send-keys", ...keys);
  }

  kill(): void {
    spawnSync("tmux", ["-L", this.socket, "kill-server"], { stdio: "ignore" });
  }
}

const guidedCommand = (image: string) =>
  `${shellQuote(process.execPath)} ${shellQuote(LAUNCHER)} repair --guided --image ${shellQuote(image)}`;

describe("repair --guided on a pseudo-terminal", { skip }, () => {
  it("y applies a step, n skips one, and the printed undo command restores the image byte for byte", async () => {
    const { tmp, image } = copyImage("orphan-cache");
    const env = { XDG_STATE_HOME: path.join(tmp, "state"), NO_COLOR: "1" };
    const before = treeHashes(image);
    const session = new TmuxSession(guidedCommand(image), env);
    try {
      await session.waitFor("Apply recreate-profile? [y/N]");
      session.keys("y", "Enter");
      await session.waitFor("Apply remove-leftovers? [y/N]");
      session.keys("n", "Enter");
      const screen = await session.waitFor("EXIT=");
      assert.match(screen, /EXIT=0/);
      assert.match(screen, /re-checked: cleared cache-missing/);
      assert.match(screen, /skipped remove-leftovers: nothing changed/);
      const after = treeHashes(image);
      const ntuser = path.join("Users", "alice", "NTUSER.DAT");
      assert.notEqual(after.get(ntuser), before.get(ntuser), "the y step edited the profile's hive");
      for (const [file, hash] of before)
        if (file.includes("Kerio (old)")) assert.equal(after.get(file), hash, `the n step left ${file}`);

      const undo = /^ {4}(koff-doctor undo \S+ --image .+)$/m.exec(screen)?.[1];
      assert.ok(undo, `the summary prints the undo command:\n${screen}`);
      assert.ok(undo.includes(shellQuote(image)), "the undo command names the image, quoted");
      const r = spawnSync(
        "sh",
        ["-c", undo.replace(/^koff-doctor/, `${shellQuote(process.execPath)} ${shellQuote(LAUNCHER)}`)],
        {
          encoding: "utf8",
          env: { ...process.env, ...env },
        },
      );
      assert.equal(r.status, 0, `${undo}: ${r.stderr}`);
      assert.deepEqual(treeHashes(image), before, "undo restored every file byte for byte");
    } finally {
      session.kill();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("Ctrl-C at a prompt stops with 130 and changes nothing", async () => {
    const { tmp, image } = copyImage("orphan-cache");
    const before = treeHashes(image);
    const session = new TmuxSession(guidedCommand(image), {
      XDG_STATE_HOME: path.join(tmp, "state"),
      NO_COLOR: "1",
    });
    try {
      await session.waitFor("Apply recreate-profile? [y/N]");
      session.keys("C-c");
      const screen = await session.waitFor("EXIT=");
      assert.match(screen, /EXIT=130/);
      assert.match(screen, /Stopped \(Ctrl-C\)/);
      assert.match(screen, /nothing was changed/);
      assert.deepEqual(treeHashes(image), before);
    } finally {
      session.kill();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("end of input (Ctrl-D) answers No to every step", async () => {
    const { tmp, image } = copyImage("orphan-cache");
    const before = treeHashes(image);
    const session = new TmuxSession(guidedCommand(image), {
      XDG_STATE_HOME: path.join(tmp, "state"),
      NO_COLOR: "1",
    });
    try {
      await session.waitFor("Apply recreate-profile? [y/N]");
      session.keys("C-d");
      const screen = await session.waitFor("EXIT=");
      assert.match(screen, /EXIT=0/);
      assert.match(screen, /skipped: {2}recreate-profile, remove-leftovers/);
      assert.deepEqual(treeHashes(image), before);
    } finally {
      session.kill();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("repair --guided without a terminal", () => {
  it("refuses with 64 and points to --step ID --apply with the source options", async () => {
    const image = path.join(EXAMPLES, "orphan-cache");
    const r = await runCli(["repair", "--guided", "--image", image]);
    assert.equal(r.code, 64);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /--guided needs a terminal/);
    assert.ok(
      r.stderr.includes(`koff-doctor repair --step ID --apply --image ${shellQuote(image)}`),
      r.stderr,
    );
  });

  it("the real launcher with piped stdin refuses too, without reading the image", () => {
    const r = spawnSync(process.execPath, [LAUNCHER, "repair", "--guided", "--image", "/nonexistent"], {
      input: "y\ny\n",
      encoding: "utf8",
    });
    assert.equal(r.status, 64);
    assert.match(r.stderr, /--guided needs a terminal/);
  });

  it("refuses to mix --guided with --step or --apply", async () => {
    const r = await runCli(["repair", "--guided", "--step", "clear-cache", "--image", EXAMPLES]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /takes no --step/);
  });
});

describe("guidedSourceArgs", () => {
  it("quotes as every printed command does (next-step): POSIX single quotes, Windows as CommandLineToArgvW reads back", () => {
    assert.equal(guidedSourceArgs({ image: "/tmp/img" }, "posix"), " --image /tmp/img");
    assert.equal(
      guidedSourceArgs({ image: "/tmp/my image", state: "/s" }, "posix"),
      " --image '/tmp/my image' --state /s",
    );
    assert.equal(guidedSourceArgs({ image: "it's $HOME" }, "posix"), ` --image 'it'\\''s $HOME'`);
    assert.equal(
      guidedSourceArgs({ image: "C:\\Program Files\\x" }, "windows"),
      ' --image "C:\\Program Files\\x"',
    );
    assert.equal(guidedSourceArgs({ state: "C:\\state" }, "windows"), " --state C:\\state");
    // A trailing backslash inside quotes is doubled: CommandLineToArgvW would read `\"` as a quote.
    assert.equal(guidedSourceArgs({ image: "D:\\my image\\" }, "windows"), ' --image "D:\\my image\\\\"');
    assert.equal(guidedSourceArgs({}, "posix"), "");
    const r = spawnSync("sh", ["-c", `printf '%s|'${guidedSourceArgs({ image: "a 'b' $c \\d" }, "posix")}`], {
      encoding: "utf8",
    });
    assert.equal(r.stdout, "--image|a 'b' $c \\d|");
  });
});

describe("runGuidedRepair with scripted answers", () => {
  /** A prompter answering from `answers` in order (then end of input: no), recording questions. */
  const scripted = (answers: GuidedAnswer[]) => {
    const asked: string[] = [];
    const prompter: GuidedPrompter = {
      ask: async (q) => (asked.push(q), answers.shift() ?? "no"),
      interrupted: () => false,
      close: () => {},
    };
    return { prompter, asked };
  };
  const io = (out: string[]): CliIo => ({
    stdout: (t) => void out.push(t),
    stderr: (t) => void out.push(t),
    colors: pc.createColors(false),
    interactive: false,
    env: {},
    cwd: process.cwd(),
  });

  /** A session on a copy of `scenario` (a `yes` would change it; examples/ is never touched). */
  const session = async (scenario: string, answers: GuidedAnswer[]) => {
    const { tmp, image } = copyImage(scenario);
    const state = path.join(tmp, "state");
    const before = treeHashes(image);
    try {
      const { prompter, asked } = scripted(answers);
      const out: string[] = [];
      const open = async () =>
        repairEnvironment((await openSource({ image })).snapshot, {
          imageRoot: image,
          stateDir: state,
          trustFiles: [],
          env: {},
        });
      const outcome = await runGuidedRepair(open, { image, state }, io(out), prompter);
      return { outcome, asked, text: out.join(""), unchanged: isDeepStrictEqual(treeHashes(image), before) };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  };

  it("guided-only steps print their instructions without a question", async () => {
    const { outcome, asked, text, unchanged } = await session("koff-uninstalled", ["yes"]);
    assert.deepEqual(asked, []);
    assert.ok(unchanged);
    assert.deepEqual([outcome.applied, outcome.skipped, outcome.exitCode], [[], [], 0]);
    assert.match(text, /reinstall-koff/);
    assert.match(text, /nothing was changed/);
  });

  it("n skips an acting step; the summary names it and the command to apply it later", async () => {
    const { outcome, asked, text, unchanged } = await session("missing-av-exclusions", ["no"]);
    assert.deepEqual(asked, ["Apply av-exclusions? [y/N] "]);
    assert.ok(unchanged);
    assert.deepEqual(outcome.skipped, ["av-exclusions"]);
    assert.match(text, /findings left: av-exclusion-missing/);
    assert.match(text, /koff-doctor repair --step ID --apply --image \S/);
  });
});
