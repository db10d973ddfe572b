/**
 * Target `mapisvc-inf`: the examples' MAPISVC.INF files (and UTF-16LE copies), parsed, then
 * every section's entries listed, the KOFF provider looked up and each value split as a list,
 * as the checks read it. Field-aware mutations insert section headers, keys, continuations,
 * quotes and list separators.
 *
 * Source: research/windows-mapi-facts.md (MAPISVC.INF format).
 */
import { WindowsStateError } from "../../src/windows/index.js";
import {
  infSectionEntries,
  lookupInf,
  parseMapiSvcInf,
  splitInfList,
} from "../../src/windows/mapisvc-inf.js";
import { EXAMPLES, extraSeedFiles, readSeedFiles } from "../seeds.js";
import type { FuzzTarget } from "../target.js";
import { asUtf16, mutateText } from "../text-mutate.js";

const TOKENS = [
  "[Services]",
  "[KOFF]",
  "[Default Services]",
  "[",
  "]",
  "=",
  ",",
  '"',
  ";",
  "\\",
  "KOFF=Kerio Outlook Connector",
  "PR_SERVICE_DLL_NAME=kofmsp.dll",
  "Providers=KOFF_Provider,KOFF_Store",
  "PR_PROVIDER_DLL_NAME=kofmsp32.dll",
  "\u00ff\u00fe",
  "\u0000",
  "\r",
];

export const mapisvcInfTarget: FuzzTarget = {
  name: "mapisvc-inf",
  weight: 10,
  typedErrors: [WindowsStateError],
  seeds: () => {
    const infs = [
      ...readSeedFiles(EXAMPLES, /^MAPISVC\.INF$/i),
      ...extraSeedFiles((name) => /^mapisvc\.inf$/i.test(name)),
    ];
    return [...infs, ...infs.map(asUtf16)];
  },
  mutate: (bytes, rng) => mutateText(bytes, rng, TOKENS),
  run: (bytes) => {
    const inf = parseMapiSvcInf(bytes, "MAPISVC.INF");
    for (const section of inf.sections) {
      for (const entry of infSectionEntries(inf, section.name)) splitInfList(entry.value);
      lookupInf(inf, section.name, "PR_SERVICE_DLL_NAME");
    }
    lookupInf(inf, "Services", "KOFF");
  },
};
