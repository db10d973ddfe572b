/**
 * The event checks on images: each fires on an image whose logs hold its event and stays quiet
 * on the healthy sample (which has logs full of noise); none is "not run" on an image with logs;
 * an image without logs says why once. `check --since` limits the records read and refuses a
 * date that is not strict ISO 8601. The timeline lists the relevant records oldest first.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { checkMachine } from "../../src/app/check-machine.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import type { AvDetectedProviderEvidence } from "../../src/check/checks/av-detected-provider.js";
import { checkJsonDocument } from "../../src/report/index.js";
import { copyImage } from "../helpers/image-copy.js";
import { EXAMPLES, FIXTURES } from "../helpers/repo.js";
import { runCli } from "../helpers/run-cli.js";

const AT = new Date("2026-11-21T00:00:00Z");
const EVENT_CHECKS = [
  "outlook-crash-in-provider",
  "mapi-provider-blocked",
  "addin-disabled",
  "av-detected-provider",
];
const LOGS = path.join("Windows", "System32", "winevt", "Logs");
const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The healthy image with the fixture logs (crashes, Outlook 59, Defender 1116/1117 on kofmsp32.dll). */
function imageWithFixtureLogs(): string {
  const { root, image } = copyImage("healthy");
  scratch.push(root);
  copyFileSync(path.join(FIXTURES, "evtx", "application.evtx"), path.join(image, LOGS, "Application.evtx"));
  copyFileSync(
    path.join(FIXTURES, "evtx", "defender.evtx"),
    path.join(image, LOGS, "Microsoft-Windows-Windows Defender%4Operational.evtx"),
  );
  return image;
}

const check = (root: string, since?: Date) =>
  checkMachine(createImageSnapshot(root), { at: AT, ...(since ? { eventsSince: since } : {}) });

describe("event checks on images", () => {
  it("stay quiet on the healthy sample, whose logs are read (none is not run)", async () => {
    const report = await check(path.join(EXAMPLES, "healthy"));
    assert.deepEqual(
      report.findings.filter((f) => EVENT_CHECKS.includes(f.id)),
      [],
    );
    assert.deepEqual(
      report.notRun.filter((n) => EVENT_CHECKS.includes(n.id)),
      [],
    );
    assert.ok(
      report.facts.events!.some((e) => e.kind === "installed"),
      "the install history is read",
    );
  });

  it("no sample image with logs leaves an event check not run", async () => {
    for (const scenario of ["healthy", "corrupt-cache", "koff-uninstalled", "missing-av-exclusions"]) {
      const report = await check(path.join(EXAMPLES, scenario));
      assert.deepEqual(
        report.notRun.map((n) => n.id).filter((id) => EVENT_CHECKS.includes(id)),
        [],
        scenario,
      );
    }
  });

  it("fire on an image whose logs hold their events", async () => {
    const report = await check(imageWithFixtureLogs());
    const ids = report.findings.map((f) => f.id);
    for (const id of ["outlook-crash-in-provider", "addin-disabled", "av-detected-provider"])
      assert.ok(ids.includes(id as never), `${id} in ${ids.join()}`);
    const crash = report.findings.find((f) => f.id === "outlook-crash-in-provider")!;
    assert.match(crash.message, /OUTLOOK\.EXE crashed in kofmsp32\.dll|fbclient|fbembed/);
  });

  it("a refused log (a FIFO) is noted by name while the other logs are still judged", async (t) => {
    const image = imageWithFixtureLogs();
    const app = path.join(image, LOGS, "Application.evtx");
    rmSync(app);
    try {
      execFileSync("mkfifo", [app]);
    } catch {
      return t.skip("mkfifo is not available");
    }
    const report = await check(image);
    assert.match(report.facts.unknown["events (Application)"] ?? "", /FIFO/);
    assert.ok(
      report.findings.some((f) => f.id === "av-detected-provider"),
      "the Defender log is still read",
    );
    assert.deepEqual(
      report.notRun.map((n) => n.id).filter((id) => EVENT_CHECKS.includes(id)),
      [],
    );
  });

  it("av-detected-provider explains a provider DLL that has disappeared", async () => {
    const image = imageWithFixtureLogs();
    rmSync(
      path.join(image, "Program Files (x86)", "Kerio", "Outlook Connector (Offline Edition)", "kofmsp32.dll"),
    );
    const report = await check(image);
    const av = report.findings.find((f) => f.id === "av-detected-provider")!;
    const evidence = av.evidence as unknown as AvDetectedProviderEvidence;
    assert.deepEqual(evidence.explainsMissing, [
      "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)\\kofmsp32.dll",
    ]);
    assert.deepEqual(evidence.actions, ["Quarantine"]);
    assert.match(av.message, /explains the missing/);
    assert.ok(report.findings.some((f) => f.id === "provider-dll-missing"));
  });

  it("an image without logs says why once, and lists the event checks as not run", async () => {
    const report = await check(path.join(EXAMPLES, "orphan-cache"));
    assert.match(report.facts.unknown["events"] ?? "", /no event logs/);
    assert.deepEqual(
      report.notRun.map((n) => n.id).filter((id) => EVENT_CHECKS.includes(id)),
      EVENT_CHECKS,
    );
    const text = (
      await runCli(["check", "--image", path.join(EXAMPLES, "orphan-cache"), "--at", AT.toISOString()])
    ).stdout;
    assert.equal(text.split("no event logs").length - 1, 1, text);
    assert.doesNotMatch(text, /Timeline/);
  });

  it("--since limits the records read: a crash before it is not judged", async () => {
    const root = path.join(EXAMPLES, "corrupt-cache");
    assert.ok((await check(root)).findings.some((f) => f.id === "outlook-crash-in-provider"));
    const later = await check(root, new Date("2026-11-20T10:00:00Z"));
    assert.ok(!later.findings.some((f) => f.id === "outlook-crash-in-provider"));
    assert.deepEqual(later.facts.events, []);
    const cli = await runCli(["check", "--image", root, "--since", "2026-11-20T09:00:00Z", "--json"]);
    const doc = JSON.parse(cli.stdout) as ReturnType<typeof checkJsonDocument>;
    assert.deepEqual(
      doc.timeline.map((e) => e.id),
      [1000],
    );
  });

  for (const bad of ["1", "yesterday", "2026-13-01", "2026-11-20T25:00:00Z", ""]) {
    it(`--since ${JSON.stringify(bad)} is a usage error`, async () => {
      const r = await runCli(["check", "--image", path.join(EXAMPLES, "healthy"), "--since", bad]);
      assert.equal(r.code, 64, r.stderr);
      assert.match(r.stderr, /--since/);
    });
  }

  it("the timeline lists the relevant records oldest first, in JSON, text and HTML", async () => {
    const report = await check(path.join(EXAMPLES, "corrupt-cache"));
    const timeline = checkJsonDocument(report).timeline;
    assert.ok(timeline.length >= 5);
    const times = timeline.map((e) => Date.parse(e.time));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.equal(
      timeline.at(-1)!.summary,
      "OUTLOOK.EXE crashed in kofmsp32.dll 10.0.8104.0 (exception c0000005)",
    );
    const text = (await runCli(["check", "--image", path.join(EXAMPLES, "corrupt-cache")])).stdout;
    assert.match(
      text,
      /Timeline \(last \d+ relevant events, oldest first\)\n {2}2026-11-03T09:14:05Z {2}MsiInstaller 1033/,
    );
    const { renderCheckHtml } = await import("../../src/cli/render/html-report.js");
    assert.match(renderCheckHtml(report), /<h2>Timeline<\/h2>.*KoffBackend\.exe crashed in fbembed\.dll/s);
  });
});
