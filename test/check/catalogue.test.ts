/**
 * Lints the check catalogue (STYLE.md principle 6): unique kebab-case ids, a doc page per check,
 * a remedy that is a runbook step, and for every check a machine where it fires and one where it
 * stays quiet. The quiet machine is the healthy sample image; each firing machine is that image's
 * facts with exactly one thing broken.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { checkMachine } from "../../src/app/check-machine.js";
import { CATALOGUE } from "../../src/check/catalogue.js";
import type { EventFact, MachineFacts } from "../../src/check/facts.js";
import { runChecks } from "../../src/check/run-checks.js";
import strayProviderDll, {
  type StrayProviderDllEvidence,
} from "../../src/check/checks/stray-provider-dll.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { CHECK_IDS, STEP_IDS, type CheckId } from "../../src/vocabulary/index.js";
import { EXAMPLES, REPO_ROOT } from "../helpers/repo.js";

const RUNBOOK_STEPS = new Set<string>(STEP_IDS);

/** A relevant event as the facts carry it. */
function event(
  kind: EventFact["kind"],
  id: number,
  provider: string,
  data: Record<string, string>,
): EventFact {
  return {
    log: "Application",
    id,
    provider,
    time: "2026-11-20T08:12:03Z",
    kind,
    summary: `${provider} ${id}`,
    data,
  };
}

/** One broken thing per check, applied to a copy of the healthy facts. */
const BREAK = {
  "install-missing": (f) => {
    f.install.folders = [];
    f.install.uninstallEntries = [];
  },
  "provider-dll-missing": (f) => {
    f.install.providerDlls = [];
  },
  "connector-binary-untrusted": (f) => {
    f.triage[0]!.verdict = "suspicious";
  },
  "connector-versions-mixed": (f) => {
    f.install.binaries[0]!.fileVersion = "9.4.0.6153";
  },
  "stray-provider-dll": (f) => {
    f.strays.push({ path: "C:\\Users\\alice\\Downloads\\kofmsp.dll", size: 1, location: "Downloads" });
  },
  "mapisvc-not-registered": (f) => {
    f.mapisvc.registrations = [];
  },
  "mapisvc-path-unresolved": (f) => {
    f.mapisvc.registrations[0]!.resolved = false;
  },
  "mapisvc-path-extra-periods": (f) => {
    f.mapisvc.registrations[0]!.issues.push("extra-periods");
  },
  "mapisvc-path-outside-install": (f) => {
    f.mapisvc.registrations[0]!.loadPath = "C:\\Users\\alice\\AppData\\Roaming\\kofmsp32.dll";
  },
  "office-not-found": (f) => {
    f.office = { found: false, sources: [] };
  },
  "bitness-mismatch": (f) => {
    f.office.bitness = "x64";
  },
  "profile-none": (f) => {
    for (const p of f.profiles) p.hasKoff = false;
  },
  "profile-default-missing": (f) => {
    f.defaultProfiles[0]!.name = "Gone";
  },
  "profile-koff-orphaned": (f) => {
    f.install.folders = [];
    f.install.uninstallEntries = [];
  },
  "cache-missing": (f) => {
    f.caches = [];
  },
  "cache-orphan": (f) => {
    f.caches[0]!.profile = "Old profile";
  },
  "cache-db-invalid": (f) => {
    f.caches[0]!.databases[0]!.valid = false;
  },
  "cache-disk-space-low": (f) => {
    f.freeDiskBytes = 1;
  },
  "cache-on-network": (f) => {
    f.cacheRoots[0]!.onNetwork = true;
  },
  "av-exclusion-missing": (f) => {
    f.defender.exclusions.pop();
  },
  "updater-service-missing": (f) => {
    f.updater = { installed: false, evidence: [] };
  },
  "outlook-crash-in-provider": (f) => {
    f.events = [
      event("app-crash", 1000, "Application Error", {
        AppName: "OUTLOOK.EXE",
        ModuleName: "kofmsp32.dll",
        ModuleVersion: "10.0.8.0",
        ExceptionCode: "c0000005",
      }),
    ];
  },
  "mapi-provider-blocked": (f) => {
    f.events = [
      event("provider-named", 27, "Outlook", {
        "0": "MAPI was unable to load the information service C:\\x\\kofmsp32.dll",
      }),
    ];
  },
  "addin-disabled": (f) => {
    f.events = [
      event("addin-disabled", 59, "Outlook", {
        "0": "Outlook disabled the following add-ins\nName: Kerio Outlook Connector",
      }),
    ];
  },
  "av-detected-provider": (f) => {
    f.events = [
      event("av-detected", 1116, "Microsoft-Windows-Windows Defender", {
        "Threat Name": "Trojan:Win32/Kofspoof.A!dha",
        Path: "file:_C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp32.dll",
      }),
    ];
  },
} satisfies Record<CheckId, (f: MachineFacts) => void>;

describe("check catalogue", () => {
  let healthy: MachineFacts;
  before(async () => {
    healthy = (
      await checkMachine(createImageSnapshot(path.join(EXAMPLES, "healthy")), {
        at: new Date("2026-11-21T00:00:00Z"),
      })
    ).facts;
  });

  it("has unique kebab-case ids, doc pages and runbook remedies", () => {
    const ids = CATALOGUE.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, "ids are unique");
    for (const c of CATALOGUE) {
      assert.match(c.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, c.id);
      const page = path.join(REPO_ROOT, "docs", "checks", `${c.id}.md`);
      assert.ok(existsSync(page), `docs/checks/${c.id}.md exists`);
      assert.match(readFileSync(page, "utf8"), new RegExp(`# \`${c.id}\``));
      if (c.remedy !== null) assert.ok(RUNBOOK_STEPS.has(c.remedy), `${c.id} remedy ${c.remedy}`);
    }
  });

  it("lists exactly the check ids, in their report order", () => {
    assert.deepEqual(
      CATALOGUE.map((c) => c.id),
      [...CHECK_IDS],
    );
  });

  it("contains the ids the product requires", () => {
    const required: CheckId[] = [
      "install-missing",
      "provider-dll-missing",
      "connector-binary-untrusted",
      "stray-provider-dll",
      "mapisvc-not-registered",
      "mapisvc-path-unresolved",
      "mapisvc-path-outside-install",
      "bitness-mismatch",
      "profile-none",
      "profile-default-missing",
      "cache-missing",
      "cache-orphan",
      "cache-db-invalid",
      "cache-disk-space-low",
      "av-exclusion-missing",
      "updater-service-missing",
    ];
    const ids = new Set(CATALOGUE.map((c) => c.id));
    for (const id of required) assert.ok(ids.has(id), id);
  });

  it("every check has a breaking case in this test", () => {
    assert.deepEqual(
      CATALOGUE.map((c) => c.id).filter((id) => !(id in BREAK)),
      [],
    );
  });

  for (const check of CATALOGUE) {
    it(`${check.id}: quiet on the healthy machine, fires when broken`, () => {
      const quiet = structuredClone({ ...healthy, freeDiskBytes: 10 ** 12 });
      assert.deepEqual(runChecks(quiet, [check]).findings, [], "quiet on healthy facts");
      const broken = structuredClone({ ...healthy, freeDiskBytes: 10 ** 12 });
      BREAK[check.id]!(broken);
      const findings = runChecks(broken, [check]).findings;
      assert.ok(findings.length > 0, "fires when broken");
      for (const f of findings) {
        assert.equal(f.id, check.id);
        assert.ok(f.message.length > 0 && Object.keys(f.evidence).length > 0, "has a message and evidence");
      }
    });
  }

  it("a check's findings carry its own evidence type, unchanged by runChecks", () => {
    const broken = structuredClone(healthy);
    BREAK["stray-provider-dll"](broken);
    const [own] = strayProviderDll.run(broken);
    // Typed: a StrayProviderDllEvidence, not a Record<string, unknown> (this line would not compile otherwise).
    const evidence: StrayProviderDllEvidence = own!.evidence;
    assert.equal(evidence.location, "Downloads");
    assert.deepEqual(runChecks(broken, [strayProviderDll]).findings[0]!.evidence, evidence);
  });

  it("a check whose facts the mode cannot see is reported as not run, not as passing", () => {
    const run = runChecks(healthy);
    assert.deepEqual(
      run.notRun.map((n) => n.id),
      ["cache-disk-space-low"],
      "the image's event logs are read, so the event checks run",
    );
    assert.match(run.notRun[0]!.reason, /free space/);
    const noLogs = runChecks({ ...healthy, events: undefined, unknown: { events: "no logs" } });
    assert.deepEqual(
      noLogs.notRun.map((n) => n.id),
      [
        "cache-disk-space-low",
        "outlook-crash-in-provider",
        "mapi-provider-blocked",
        "addin-disabled",
        "av-detected-provider",
      ],
    );
  });

  it("bitness-mismatch judges the DLL MAPISVC.INF registers, even outside the install folder", () => {
    const f = structuredClone({ ...healthy, freeDiskBytes: 10 ** 12 });
    const elsewhere = "C:\\Kerio\\kofmsp32.dll";
    f.mapisvc.registrations[0]!.loadPath = elsewhere;
    const record = structuredClone(f.triage.find((t) => t.windowsPath?.endsWith("kofmsp32.dll"))!);
    record.windowsPath = elsewhere;
    record.pe!.machine = "x64";
    f.triage.push(record);
    const check = CATALOGUE.find((c) => c.id === "bitness-mismatch")!;
    const findings = runChecks(f, [check]).findings;
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.evidence["path"], elsewhere);
  });
});
