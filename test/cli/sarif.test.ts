/**
 * SARIF that code scanning accepts: `triage --sarif` and `check --sarif` of every sample image
 * are SARIF 2.1.0 (the OASIS JSON schema, through ajv), every rule carries what GitHub's ingestion
 * asks for, results point at relative URIs with a declared base and keep the Windows path, and
 * Microsoft's SARIF Multitool (`validate` with its SARIF and GitHub rule sets) reports no error.
 * The Multitool test first validates an old-style log and requires errors from it, so a tool that
 * silently checks nothing cannot pass; it skips with a message when the tool cannot run.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { CHECK_FIRES_WHEN, evidencePlaces, hiveFileOf } from "../../src/cli/render/check-sarif.js";
import { hostArtifact, windowsArtifact } from "../../src/cli/render/sarif-log.js";
import { TRIAGE_RULES } from "../../src/cli/render/triage-sarif.js";
import { CHECK_IDS } from "../../src/vocabulary/index.js";
import { EXAMPLES, FIXTURES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";
import { multitoolErrors, sarifMultitool, sarifSchemaValidator } from "../helpers/sarif-tools.js";

const AT = ["--at", "2026-01-01T00:00:00Z"];

interface Sarif {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; rules: Array<Record<string, any>> } };
    originalUriBaseIds?: Record<string, { uri?: string }>;
    artifacts?: Array<Record<string, any>>;
    results: Array<Record<string, any>>;
  }>;
}

const images = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !["src", "tools"].includes(d.name))
  .map((d) => d.name)
  .sort();

async function sarifOf(args: string[]): Promise<{ text: string; log: Sarif }> {
  const r = await runCli([...args, "--sarif", ...AT]);
  assert.ok(r.stdout.length > 0, `${args.join(" ")}: ${r.stderr}`);
  return { text: r.stdout, log: JSON.parse(r.stdout) as Sarif };
}

/** Every log under test: name → text. */
const logs = new Map<string, string>();

const scratch = mkdtempSync(path.join(tmpdir(), "koff-sarif-bundle-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

before(async () => {
  for (const name of images) {
    const image = path.join(EXAMPLES, name);
    logs.set(`${name}.triage`, (await sarifOf(["triage", "-r", image, "--image", image])).text);
    logs.set(`${name}.check`, (await sarifOf(["check", "--image", image])).text);
  }
  // A bundle: its files are located on the inspected machine's drive (WINDOWS_C), not here.
  const bundle = path.join(scratch, "impostor.zip");
  const collected = await runCli([
    "collect",
    "--image",
    path.join(EXAMPLES, "impostor-in-roaming"),
    ...AT,
    "--out",
    bundle,
  ]);
  assert.equal(collected.code, 0, collected.stderr);
  logs.set("impostor-bundle.triage", (await sarifOf(["triage", "--bundle", bundle])).text);
  logs.set("impostor-bundle.check", (await sarifOf(["check", "--bundle", bundle])).text);
});

/** The checks every log must pass, whatever produced it. */
function assertIngestible(name: string, log: Sarif): void {
  assert.equal(log.version, "2.1.0", name);
  const run = log.runs[0]!;
  const rules = run.tool.driver.rules;
  for (const rule of rules) {
    const where = `${name}: rule ${rule["id"]}`;
    for (const field of ["shortDescription", "fullDescription"])
      assert.ok(rule[field]?.text, `${where}: ${field}`);
    assert.ok(rule["help"]?.text && rule["help"]?.markdown, `${where}: help text and markdown`);
    assert.match(rule["help"].markdown, /koff-doctor (explain|triage)/, `${where}: help names a command`);
    assert.match(
      rule["properties"]?.["security-severity"] ?? "",
      /^\d{1,2}\.\d$/,
      `${where}: security-severity`,
    );
    const severity = Number(rule["properties"]["security-severity"]);
    assert.ok(severity >= 0 && severity <= 10, where);
    assert.ok(
      Array.isArray(rule["properties"]["tags"]) && rule["properties"]["tags"].length > 0,
      `${where}: tags`,
    );
    if (rule["helpUri"] !== undefined) assert.match(rule["helpUri"], /^https:\/\//, where);
  }
  const bases = run.originalUriBaseIds ?? {};
  for (const result of run.results) {
    const where = `${name}: ${result["ruleId"]}`;
    assert.equal(rules[result["ruleIndex"]]?.["id"], result["ruleId"], `${where}: ruleIndex`);
    assert.ok(result["message"]?.text, `${where}: message text`);
    assert.ok(result["partialFingerprints"]?.["koffDoctor/v1"], `${where}: partialFingerprints`);
    const artifact = result["locations"][0].physicalLocation.artifactLocation;
    assert.ok(!artifact.uri.startsWith("file:"), `${where}: relative URI, not ${artifact.uri}`);
    assert.ok(!artifact.uri.includes(REPO_ROOT), `${where}: no path of this machine`);
    assert.ok(
      artifact.uriBaseId in bases,
      `${where}: ${artifact.uriBaseId} is declared in originalUriBaseIds`,
    );
  }
  for (const base of Object.values(bases))
    assert.ok(base.uri === undefined || /^file:\/\/\/[A-Z]:\/$/.test(base.uri), `base ${base.uri}`);
}

describe("SARIF for code scanning", () => {
  it("every sample image's triage and check log is SARIF 2.1.0 by the OASIS schema", async (t) => {
    const validate = await sarifSchemaValidator();
    if (typeof validate === "string") return t.skip(validate);
    assert.equal(
      validate({ version: "2.1.0", runs: [{ results: [] }] }),
      false,
      "the schema rejects a run without a tool",
    );
    for (const [name, text] of logs)
      assert.ok(validate(JSON.parse(text)), `${name}: ${JSON.stringify(validate.errors)}`);
  });

  it("every rule and result carries what GitHub's ingestion asks for", () => {
    assert.ok(logs.size >= 14);
    for (const [name, text] of logs) assertIngestible(name, JSON.parse(text) as Sarif);
  });

  it("a triaged file keeps its host path relative to %SRCROOT% and its Windows path as a logical location", async () => {
    const winPath = "C:\\Users\\bob\\AppData\\Roaming\\kofmsp.dll";
    const file = path.join(FIXTURES, "pe", "impostor-no-version-x64.dll");
    const { log } = await sarifOf(["triage", "--as", winPath, file]);
    const run = log.runs[0]!;
    const verdict = run.results.find((r) => r["ruleId"] === "file-malicious");
    assert.ok(verdict, "the file's verdict is a result of its own");
    const where = verdict["locations"][0];
    assert.deepEqual(where.physicalLocation.artifactLocation, {
      uri: path.relative(process.cwd(), file).split(path.sep).join("/"),
      uriBaseId: "%SRCROOT%",
    });
    assert.deepEqual(where.physicalLocation.region, { startLine: 1 });
    assert.equal(where.logicalLocations[0].fullyQualifiedName, winPath);
    assert.equal(verdict["properties"].windowsPath, winPath);
    assert.ok(run.results.some((r) => r["ruleId"] === "executable-behavior" && r["level"] === "error"));
    assert.equal(run.artifacts?.[0]?.["hashes"]["sha-256"].length, 64);
  });

  it("from a bundle, files are located on the inspected machine's drive C", () => {
    const run = (JSON.parse(logs.get("impostor-bundle.triage")!) as Sarif).runs[0]!;
    const verdict = run.results.find((r) => r["ruleId"] === "file-malicious")!;
    assert.deepEqual(verdict["locations"][0].physicalLocation.artifactLocation, {
      uri: "Users/alice/AppData/Roaming/Kerio/kofmsp32.dll",
      uriBaseId: "WINDOWS_C",
    });
    assert.deepEqual(run.originalUriBaseIds?.["WINDOWS_C"]?.uri, "file:///C:/");
  });

  it("never writes a path of the machine koff-doctor ran on", async () => {
    const host = await sarifOf(["triage", path.join(FIXTURES, "pe", "impostor-no-version-x64.dll")]);
    assert.ok(host.log.runs[0]!.results.length > 0);
    for (const [name, text] of [...logs, ["host file", host.text] as const])
      assert.ok(!text.includes(REPO_ROOT) && !text.includes(JSON.stringify(REPO_ROOT).slice(1, -1)), name);
  });

  it("check --json and --sarif are exclusive", async () => {
    const r = await runCli(["check", "--image", path.join(EXAMPLES, "healthy"), "--json", "--sarif"]);
    assert.equal(r.code, 64);
  });

  it("clean files are artifacts, not results", () => {
    const log = JSON.parse(logs.get("healthy.triage")!) as Sarif;
    const run = log.runs[0]!;
    assert.ok(run.artifacts!.length > 0 && run.artifacts!.every((a) => a["properties"].verdict === "clean"));
    assert.deepEqual(run.results, []);
  });

  it("check --sarif maps each finding to its check's rule, located at the Windows path in the image", () => {
    const log = JSON.parse(logs.get("impostor-in-roaming.check")!) as Sarif;
    const run = log.runs[0]!;
    assert.deepEqual(
      run.tool.driver.rules.map((r) => r["id"]),
      [...CHECK_IDS],
    );
    const stray = run.results.find((r) => r["ruleId"] === "stray-provider-dll");
    assert.ok(stray);
    assert.equal(stray["level"], "error", "a critical finding fails");
    assert.equal(
      stray["locations"][0].physicalLocation.artifactLocation.uri,
      "examples/impostor-in-roaming/Users/alice/AppData/Roaming/Kerio/kofmsp32.dll",
    );
    assert.equal(
      stray["locations"][0].logicalLocations[0].fullyQualifiedName,
      "C:\\Users\\alice\\AppData\\Roaming\\Kerio\\kofmsp32.dll",
    );
  });

  it("a check rule's full description is its doc page's 'Fires when'", () => {
    for (const id of CHECK_IDS) {
      const page = readFileSync(path.join(REPO_ROOT, "docs", "checks", `${id}.md`), "utf8");
      const fires = /## Fires when\n([\s\S]*?)(?:\n## |$)/.exec(page)?.[1] ?? "";
      const plain = fires
        .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replaceAll("`", "")
        .split(/\s+/)
        .join(" ")
        .trim();
      assert.equal(
        CHECK_FIRES_WHEN[id],
        plain,
        `docs/checks/${id}.md "Fires when" changed: update CHECK_FIRES_WHEN`,
      );
    }
  });

  it("every indicator of docs/verdict.md has a triage rule", () => {
    const verdict = readFileSync(path.join(REPO_ROOT, "docs", "verdict.md"), "utf8");
    const ids = [...verdict.matchAll(/^\| `([a-z-]+)` \| (seed|koff-doctor) \|/gm)].map((m) => m[1]);
    assert.ok(ids.length >= 11, ids.join(","));
    for (const id of ids)
      assert.ok(
        TRIAGE_RULES.some((r) => r.id === id),
        id,
      );
  });

  it("locations: registry keys live in their hive file; paths become relative URIs; evidence is walked", () => {
    assert.equal(hiveFileOf("HKLM\\SOFTWARE\\Microsoft\\Office"), "C:\\Windows\\System32\\config\\SOFTWARE");
    assert.equal(hiveFileOf("HKU\\alice\\Software\\Microsoft"), "C:\\Users\\alice\\NTUSER.DAT");
    assert.equal(hiveFileOf("HKCU\\Software"), undefined);
    assert.deepEqual(windowsArtifact("D:\\Mail Data\\x.fdb"), {
      uri: "Mail%20Data/x.fdb",
      uriBaseId: "WINDOWS_D",
    });
    assert.deepEqual(windowsArtifact("\\\\srv\\share\\a b"), { uri: "file://srv/share/a%20b" });
    assert.deepEqual(hostArtifact("/w/repo/a b/c#.dll", "/w/repo"), {
      uri: "a%20b/c%23.dll",
      uriBaseId: "%SRCROOT%",
    });
    assert.deepEqual(hostArtifact("/w/other/x.dll", "/w/repo"), {
      uri: "../other/x.dll",
      uriBaseId: "%SRCROOT%",
    });
    const many = { list: Array.from({ length: 500 }, (_, i) => `C:\\f${i}.dll`), key: "HKLM\\SOFTWARE\\K" };
    const places = evidencePlaces(many);
    assert.equal(places.length, 20, "at most 20 places per result");
    let deep: unknown = "C:\\deep.dll";
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    assert.deepEqual(
      evidencePlaces(deep),
      [],
      "deep nesting is not followed (and does not overflow the stack)",
    );
  });
});

describe("SARIF Multitool (SARIF and GitHub rule sets)", () => {
  const bin = sarifMultitool();
  const dir = mkdtempSync(path.join(tmpdir(), "koff-sarif-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "reports zero errors on every sample image's triage and check SARIF",
    { skip: bin === undefined ? "@microsoft/sarif-multitool is not installed for this platform" : false },
    async (t) => {
      // The canary: what triage --sarif used to print. GitHub's rules must reject it.
      const canary = path.join(dir, "canary.sarif");
      writeFileSync(
        canary,
        JSON.stringify({
          $schema: "https://json.schemastore.org/sarif-2.1.0.json",
          version: "2.1.0",
          runs: [
            {
              tool: {
                driver: {
                  name: "koff-doctor",
                  version: "0.1.0",
                  rules: [{ id: "signature", shortDescription: { text: "unsigned" } }],
                },
              },
              results: [
                {
                  ruleId: "signature",
                  level: "warning",
                  message: { text: "unsigned" },
                  locations: [
                    { physicalLocation: { artifactLocation: { uri: "file:///home/analyst/kofmsp.dll" } } },
                  ],
                },
              ],
            },
          ],
        }),
      );
      let canaryErrors: string[];
      try {
        canaryErrors = await multitoolErrors(bin!, [canary], path.join(dir, "canary.out.sarif"));
      } catch (e) {
        t.skip(`sarif-multitool cannot run here: ${(e as Error).message.split("\n")[0]}`);
        return;
      }
      assert.ok(
        canaryErrors.some((e) => e.includes("MissingFullDescription")) &&
          canaryErrors.some((e) => e.includes("MissingHelp")),
        `the validator checks GitHub's rules: ${canaryErrors.join("\n")}`,
      );

      const files = [...logs].map(([name, text]) => {
        const file = path.join(dir, `${name}.sarif`);
        writeFileSync(file, text);
        return file;
      });
      assert.deepEqual(await multitoolErrors(bin!, files, path.join(dir, "samples.out.sarif")), []);
    },
  );
});
