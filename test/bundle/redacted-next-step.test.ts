/**
 * What `check --bundle` prints to run next must run as printed on the machine the bundle came
 * from. A redacted bundle's user names are stand-ins (`user-1`) that name nobody there, so a
 * profile step's command leaves `--user` out and its `where` asks for the real name; the
 * unredacted bundle of the same image is the control, whose command names the user.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { BUNDLE_REPAIR_WHERE, REDACTED_BUNDLE_REPAIR_WHERE } from "../../src/report/next-step.js";
import { copyImage } from "../helpers/image-copy.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-11-21T00:00:00Z";

interface Next {
  argv: string[];
  command: string;
  where?: string;
}
interface Finding {
  id: string;
  remedy: string | null;
  next: Next;
}

describe("check --bundle of a redacted bundle: the repair commands it prints", () => {
  const { root, image } = copyImage("corrupt-cache");
  const findings: Record<"plain" | "redacted", Finding[]> = { plain: [], redacted: [] };
  before(async () => {
    for (const name of ["plain", "redacted"] as const) {
      const out = path.join(root, `${name}.zip`);
      const args = ["collect", "--image", image, "--at", AT, "--out", out];
      const collected = await runCli(name === "redacted" ? [...args, "--redact"] : args);
      assert.equal(collected.code, 0, collected.stderr);
      const check = await runCli(["check", "--bundle", out, "--json", "--at", AT]);
      findings[name] = (JSON.parse(check.stdout) as { findings: Finding[] }).findings;
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const clearCache = (name: "plain" | "redacted") => {
    const f = findings[name].find((x) => x.remedy === "clear-cache");
    assert.ok(f, `${name}: a finding whose remedy is clear-cache`);
    return f.next;
  };

  it("control: the unredacted bundle's command names the profile's user", () => {
    const next = clearCache("plain");
    assert.deepEqual(next.argv.slice(-2), ["--user", "alice"]);
    assert.equal(next.where, BUNDLE_REPAIR_WHERE);
  });

  it("the redacted bundle's command has no stand-in user, and says to add the real one", () => {
    const next = clearCache("redacted");
    assert.ok(!next.argv.includes("--user"), next.command);
    assert.doesNotMatch(next.command, /user-\d/);
    assert.deepEqual(next.argv.slice(0, 3), ["repair", "--step", "clear-cache"]);
    assert.equal(next.where, REDACTED_BUNDLE_REPAIR_WHERE);
  });

  it("no printed command of the redacted bundle carries a stand-in user name", () => {
    for (const f of findings.redacted) assert.doesNotMatch(f.next.command, /--user/, f.id);
  });
});
