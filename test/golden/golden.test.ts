/**
 * Golden JSON: the machine-readable output of every sample image, byte for byte. A refactor that
 * claims "no behaviour change" proves it here: `check --json`, `check --sarif`, `triage --json`
 * and `triage --sarif` on each image in examples/, and `check --json` / `triage --json` on a bundle
 * collected from it, must equal the files under test/golden/expected/.
 *
 * Regenerate (only when a behaviour change is intended, and say so in the commit):
 *   npm run golden:update
 *
 * Three things are normalised, because they name where or when the run happened rather than what
 * it found: the repository's absolute path becomes `<repo>`, the temporary bundle's path
 * `<bundle>`, and the run's `runId` and `collectedAt` `<run-id>` and `<collected-at>`.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { EXAMPLES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const AT = "2026-01-01T00:00:00Z";
const EXPECTED = path.join(REPO_ROOT, "test", "golden", "expected");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const scenarios = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !["src", "tools"].includes(d.name))
  .map((d) => d.name)
  .sort();

const scratch = mkdtempSync(path.join(tmpdir(), "koff-golden-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function normalise(text: string, bundle?: string): string {
  let out = text.split(REPO_ROOT).join("<repo>");
  if (bundle !== undefined) out = out.split(bundle).join("<bundle>");
  return out
    .replace(/^ {2}"runId": "[0-9a-f-]{36}",$/m, '  "runId": "<run-id>",')
    .replace(/^ {2}"collectedAt": "[0-9T:.Z-]+",$/m, '  "collectedAt": "<collected-at>",');
}

async function output(args: string[], bundle?: string): Promise<string> {
  const { stdout, stderr } = await runCli(args);
  assert.ok(stdout.length > 0, `no output from ${args.join(" ")}: ${stderr}`);
  return normalise(stdout, bundle);
}

function compare(name: string, actual: string): void {
  const file = path.join(EXPECTED, name);
  if (UPDATE) {
    mkdirSync(EXPECTED, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  const expected = readFileSync(file, "utf8");
  // Equal strings, not deepEqual: key order and whitespace are part of the contract.
  assert.ok(
    actual === expected,
    `${name} differs from test/golden/expected/${name}; regenerate with \`npm run golden:update\` only if the change is intended`,
  );
}

describe("golden JSON output of the sample images", () => {
  test("there are sample images to compare", () => {
    assert.ok(scenarios.length >= 7, `found ${scenarios.join(", ")}`);
  });

  for (const scenario of scenarios) {
    test(scenario, async () => {
      const image = path.join(EXAMPLES, scenario);
      compare(`${scenario}.check.json`, await output(["check", "--image", image, "--json", "--at", AT]));
      compare(
        `${scenario}.triage.json`,
        await output(["triage", "-r", image, "--image", image, "--json", "--at", AT]),
      );
      compare(
        `${scenario}.triage.sarif`,
        await output(["triage", "-r", image, "--image", image, "--sarif", "--at", AT]),
      );
      compare(`${scenario}.check.sarif`, await output(["check", "--image", image, "--sarif", "--at", AT]));

      const bundle = path.join(scratch, `${scenario}.zip`);
      const collected = await runCli(["collect", "--image", image, "--at", AT, "--out", bundle]);
      assert.equal(collected.code, 0, collected.stderr);
      compare(
        `${scenario}.bundle-check.json`,
        await output(["check", "--bundle", bundle, "--json", "--at", AT], bundle),
      );
      compare(
        `${scenario}.bundle-triage.json`,
        await output(["triage", "--bundle", bundle, "--json", "--at", AT], bundle),
      );
    });
  }
});
