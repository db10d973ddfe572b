/**
 * Contract tests of integrations/: the Velociraptor artifact (YAML parses; tool, permissions,
 * parameters, FetchBinary → execve → parse_json; a harness runs the command line the artifact
 * builds on every sample image and resolves every `Report.…` column the artifact selects against
 * the output, as the artifact would) and the Intune proactive-remediation pair (UTF-8 without BOM;
 * the same reversible steps in both, each an acting runbook step; the exit codes they branch on
 * are koff-doctor's; detection's decision and line length on every sample report). PowerShell and
 * Velociraptor are not in Debian, so neither script runs here.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { ExitCode } from "../../src/report/exit-codes.js";
import { STEPS } from "../../src/runbook/steps/index.js";
import { EXAMPLES, REPO_ROOT } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const DIR = path.join(REPO_ROOT, "integrations");
const ARTIFACT = path.join(DIR, "velociraptor", "Windows.Applications.KerioConnector.Doctor.yaml");
const AT = "2026-01-01T00:00:00Z";
const scenarios = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !["src", "tools"].includes(d.name))
  .map((d) => d.name)
  .sort();

interface Artifact {
  name: string;
  type: string;
  required_permissions: string[];
  tools: Array<{ name: string; expected_hash: string; serve_locally?: boolean; url?: string }>;
  parameters: Array<{ name: string; default?: string | number; type?: string; choices?: string[] }>;
  sources: Array<{ query: string }>;
}

/** The artifact parsed by PyYAML, or why it cannot be (a skip reason). */
function loadArtifact(): Artifact | string {
  try {
    const out = execFileSync(
      "python3",
      [
        "-c",
        "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))",
        ARTIFACT,
      ],
      { encoding: "utf8" },
    );
    return JSON.parse(out) as Artifact;
  } catch (e) {
    const msg = (e as { stderr?: string }).stderr ?? String(e);
    if (/No module named 'yaml'|ENOENT/.test(msg)) return "python3-yaml is not installed";
    throw new Error(`the artifact YAML does not parse: ${msg}`, { cause: e });
  }
}

/** The value at `a.b.c` of `doc`. */
function at(doc: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc);
}

describe("Velociraptor artifact Windows.Applications.KerioConnector.Doctor", () => {
  const artifact = loadArtifact();

  it("parses; a CLIENT artifact needing EXECVE, with a served tool and its expected hash", (t) => {
    if (typeof artifact === "string") return t.skip(artifact);
    assert.equal(artifact.name, "Windows.Applications.KerioConnector.Doctor");
    assert.equal(path.basename(ARTIFACT, ".yaml"), artifact.name);
    assert.equal(artifact.type, "CLIENT");
    assert.ok(artifact.required_permissions.includes("EXECVE"));
    assert.equal(artifact.tools.length, 1);
    const tool = artifact.tools[0]!;
    assert.match(tool.expected_hash, /^[0-9a-f]{64}$/);
    assert.ok(tool.serve_locally === true || /^https:\/\//.test(tool.url ?? ""));
    const q = artifact.sources[0]!.query;
    assert.match(q, new RegExp(`FetchBinary\\(ToolName="${tool.name}"`));
    assert.match(q, /execve\(argv=Argv/);
    assert.match(q, /parse_json\(data=Stdout\)/);
  });

  it("its parameters: verbs koff-doctor has, --json by default, every parameter used by the query", async (t) => {
    if (typeof artifact === "string") return t.skip(artifact);
    const verb = artifact.parameters.find((p) => p.name === "Verb")!;
    const help = (await runCli(["--help"])).stdout;
    for (const v of verb.choices ?? []) assert.match(help, new RegExp(`^\\s+${v}\\b`, "m"), `${v} is a verb`);
    assert.equal(verb.default, "check");
    assert.match(String(artifact.parameters.find((p) => p.name === "Options")!.default), /--json/);
    for (const p of artifact.parameters)
      assert.match(artifact.sources[0]!.query, new RegExp(`\\b${p.name}\\b`), p.name);
  });

  for (const scenario of scenarios)
    it(`${scenario}: the artifact's command line runs, and every Report column it selects exists`, async (t) => {
      if (typeof artifact === "string") return t.skip(artifact);
      const param = (n: string) => String(artifact.parameters.find((p) => p.name === n)!.default ?? "");
      // As the query builds Argv: the tool, the verb, Options and ExtraArgs split on spaces, empties dropped.
      const extra = `--image ${path.join(EXAMPLES, scenario)} --at ${AT}`;
      const argv = [param("Verb"), ...param("Options").split(" "), ...extra.split(" ")].filter(
        (a) => a !== "",
      );
      const r = await runCli(argv);
      assert.ok([ExitCode.OK, ExitCode.SUSPICIOUS, ExitCode.MALICIOUS].includes(r.code as 0), r.stderr);
      const report = JSON.parse(r.stdout) as unknown; // parse_json(data=Stdout)
      const columns = [...artifact.sources[0]!.query.matchAll(/\bReport\.([A-Za-z.]+) AS (\w+)/g)];
      assert.ok(columns.length >= 6, "the artifact selects the host, run and status columns");
      const optional = new Set(["host.computerName", "host.user"]);
      for (const [, field, column] of columns)
        if (!optional.has(field!))
          assert.notEqual(at(report, field!), undefined, `${column} = Report.${field}`);
      assert.equal(at(report, "summary.exitCode"), r.code);
    });
});

describe("Intune proactive remediation pair", () => {
  const read = (f: string) => readFileSync(path.join(DIR, "intune", f));
  const detect = read("detect.ps1");
  const remediate = read("remediate.ps1");
  const safeSteps = (text: string) =>
    [...(/\$SafeSteps = @\(([^)]*)\)/.exec(text)?.[1] ?? "").matchAll(/'([a-z-]+)'/g)].map((m) => m[1]!);

  it("UTF-8 without BOM (Intune's signature check), plain ASCII", () => {
    for (const [name, bytes] of [
      ["detect.ps1", detect],
      ["remediate.ps1", remediate],
    ] as const) {
      assert.notDeepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${name} has a BOM`);
      assert.ok(
        bytes.every((b) => b < 0x80),
        `${name} is not ASCII`,
      );
    }
  });

  it("both list the same safe steps, each an acting (reversible, journaled) runbook step", () => {
    const steps = safeSteps(detect.toString());
    assert.ok(steps.length > 0);
    assert.deepEqual(safeSteps(remediate.toString()), steps);
    for (const s of steps) assert.equal(STEPS[s as keyof typeof STEPS]?.kind, "acting", s);
    // Never the infection check or a reinstall: those are for a person to decide.
    for (const s of ["rule-out-infection", "reinstall-koff", "recreate-profile"])
      assert.ok(!steps.includes(s), s);
  });

  it("the commands and exit codes they rely on are koff-doctor's", () => {
    const d = detect.toString();
    const r = remediate.toString();
    assert.match(d, /& \$KoffDoctor check --json/);
    assert.match(d, /-notin 0, 1, 2/);
    assert.deepEqual([ExitCode.OK, ExitCode.SUSPICIOUS, ExitCode.MALICIOUS], [0, 1, 2]);
    assert.match(d, /^\s*exit 1$/m);
    assert.match(d, /^exit 0$/m);
    assert.match(r, /& \$KoffDoctor repair --step \$step --apply --json/);
    assert.match(r, /# 0: applied; 4: refused/);
    assert.equal(ExitCode.REFUSED, 4);
    assert.match(r, /\$doc\.run\.header\.runId/);
    for (const s of [d, r]) assert.match(s, /\$MaxLine = 2048/);
  });

  it("detection on every sample report: exit 1 exactly when a finding's remedy is a safe step; the line fits 2,048", async () => {
    const steps = new Set(safeSteps(detect.toString()));
    let remediated = 0;
    for (const scenario of scenarios) {
      const r = await runCli(["check", "--image", path.join(EXAMPLES, scenario), "--json", "--at", AT]);
      const report = JSON.parse(r.stdout) as {
        runId: string;
        host: { id: string };
        summary: { status: string };
        findings: Array<{ id: string; remedy: string | null }>;
      };
      // The script's rule and line, as written in detect.ps1.
      const fixable = report.findings.filter((f) => f.remedy !== null && steps.has(f.remedy));
      const line =
        `koff-doctor ${report.summary.status} host=${report.host.id} run=${report.runId} findings=${report.findings.map((f) => f.id).join(",")}` +
        (fixable.length > 0
          ? ` remediate=${[...new Set(fixable.map((f) => f.remedy))].sort().join(",")}`
          : "");
      assert.ok(line.length <= 2048, `${scenario}: ${line.length}`);
      if (fixable.length > 0) remediated++;
      if (scenario === "corrupt-cache") assert.match(line, /remediate=clear-cache$/);
      if (scenario === "healthy" || scenario === "impostor-in-roaming")
        assert.equal(fixable.length, 0, scenario);
    }
    assert.ok(remediated >= 2, `${remediated} sample images call for remediation`);
  });
});
