/**
 * VS_VERSIONINFO, the RT_VERSION resource: a tree of length-prefixed blocks
 * `{ u16 wLength; u16 wValueLength; u16 wType; WCHAR szKey[]; pad to 4; Value; pad to 4; Children }`.
 * The root (key `VS_VERSION_INFO`) holds VS_FIXEDFILEINFO; its children are StringFileInfo
 * (StringTables keyed by language+code page, holding String key/value pairs) and VarFileInfo
 * (a `Translation` Var of language/code-page pairs).
 *
 * Source: Microsoft Win32 documentation "VS_VERSIONINFO", "VS_FIXEDFILEINFO", "StringFileInfo",
 * "StringTable", "String", "VarFileInfo", "Var" structures (verrsrc.h).
 */
import { utf16le } from "../util/byte-reader.js";
import { PeFormatError } from "./errors.js";
import { MAX_VERSION_BLOCKS, MAX_VERSION_STRING_CHARS } from "./limits.js";
import type { ParseContext } from "./parse-context.js";
import type { FixedFileInfo, VersionInfo } from "./types.js";

/** VS_FIXEDFILEINFO.dwSignature. */
export const VS_FFI_SIGNATURE = 0xfeef04bd;
/** Size of VS_FIXEDFILEINFO in bytes. */
export const VS_FIXEDFILEINFO_SIZE = 52;

interface Block {
  offset: number;
  end: number;
  valueLength: number;
  type: number;
  key: string;
  valueOffset: number;
  childrenOffset: number;
}

/**
 * Parses the VS_VERSIONINFO held in file bytes `[offset, offset + length)`. Problems (bad lengths,
 * wrong root key, blocks overrunning their parent) are recorded or thrown per mode; everything
 * read before a problem is kept.
 * @param offset - file offset of the resource data.
 * @param length - bytes of resource data available in the file.
 * @throws PeFormatError in strict mode: `malformed`, `truncated`, `count-over-limit`.
 */
export function parseVersionInfo(ctx: ParseContext, offset: number, length: number): VersionInfo {
  const r = ctx.reader;
  const info: VersionInfo = { strings: {}, translations: [] };
  const limit = Math.min(offset + length, r.size);
  const align = (x: number): number => offset + ((x - offset + 3) & ~3);
  let blocks = 0;

  const readBlock = (at: number, parentEnd: number): Block => {
    const structure = "VS_VERSIONINFO";
    if (++blocks > MAX_VERSION_BLOCKS) {
      throw new PeFormatError("count-over-limit", `More than ${MAX_VERSION_BLOCKS} version blocks`, {
        offset: at,
        structure,
      });
    }
    if (at + 6 > parentEnd)
      throw new PeFormatError("truncated", "Version block header runs past its parent", {
        offset: at,
        structure,
      });
    const wLength = r.u16(at, structure);
    if (wLength < 6)
      throw new PeFormatError("malformed", `Version block wLength ${wLength} is below the 6-byte header`, {
        offset: at,
        structure,
      });
    let end = at + wLength;
    if (end > parentEnd) {
      ctx.problem(
        "malformed",
        "version-block-overruns-parent",
        structure,
        at,
        `Version block of ${wLength} bytes runs past its parent`,
      );
      end = parentEnd;
    }
    const valueLength = r.u16(at + 2, structure);
    const type = r.u16(at + 4, structure);
    const key = utf16Until(at + 6, end);
    const valueOffset = Math.min(align(at + 6 + key.byteLength), end);
    const valueBytes = type === 1 ? valueLength * 2 : valueLength;
    const childrenOffset = Math.min(align(valueOffset + valueBytes), end);
    return { offset: at, end, valueLength, type, key: key.value, valueOffset, childrenOffset };
  };

  /** NUL-terminated UTF-16 in [at, end), at most MAX_VERSION_STRING_CHARS; byteLength includes the NUL. */
  const utf16Until = (at: number, end: number): { value: string; byteLength: number } => {
    const stop = Math.min(end, at + MAX_VERSION_STRING_CHARS * 2) - 1;
    const b = r.buffer;
    let i = at;
    while (i < stop && (b[i] !== 0 || b[i + 1] !== 0)) i += 2;
    const value = utf16le(b.subarray(at, Math.min(i, end)));
    return { value, byteLength: i - at + (i < stop ? 2 : 0) };
  };

  /** Calls `visit` for each child block; a problem in one child ends the list (permissive). */
  const children = (parent: Block, visit: (child: Block) => void): void => {
    let at = parent.childrenOffset;
    // Terminates: each child has wLength ≥ 6, so `at` strictly increases up to parent.end.
    while (at + 6 <= parent.end) {
      const ok = ctx.guard("VS_VERSIONINFO", false, () => {
        const child = readBlock(at, parent.end);
        visit(child);
        at = align(child.offset + (child.end - child.offset));
        return true;
      });
      if (!ok) return;
    }
  };

  ctx.guard("VS_VERSIONINFO", undefined, () => {
    const root = readBlock(offset, limit);
    if (root.key !== "VS_VERSION_INFO") {
      ctx.problem(
        "malformed",
        "version-info-bad-key",
        "VS_VERSIONINFO",
        offset,
        `Root key is ${JSON.stringify(root.key)}, not "VS_VERSION_INFO"`,
      );
    }
    if (root.valueLength >= VS_FIXEDFILEINFO_SIZE && root.valueOffset + VS_FIXEDFILEINFO_SIZE <= root.end) {
      const fixed = readFixed(ctx, root.valueOffset);
      if (fixed !== undefined) info.fixed = fixed;
    } else if (root.valueLength !== 0) {
      ctx.problem(
        "malformed",
        "version-fixed-file-info-short",
        "VS_FIXEDFILEINFO",
        root.valueOffset,
        `wValueLength ${root.valueLength} is too small for VS_FIXEDFILEINFO`,
      );
    }
    children(root, (section) => {
      if (section.key === "StringFileInfo") {
        children(section, (table) => {
          info.translations.push(table.key);
          children(table, (s) => {
            const value = utf16Until(s.valueOffset, s.end).value;
            if (!(s.key in info.strings)) info.strings[s.key] = value;
          });
        });
      } else if (section.key === "VarFileInfo") {
        children(section, (v) => {
          if (v.key !== "Translation") return;
          const list = (info.varFileInfoTranslations ??= []);
          const end = Math.min(v.valueOffset + v.valueLength, v.end);
          for (let p = v.valueOffset; p + 4 <= end; p += 4) {
            const language = r.u16(p, "Var");
            const codePage = r.u16(p + 2, "Var");
            list.push(language.toString(16).padStart(4, "0") + codePage.toString(16).padStart(4, "0"));
          }
        });
      }
    });
  });
  return info;
}

function readFixed(ctx: ParseContext, at: number): FixedFileInfo | undefined {
  const r = ctx.reader;
  const s = "VS_FIXEDFILEINFO";
  if (r.u32(at, s) !== VS_FFI_SIGNATURE) {
    ctx.problem(
      "malformed",
      "version-fixed-file-info-bad-signature",
      s,
      at,
      `dwSignature is 0x${r.u32(at, s).toString(16)}, not 0xfeef04bd`,
    );
    return undefined;
  }
  const version = (ms: number, ls: number): string =>
    `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}`;
  return {
    fileVersion: version(r.u32(at + 8, s), r.u32(at + 12, s)),
    productVersion: version(r.u32(at + 16, s), r.u32(at + 20, s)),
    fileFlags: r.u32(at + 28, s),
    fileOS: r.u32(at + 32, s),
    fileType: r.u32(at + 36, s),
  };
}
