import { defineCheck } from "../finding.js";

/** Evidence of `connector-versions-mixed`: the Kerio binaries of the install, by file version. */
export interface ConnectorVersionsMixedEvidence {
  /** File version → the binaries (Windows paths) that carry it; two or more versions. */
  versions: Record<string, string[]>;
}

/** Binaries in the install folder carry different file versions (a half-applied update). */
export default defineCheck<ConnectorVersionsMixedEvidence>({
  id: "connector-versions-mixed",
  severity: "warning",
  title: "Connector binaries come from different versions",
  remedy: "reinstall-koff",
  needs: ["install"],
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
        evidence: { versions: Object.fromEntries(versions) } satisfies ConnectorVersionsMixedEvidence,
      },
    ];
  },
});
