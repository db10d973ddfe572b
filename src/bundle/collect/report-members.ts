/**
 * Bundle members made from the check run on the source: `check.json` and `triage.json` (the
 * JSON contract, as `check --json` and `triage --json` print them), and the fact families a
 * helpdesk reads without replaying the bundle: `inventory.json` (install, binaries with their
 * verdicts, strays, updater), `office.json`, `defender.json` and `mapisvc.json`.
 *
 * Source: docs/bundle.md ("Layout"); docs/json-contract.md.
 */
import type { CheckReport } from "../../app/check-machine.js";
import { windowsPathKey } from "../../paths/windows-path.js";
import { renderCheckJson } from "../../report/check-json.js";
import { renderTriageJson } from "../../report/triage-json.js";
import type { FsIndexEntry } from "../fs-index.js";
import { MEMBER } from "../layout.js";
import type { BundleMembers } from "./bundle-members.js";

/**
 * Writes `check.json` and `triage.json`: the rendered documents, redacted string by string.
 * Reads no port.
 */
export function writeCheckMembers(out: BundleMembers, report: CheckReport): void {
  out.putRendered(MEMBER.check, renderCheckJson(report));
  out.putRendered(MEMBER.triage, renderTriageJson(report.facts.triage, report.policy));
}

/**
 * Writes `office.json`, `inventory.json`, `defender.json` and `mapisvc.json` (redacted as JSON).
 * Each file listed names the bundle member carrying its content (found by its redacted path in
 * `entries`, the file-system index); each binary carries its triage verdict, signature state,
 * signer and version resource. Reads no port.
 */
export function writeFactMembers(
  out: BundleMembers,
  report: CheckReport,
  entries: readonly FsIndexEntry[],
): void {
  const facts = report.facts;
  out.putJson(MEMBER.office, { ...facts.office, title: 'What "File > Office Account" shows' });
  const versions = new Map(facts.triage.map((t) => [windowsPathKey(t.windowsPath ?? t.path), t]));
  // Index entries by path key once (first of each key), instead of a scan per listed file.
  const entryByKey = new Map<string, FsIndexEntry>();
  for (const e of entries) {
    const k = windowsPathKey(e.path);
    if (!entryByKey.has(k)) entryByKey.set(k, e);
  }
  const memberOf = (path: string) => entryByKey.get(windowsPathKey(out.text(path)))?.content;
  const withVersion = (f: { path: string }) => {
    const t = versions.get(windowsPathKey(f.path));
    return {
      ...f,
      verdict: t?.verdict,
      signature: t?.signature?.state,
      signer: t?.signature?.signer,
      versionInfo: t?.pe?.versionInfo,
      member: memberOf(f.path),
    };
  };
  out.putJson(MEMBER.inventory, {
    uninstallEntries: facts.install.uninstallEntries,
    folders: facts.install.folders,
    binaries: facts.install.binaries.map(withVersion),
    providerDlls: facts.install.providerDlls.map(withVersion),
    strays: facts.strays.map(withVersion),
    updater: facts.updater,
  });
  out.putJson(MEMBER.defender, facts.defender);
  out.putJson(MEMBER.mapisvc, {
    files: facts.mapisvc.files.map((f) => ({ path: f, member: memberOf(f) })),
    registrations: facts.mapisvc.registrations,
    profiles: facts.profiles,
    defaultProfiles: facts.defaultProfiles,
  });
}
