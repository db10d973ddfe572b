import { defineCheck } from "../finding.js";

/** Binaries in the install folder carry different file versions (a half-applied update). */
export default defineCheck({
  id: "connector-versions-mixed",
  severity: "warning",
  title: "Connector binaries come from different versions",
  remedy: "reinstall-koff",
  run(f) {
    const versions = new Map<string, string[]>();
    for (const b of f.install.binaries) {
      if (!b.fileVersion || !/kerio/i.test(b.companyName ?? "")) continue;
      versions.set(b.fileVersion, [...(versions.get(b.fileVersion) ?? []), b.path]);
    }
    if (versions.size < 2) return [];
    return [
      {
        message: `binaries carry ${versions.size} different versions: ${[...versions.keys()].join(", ")}`,
        evidence: { versions: Object.fromEntries(versions) },
      },
    ];
  },
});
