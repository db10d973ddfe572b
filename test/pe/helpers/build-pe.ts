/**
 * Test helper: builds small, valid synthetic PE32 / PE32+ images in memory, with the structures
 * the PE parser reads (imports by name and ordinal, delay imports in RVA- and VA-based form,
 * exports with forwarders, a VS_VERSIONINFO resource, a certificate table, an overlay), and
 * returns the file offsets of the fields tests patch to make malformed variants.
 *
 * Layout (FileAlignment 0x200, SectionAlignment 0x1000, SizeOfHeaders 0x400):
 *   .text  RVA 0x1000, raw 0x400   a few code bytes (entry point)
 *   .rdata RVA 0x2000, raw next    import, delay-import and export data
 *   .rsrc  RVA next,   raw next    resource tree + VS_VERSIONINFO (only when `version` is given)
 *   overlay, then the certificate table (8-aligned) at the end of the file.
 *
 * Source: Microsoft "PE Format" specification; written for these tests only.
 */

export type ImportSpec = { dll: string; functions: (string | number)[] };
export type DelayImportSpec = ImportSpec & { vaBased?: boolean };
export type ExportSpec = {
  dllName: string;
  base?: number;
  functions: { name?: string; forwarder?: string }[];
};
export type VersionSpec = {
  fileVersion: [number, number, number, number];
  strings: Record<string, string>;
  /** String table key, default "040904b0". */
  table?: string;
  /** VarFileInfo Translation pairs, default [[0x0409, 0x04b0]]. */
  translations?: [number, number][];
};

export interface BuildPeOptions {
  format?: "PE32" | "PE32+";
  machine?: number;
  dll?: boolean;
  imports?: ImportSpec[];
  delayImports?: DelayImportSpec[];
  exports?: ExportSpec;
  version?: VersionSpec;
  /** WIN_CERTIFICATE payloads (type 2, revision 0x0200). */
  certificates?: Uint8Array[];
  /** Bytes appended after the last section (before the certificate table). */
  overlay?: Uint8Array;
}

export interface BuiltPe {
  bytes: Uint8Array;
  layout: {
    lfanew: number;
    fileHeader: number;
    optionalHeader: number;
    checkSumOffset: number;
    /** File offset of data directory entry i. */
    directoryEntry: (index: number) => number;
    sectionTable: number;
    /** Section name → file offset of its raw data / header. */
    sections: Record<string, { header: number; raw: number; rva: number; size: number }>;
    /** File offsets of the structures built, when present. */
    importDescriptors?: number;
    delayDescriptors?: number;
    exportDirectory?: number;
    resourceRoot?: number;
    versionInfo?: number;
    certificateTable?: number;
    overlay?: number;
    imageBase: bigint;
  };
}

const FILE_ALIGN = 0x200;
const SECTION_ALIGN = 0x1000;
const HEADERS = 0x400;

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** A growable little-endian byte area addressed by RVA. */
class Area {
  bytes: number[] = [];
  constructor(readonly rva: number) {}
  get end(): number {
    return this.rva + this.bytes.length;
  }
  alloc(length: number, align = 1): number {
    while (this.bytes.length % align) this.bytes.push(0);
    const at = this.end;
    for (let i = 0; i < length; i++) this.bytes.push(0);
    return at;
  }
  u8(rva: number, v: number): void {
    this.bytes[rva - this.rva] = v & 0xff;
  }
  u16(rva: number, v: number): void {
    this.u8(rva, v);
    this.u8(rva + 1, v >>> 8);
  }
  u32(rva: number, v: number): void {
    this.u16(rva, v & 0xffff);
    this.u16(rva + 2, v >>> 16);
  }
  u64(rva: number, v: bigint): void {
    this.u32(rva, Number(v & 0xffffffffn));
    this.u32(rva + 4, Number(v >> 32n));
  }
  put(bytes: ArrayLike<number>, align = 1): number {
    const at = this.alloc(bytes.length, align);
    for (let i = 0; i < bytes.length; i++) this.bytes[at - this.rva + i] = bytes[i]!;
    return at;
  }
  asciiz(s: string, align = 1): number {
    return this.put([...Buffer.from(s + "\0", "latin1")], align);
  }
}

function utf16z(s: string): number[] {
  return [...Buffer.from(s + "\0", "utf16le")];
}

/** One VS_VERSIONINFO-style block: header, key, value, children, each aligned to 4. */
function versionBlock(
  key: string,
  value: number[] | undefined,
  valueLength: number,
  type: number,
  children: number[][],
): number[] {
  const out: number[] = [0, 0, valueLength & 0xff, valueLength >> 8, type, 0, ...utf16z(key)];
  const pad = (): void => {
    while (out.length % 4) out.push(0);
  };
  if (value !== undefined) {
    pad();
    out.push(...value);
  }
  for (const child of children) {
    pad();
    out.push(...child);
  }
  out[0] = out.length & 0xff;
  out[1] = out.length >> 8;
  return out;
}

/** The VS_VERSIONINFO bytes for `spec`. */
export function buildVersionInfo(spec: VersionSpec): number[] {
  const [a, b, c, d] = spec.fileVersion;
  const fixed = Buffer.alloc(52);
  fixed.writeUInt32LE(0xfeef04bd, 0);
  fixed.writeUInt32LE(0x00010000, 4);
  fixed.writeUInt32LE(((a << 16) | b) >>> 0, 8);
  fixed.writeUInt32LE(((c << 16) | d) >>> 0, 12);
  fixed.writeUInt32LE(((a << 16) | b) >>> 0, 16);
  fixed.writeUInt32LE(((c << 16) | d) >>> 0, 20);
  fixed.writeUInt32LE(0x3f, 24);
  fixed.writeUInt32LE(0, 28);
  fixed.writeUInt32LE(0x40004, 32);
  fixed.writeUInt32LE(2, 36);
  const strings = Object.entries(spec.strings).map(([k, v]) =>
    versionBlock(k, utf16z(v), v.length + 1, 1, []),
  );
  const table = versionBlock(spec.table ?? "040904b0", undefined, 0, 1, strings);
  const sfi = versionBlock("StringFileInfo", undefined, 0, 1, [table]);
  const pairs = spec.translations ?? [[0x0409, 0x04b0]];
  const tr: number[] = [];
  for (const [lang, cp] of pairs) tr.push(lang & 0xff, lang >> 8, cp & 0xff, cp >> 8);
  const vfi = versionBlock("VarFileInfo", undefined, 0, 1, [
    versionBlock("Translation", tr, tr.length, 0, []),
  ]);
  return versionBlock("VS_VERSION_INFO", [...fixed], 52, 0, [sfi, vfi]);
}

/** Builds a synthetic PE. Deterministic: the same options give the same bytes. */
export function buildPe(options: BuildPeOptions = {}): BuiltPe {
  const pe32Plus = (options.format ?? "PE32+") === "PE32+";
  const width = pe32Plus ? 8 : 4;
  const imageBase = pe32Plus ? 0x180000000n : 0x10000000n;
  const lfanew = 0x80;
  const optSize = pe32Plus ? 240 : 224;

  // .text
  const text = new Area(0x1000);
  text.put([0x31, 0xc0, 0xc3, 0x90, 0x48, 0x89, 0xe5, 0xcc, 0x55, 0x8b, 0xec, 0x5d, 0xc3]);

  // .rdata: imports, delay imports, exports
  const rdata = new Area(0x2000);
  const dirs: { rva: number; size: number }[] = Array.from({ length: 16 }, () => ({ rva: 0, size: 0 }));
  const thunkArray = (functions: (string | number)[], vaBias: bigint): number => {
    const at = rdata.alloc((functions.length + 1) * width, width);
    functions.forEach((f, i) => {
      const slot = at + i * width;
      if (typeof f === "number") {
        if (pe32Plus) rdata.u64(slot, (1n << 63n) | BigInt(f));
        else rdata.u32(slot, (0x80000000 | f) >>> 0);
      } else {
        const hintName = rdata.alloc(2, 2);
        rdata.u16(hintName, i);
        rdata.asciiz(f);
        if (pe32Plus) rdata.u64(slot, BigInt(hintName) + vaBias);
        else rdata.u32(slot, Number(BigInt(hintName) + vaBias));
      }
    });
    return at;
  };
  if (options.imports?.length) {
    const desc = rdata.alloc((options.imports.length + 1) * 20, 4);
    dirs[1] = { rva: desc, size: (options.imports.length + 1) * 20 };
    options.imports.forEach((m, i) => {
      const int = thunkArray(m.functions, 0n);
      const iat = thunkArray(m.functions, 0n);
      const name = rdata.asciiz(m.dll);
      rdata.u32(desc + i * 20, int);
      rdata.u32(desc + i * 20 + 12, name);
      rdata.u32(desc + i * 20 + 16, iat);
    });
  }
  if (options.delayImports?.length) {
    const desc = rdata.alloc((options.delayImports.length + 1) * 32, 4);
    dirs[13] = { rva: desc, size: (options.delayImports.length + 1) * 32 };
    options.delayImports.forEach((m, i) => {
      const bias = m.vaBased ? imageBase : 0n;
      const int = thunkArray(m.functions, bias);
      const iat = rdata.alloc((m.functions.length + 1) * width, width);
      const handle = rdata.alloc(width, width);
      const name = rdata.asciiz(m.dll);
      const d = desc + i * 32;
      rdata.u32(d, m.vaBased ? 0 : 1);
      rdata.u32(d + 4, Number(BigInt(name) + bias));
      rdata.u32(d + 8, Number(BigInt(handle) + bias));
      rdata.u32(d + 12, Number(BigInt(iat) + bias));
      rdata.u32(d + 16, Number(BigInt(int) + bias));
    });
  }
  let exportDirRva: number | undefined;
  if (options.exports) {
    const e = options.exports;
    const dir = rdata.alloc(40, 4);
    exportDirRva = dir;
    const n = e.functions.length;
    const eat = rdata.alloc(n * 4, 4);
    const named = e.functions
      .map((f, i) => ({ name: f.name, i }))
      .filter((x): x is { name: string; i: number } => x.name !== undefined);
    named.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    const names = rdata.alloc(named.length * 4, 4);
    const ords = rdata.alloc(named.length * 2, 2);
    const dllName = rdata.asciiz(e.dllName);
    named.forEach((x, j) => {
      rdata.u32(names + j * 4, rdata.asciiz(x.name));
      rdata.u16(ords + j * 2, x.i);
    });
    e.functions.forEach((f, i) => {
      rdata.u32(eat + i * 4, f.forwarder !== undefined ? rdata.asciiz(f.forwarder) : 0x1000 + i);
    });
    rdata.u32(dir + 12, dllName);
    rdata.u32(dir + 16, e.base ?? 1);
    rdata.u32(dir + 20, n);
    rdata.u32(dir + 24, named.length);
    rdata.u32(dir + 28, eat);
    rdata.u32(dir + 32, names);
    rdata.u32(dir + 36, ords);
    dirs[0] = { rva: dir, size: rdata.end - dir };
  }
  if (rdata.bytes.length === 0) rdata.alloc(16);

  // .rsrc
  const rsrcRva = alignUp(rdata.end, SECTION_ALIGN);
  const rsrc = new Area(rsrcRva);
  let versionRva: number | undefined;
  if (options.version) {
    // root (type 16) → name dir (id 1) → language dir (0x409) → data entry → VS_VERSIONINFO
    const root = rsrc.alloc(16 + 8, 4);
    const nameDir = rsrc.alloc(16 + 8, 4);
    const langDir = rsrc.alloc(16 + 8, 4);
    const dataEntry = rsrc.alloc(16, 4);
    const vi = buildVersionInfo(options.version);
    versionRva = rsrc.put(vi, 4);
    const rel = (rva: number): number => rva - rsrcRva;
    rsrc.u16(root + 14, 1);
    rsrc.u32(root + 16, 16);
    rsrc.u32(root + 20, (0x80000000 | rel(nameDir)) >>> 0);
    rsrc.u16(nameDir + 14, 1);
    rsrc.u32(nameDir + 16, 1);
    rsrc.u32(nameDir + 20, (0x80000000 | rel(langDir)) >>> 0);
    rsrc.u16(langDir + 14, 1);
    rsrc.u32(langDir + 16, 0x409);
    rsrc.u32(langDir + 20, rel(dataEntry));
    rsrc.u32(dataEntry, versionRva);
    rsrc.u32(dataEntry + 4, vi.length);
    dirs[2] = { rva: rsrcRva, size: rsrc.bytes.length };
  }

  const areas: { name: string; area: Area; characteristics: number }[] = [
    { name: ".text", area: text, characteristics: 0x60000020 },
    { name: ".rdata", area: rdata, characteristics: 0x40000040 },
  ];
  if (options.version) areas.push({ name: ".rsrc", area: rsrc, characteristics: 0x40000040 });

  // Raw layout
  let raw = HEADERS;
  const placed = areas.map((a) => {
    const size = alignUp(a.area.bytes.length, FILE_ALIGN);
    const at = raw;
    raw += size;
    return { ...a, raw: at, rawSize: size };
  });
  const overlayOffset = options.overlay ? raw : undefined;
  let fileSize = raw + (options.overlay?.length ?? 0);
  let certOffset: number | undefined;
  let certSize = 0;
  if (options.certificates?.length) {
    certOffset = alignUp(fileSize, 8);
    for (const c of options.certificates) certSize += alignUp(8 + c.length, 8);
    fileSize = certOffset + certSize;
    dirs[4] = { rva: certOffset, size: certSize };
  }
  const lastArea = placed[placed.length - 1]!;
  const sizeOfImage = alignUp(lastArea.area.end, SECTION_ALIGN);

  const buf = Buffer.alloc(fileSize);
  buf.write("MZ", 0, "latin1");
  buf.writeUInt32LE(lfanew, 0x3c);
  buf.write("This program cannot be run in DOS mode.", 0x4e, "latin1");
  buf.write("PE\0\0", lfanew, "latin1");
  const fh = lfanew + 4;
  buf.writeUInt16LE(options.machine ?? (pe32Plus ? 0x8664 : 0x14c), fh);
  buf.writeUInt16LE(placed.length, fh + 2);
  buf.writeUInt32LE(1700000000, fh + 4);
  buf.writeUInt16LE(optSize, fh + 16);
  buf.writeUInt16LE(0x0002 | (options.dll === false ? 0 : 0x2000) | (pe32Plus ? 0x20 : 0x100), fh + 18);
  const oh = fh + 20;
  buf.writeUInt16LE(pe32Plus ? 0x20b : 0x10b, oh);
  buf.writeUInt32LE(placed[0]!.rawSize, oh + 4);
  buf.writeUInt32LE(0x1000, oh + 16); // AddressOfEntryPoint
  buf.writeUInt32LE(0x1000, oh + 20); // BaseOfCode
  if (pe32Plus) buf.writeBigUInt64LE(imageBase, oh + 24);
  else buf.writeUInt32LE(Number(imageBase), oh + 28);
  buf.writeUInt32LE(SECTION_ALIGN, oh + 32);
  buf.writeUInt32LE(FILE_ALIGN, oh + 36);
  buf.writeUInt16LE(6, oh + 40);
  buf.writeUInt16LE(6, oh + 48);
  buf.writeUInt32LE(sizeOfImage, oh + 56);
  buf.writeUInt32LE(HEADERS, oh + 60);
  buf.writeUInt16LE(2, oh + 68); // GUI
  buf.writeUInt16LE(0x0140, oh + 70);
  const fixed = pe32Plus ? 112 : 96;
  buf.writeUInt32LE(16, oh + fixed - 4);
  dirs.forEach((d, i) => {
    buf.writeUInt32LE(d.rva, oh + fixed + i * 8);
    buf.writeUInt32LE(d.size, oh + fixed + i * 8 + 4);
  });
  const st = oh + optSize;
  const sections: BuiltPe["layout"]["sections"] = {};
  placed.forEach((p, i) => {
    const h = st + i * 40;
    buf.write(p.name, h, "latin1");
    buf.writeUInt32LE(p.area.bytes.length, h + 8);
    buf.writeUInt32LE(p.area.rva, h + 12);
    buf.writeUInt32LE(p.rawSize, h + 16);
    buf.writeUInt32LE(p.raw, h + 20);
    buf.writeUInt32LE(p.characteristics, h + 36);
    Buffer.from(p.area.bytes).copy(buf, p.raw);
    sections[p.name] = { header: h, raw: p.raw, rva: p.area.rva, size: p.rawSize };
  });
  if (options.overlay && overlayOffset !== undefined) Buffer.from(options.overlay).copy(buf, overlayOffset);
  if (certOffset !== undefined) {
    let pos = certOffset;
    for (const c of options.certificates!) {
      buf.writeUInt32LE(8 + c.length, pos);
      buf.writeUInt16LE(0x0200, pos + 4);
      buf.writeUInt16LE(2, pos + 6);
      Buffer.from(c).copy(buf, pos + 8);
      pos += alignUp(8 + c.length, 8);
    }
  }
  const rdataRaw = sections[".rdata"]!.raw;
  const toFile = (rva: number, base: number, raw0: number): number => raw0 + (rva - base);
  const layout: BuiltPe["layout"] = {
    lfanew,
    fileHeader: fh,
    optionalHeader: oh,
    checkSumOffset: oh + 64,
    directoryEntry: (index) => oh + fixed + index * 8,
    sectionTable: st,
    sections,
    imageBase,
  };
  if (dirs[1]!.rva) layout.importDescriptors = toFile(dirs[1]!.rva, 0x2000, rdataRaw);
  if (dirs[13]!.rva) layout.delayDescriptors = toFile(dirs[13]!.rva, 0x2000, rdataRaw);
  if (exportDirRva !== undefined) layout.exportDirectory = toFile(exportDirRva, 0x2000, rdataRaw);
  if (options.version) {
    layout.resourceRoot = sections[".rsrc"]!.raw;
    layout.versionInfo = toFile(versionRva!, rsrcRva, sections[".rsrc"]!.raw);
  }
  if (certOffset !== undefined) layout.certificateTable = certOffset;
  if (overlayOffset !== undefined) layout.overlay = overlayOffset;
  return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), layout };
}

/** A PE with every structure the parser reads; the default subject of the robustness tests. */
export function buildKitchenSinkPe(format: "PE32" | "PE32+" = "PE32+"): BuiltPe {
  return buildPe({
    format,
    imports: [
      { dll: "KERNEL32.dll", functions: ["GetLastError", "Sleep", "VirtualProtect"] },
      { dll: "WS2_32.dll", functions: [23, 115, "WSAStartup"] },
    ],
    delayImports: [
      { dll: "USER32.dll", functions: ["MessageBoxW", 42] },
      { dll: "OLD.dll", functions: ["Legacy"], vaBased: format === "PE32" },
    ],
    exports: {
      dllName: "kofmsp.dll",
      base: 5,
      functions: [
        { name: "ServiceEntry" },
        { name: "MSProviderInit" },
        {},
        { name: "Fwd", forwarder: "NTDLL.RtlZeroMemory" },
      ],
    },
    version: {
      fileVersion: [10, 0, 8, 9999],
      strings: {
        CompanyName: "Kerio Technologies s.r.o.",
        ProductName: "Kerio Outlook Connector (Offline Edition)",
        FileDescription: "MAPI Store Provider",
        FileVersion: "10.0.8.9999",
        OriginalFilename: "kofmsp.dll",
        InternalName: "kofmsp",
        Comments: "synthetic",
      },
    },
    overlay: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    certificates: [new Uint8Array(37).fill(0x30), new Uint8Array(16).fill(0x31)],
  });
}
