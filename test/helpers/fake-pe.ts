/**
 * Builds `PeImage` objects in memory for indicator tests, so each test states exactly the facts
 * it judges (sections, imports, exports, version strings) without a binary fixture.
 */
import type { PeImage, SectionHeader } from "../../src/pe/types.js";

export function fakeSection(name: string, over: Partial<SectionHeader> = {}): SectionHeader {
  return {
    name,
    virtualSize: 0x1000,
    virtualAddress: 0x1000,
    sizeOfRawData: 0x1000,
    pointerToRawData: 0x400,
    characteristics: name === ".text" ? 0x60000020 : 0x40000040,
    entropy: 5,
    executable: name === ".text",
    writable: false,
    headerOffset: 0x188,
    ...over,
  };
}

export function fakePe(over: Partial<PeImage> & { isDll?: boolean } = {}): PeImage {
  const { isDll = true, ...rest } = over;
  return {
    size: 150_000,
    dos: { magic: 0x5a4d, lfanew: 0x80 },
    fileHeader: {
      offset: 0x84,
      machine: 0x8664,
      machineName: "x64",
      numberOfSections: 1,
      timeDateStamp: 0,
      pointerToSymbolTable: 0,
      numberOfSymbols: 0,
      sizeOfOptionalHeader: 240,
      characteristics: isDll ? 0x2022 : 0x0022,
      isDll,
      isExecutableImage: true,
    },
    optionalHeader: {
      offset: 0x98,
      magic: 0x20b,
      format: "PE32+",
      addressOfEntryPoint: 0x1010,
      baseOfCode: 0x1000,
      imageBase: 0x180000000n,
      sectionAlignment: 0x1000,
      fileAlignment: 0x200,
      majorSubsystemVersion: 6,
      sizeOfImage: 0x3000,
      sizeOfHeaders: 0x400,
      checkSum: 0,
      checkSumOffset: 0xd8,
      subsystem: 2,
      dllCharacteristics: 0,
      numberOfRvaAndSizes: 16,
      dataDirectories: [],
    },
    sections: [fakeSection(".text")],
    imports: [],
    overlay: { offset: 150_000, size: 0, entropy: 0 },
    computedCheckSum: 0,
    anomalies: [],
    ...rest,
  };
}
