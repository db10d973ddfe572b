/**
 * Target `reg`: `.reg` text (the hive fixtures' sources, and the fixture hives exported as
 * `.reg`, in UTF-16LE as regedit writes it), parsed and applied to a tree. Field-aware
 * mutations insert the grammar's tokens: key lines, value types, continuations, escapes.
 *
 * Source: Microsoft KB 310516 (".reg file syntax").
 */
import path from "node:path";
import {
  RegistryError,
  applyRegOperations,
  exportHiveAsReg,
  openHive,
  parseRegFile,
} from "../../src/registry/index.js";
import { extraSeedFiles, FIXTURES, readSeedFiles } from "../seeds.js";
import type { FuzzTarget } from "../target.js";
import { asUtf16, mutateText } from "../text-mutate.js";

export const REG_TOKENS = [
  "Windows Registry Editor Version 5.00",
  "REGEDIT4",
  "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Kerio]",
  "[-HKEY_CURRENT_USER\\Software]",
  "[",
  "]",
  "\\",
  '"',
  '\\"',
  "\\\\",
  '"Name"="value"',
  "@=",
  '"x"=-',
  "=",
  "dword:",
  "dword:ffffffff",
  "dword:1ffffffff",
  "hex:",
  "hex(0):",
  "hex(2):41,00,00,00",
  "hex(7):41,00,00,00,00,00",
  "hex(b):ff,ff,ff,ff,ff,ff,ff,ff",
  "hex(ffffffff):00",
  "hex(100000000):",
  ",",
  "00,",
  "ff,\\",
  ";",
  "\r",
  "\u0000",
  "\uFEFF",
  "\uD800",
];

export const regFileTarget: FuzzTarget = {
  name: "reg",
  weight: 10,
  typedErrors: [RegistryError],
  seeds: () => {
    const sources = readSeedFiles(path.join(FIXTURES, "hives", "src"), /\.reg$/i);
    const exported = readSeedFiles(path.join(FIXTURES, "hives"), /\.hiv$/i).map((h) =>
      asUtf16(new Uint8Array(Buffer.from(exportHiveAsReg(openHive(h, { mode: "permissive" })), "latin1"))),
    );
    return [
      ...sources,
      ...exported,
      ...sources.map(asUtf16),
      ...extraSeedFiles((name) => /\.reg$/i.test(name)),
    ];
  },
  mutate: (bytes, rng) => mutateText(bytes, rng, REG_TOKENS),
  run: (bytes) => {
    const reg = parseRegFile(bytes);
    applyRegOperations(reg.operations);
  },
};
