/**
 * The sample images: each yields exactly its expected finding ids, check never writes to an
 * image, and an image laid out with other letter case (as another tool or a mounted NTFS volume
 * may present it) gives the same findings.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { checkMachine } from "../../src/app/check-machine.js";
import { SEVERITY_ORDER } from "../../src/check/finding.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { EXAMPLES } from "../helpers/repo.js";

const expected = JSON.parse(readFileSync(path.join(EXAMPLES, "expected.json"), "utf8")) as Record<
  string,
  string[]
>;
/** Fixed verification time so the sample certificates' validity never makes the test drift. */
const AT = new Date("2026-11-21T00:00:00Z");

async function findingIds(root: string): Promise<string[]> {
  const report = await checkMachine(createImageSnapshot(root), { at: AT });
  return [...new Set(report.findings.map((f) => f.id))].sort();
}

function hashTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(path.relative(root, p), createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  walk(root);
  return out;
}

describe("sample images", () => {
  it("cover the healthy machine and at least six broken scenarios", () => {
    assert.ok("healthy" in expected);
    assert.ok(Object.keys(expected).length >= 7);
  });

  for (const [scenario, ids] of Object.entries(expected)) {
    it(`${scenario} yields exactly ${ids.length ? ids.join(", ") : "no findings"}`, async () => {
      const root = path.join(EXAMPLES, scenario);
      const before = hashTree(root);
      assert.deepEqual(await findingIds(root), [...ids].sort());
      assert.deepEqual(hashTree(root), before, "check must not write to the image");
    });
  }

  it("the healthy image has no finding of warning or higher", async () => {
    const report = await checkMachine(createImageSnapshot(path.join(EXAMPLES, "healthy")), { at: AT });
    assert.deepEqual(
      report.findings.filter((f) => SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER.warning),
      [],
    );
    assert.equal(report.facts.triage.length >= 2, true, "the connector binaries were triaged");
    assert.ok(
      report.facts.triage.every((t) => t.verdict === "clean"),
      "genuine signed binaries triage clean",
    );
  });

  it("the planted DLL is judged malicious, with the indicators that say why", async () => {
    const report = await checkMachine(createImageSnapshot(path.join(EXAMPLES, "impostor-in-roaming")), {
      at: AT,
    });
    const stray = report.findings.find((f) => f.id === "stray-provider-dll")!;
    assert.equal(stray.severity, "critical");
    assert.equal(stray.evidence["verdict"], "malicious");
    const record = report.facts.triage.find((t) => /AppData\\Roaming/.test(t.windowsPath ?? ""))!;
    const malicious = record.indicators
      .filter((i) => i.level === "malicious")
      .map((i) => i.id)
      .sort();
    assert.deepEqual(malicious, ["executable-behavior", "location"]);
  });

  it("does not depend on our letter case: a re-cased copy gives the same findings", async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), "koff-recased-"));
    try {
      const copy = path.join(tmp, "img");
      cpSync(path.join(EXAMPLES, "impostor-in-roaming"), copy, { recursive: true });
      // Flip the case of every name, deepest first, alternating upper and lower by depth.
      const recase = (dir: string, depth: number) => {
        for (const name of readdirSync(dir)) {
          const p = path.join(dir, name);
          if (statSync(p).isDirectory()) recase(p, depth + 1);
          const flipped = depth % 2 === 0 ? name.toUpperCase() : name.toLowerCase();
          if (flipped !== name) renameSync(p, path.join(dir, flipped));
        }
      };
      recase(copy, 0);
      assert.ok(readdirSync(copy).includes("WINDOWS"));
      assert.deepEqual(await findingIds(copy), [...expected["impostor-in-roaming"]!].sort());
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
