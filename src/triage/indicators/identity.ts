/**
 * Our own signal: version resource, file name and signer disagreeing. A provider-named file must
 * carry a version resource whose CompanyName is the vendor's, whose OriginalFilename matches its
 * name (modulo MAPI's "32"), and, when it is signed, a signer that is the vendor too. For any
 * other file only the OriginalFilename check applies.
 *
 * Source: docs/verdict.md ("The indicators", `identity`); VERSIONINFO StringFileInfo names
 * (https://learn.microsoft.com/en-us/windows/win32/menurc/stringfileinfo-block); src/knowledge/koff.json.
 */
import { claimsToBeProvider, sameProviderName } from "../provider-name.js";
import type { TriageSubject } from "../subject.js";
import type { Indicator } from "../types.js";

export function identityIndicator(s: TriageSubject): Indicator {
  const base = { id: "identity", source: "koff-doctor", row: "Identity" } as const;
  const strings = s.pe.versionInfo?.strings ?? {};
  const company = strings["CompanyName"];
  const original = strings["OriginalFilename"];
  const provider = claimsToBeProvider(s.fileName, s.pe, s.knowledge);
  const k = s.knowledge;
  const problems: string[] = [];

  if (original && !sameProviderName(original, s.fileName)) {
    problems.push(`OriginalFilename "${original}" differs from the file name "${s.fileName}"`);
  }
  if (provider) {
    if (!s.pe.versionInfo) problems.push("no version resource");
    else if (!company) problems.push("no CompanyName in the version resource");
    else if (k.suspectCompanyPatterns.some((re) => re.test(company))) {
      problems.push(`CompanyName "${company}" is a known false attribution`);
    } else if (!k.companyNamePatterns.some((re) => re.test(company))) {
      problems.push(`CompanyName "${company}" is not the connector's vendor`);
    }
    const signer = s.signature.signer;
    if (signer && s.signature.state !== "unsigned" && !k.signerPatterns.some((re) => re.test(signer))) {
      problems.push(`signer "${signer}" is not the connector's vendor`);
    }
  }
  const details = {
    companyName: company,
    originalFilename: original,
    signer: s.signature.signer,
    claimsProvider: provider,
  };
  if (problems.length > 0) {
    return {
      ...base,
      level: "suspicious",
      evidence: problems.join("; "),
      cell: "koff-doctor × Suspicious: version resource, file name and signer disagree",
      details,
    };
  }
  const what = provider
    ? `vendor "${company}"`
    : original
      ? `OriginalFilename "${original}"`
      : "no identity claims";
  return { ...base, level: "ok", evidence: `name and version resource agree (${what})`, cell: null, details };
}
