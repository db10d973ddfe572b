/**
 * `--redact`: replaces user names, e-mail addresses, host names and domain names consistently
 * (the same token for the same value) in a bundle's text: Windows paths and member names, JSON,
 * `.reg` exports, INF files and log tails, in UTF-8, Windows-1252 (ANSI) and UTF-16LE, in any
 * letter case. Binary content is never edited (src/bundle/collect/redact-recording.ts decides
 * what travels instead).
 *
 * Tokens: users `user-N`, e-mail addresses `<user token>@domain-N.invalid`, host names `host-N`,
 * domain names `domain-N.invalid`, host paths `path-N`; the machine's `MachineGuid` becomes
 * `sha256:<hex>`, the one-way hash the host id of a redacted bundle is (src/check/collect/host.ts),
 * the same on every collection so a fleet still sees one host.
 *
 * **Whole values only.** A value is replaced where it stands whole: not preceded and not
 * followed by a *word character*, i.e. a Unicode letter (`\p{L}`), mark (`\p{M}`), number
 * (`\p{N}`) or `_`. Path separators, `.`, `-`, `@`, quotes, spaces and punctuation are
 * boundaries, so `C:\Users\it\…`, `"it"`, `it.` and `pc-it-01` lose `it`, but `Edition`,
 * `IT_admin` and `Itália` keep it. Matching is case-insensitive (Unicode simple case folding),
 * longest value first, in one pass per encoding view (a token is never rewritten again).
 *
 * **Values never redacted** (kept, and listed in the local map's `skipped`): values shorter than
 * two characters (a drive letter would match), public vendor domains, and *protected words*:
 * any word of a path or name `check` reads (`Users`, `AppData`, `Local`, `Kerio`, `Program`,
 * `Files`, `Offline`, …) and the token stems (`user`, `host`, `domain`, `path`). Replacing a
 * protected word would change what `check` finds (`C:\Program Files` would stop being one).
 *
 * Source: docs/bundle.md ("Redaction", "Whole values only"); Unicode simple case folding
 * (https://www.unicode.org/Public/UCD/latest/ucd/CaseFolding.txt, status C and S).
 */
import { hashedMachineGuid } from "../check/collect/host.js";
import { decodeWindows1252, encodeWindows1252 } from "../windows/windows-1252.js";

/** What a sensitive value is (`machine-id`: the MachineGuid). */
export type SensitiveCategory = "user" | "email" | "host" | "domain" | "path" | "machine-id";

/** One redacted value and its token. */
export interface RedactionEntry {
  category: SensitiveCategory;
  value: string;
  token: string;
}

/** A value found but deliberately kept, and why. */
export interface SkippedValue {
  value: string;
  reason: string;
}

/**
 * Paths and names `check` reads, and the token stems. Every *word* of them (split at
 * non-word characters) is protected: a value equal to one is never redacted.
 */
const PROTECTED_PHRASES = [
  "Users\\Public\\Default\\Default User\\All Users",
  "AppData\\Local\\Roaming\\LocalLow\\Temp\\Tmp\\Desktop\\Documents\\Downloads",
  "Kerio\\Outlook Connector (Offline Edition)\\Outlook Connector\\UpdaterService\\KOFF\\kofmsp\\kofmsp32",
  "Microsoft\\Office\\root\\vfs\\ProgramFilesCommonX86\\ProgramFilesCommonX64\\Common Files\\MSMAPI\\MAPI",
  "Windows\\System\\System32\\SysWOW64\\WinSxS\\config\\SOFTWARE\\SYSTEM\\NTUSER.DAT",
  "Program Files (x86)\\Program Files\\ProgramData\\Profiles\\Windows NT\\CurrentVersion",
  "HKLM\\HKU\\HKCU\\HKEY_LOCAL_MACHINE\\HKEY_USERS\\HKEY_CURRENT_USER\\SystemCertificates\\ROOT\\AuthRoot",
  "Administrators\\Everyone\\SYSTEM\\localhost\\Defender\\Exclusions\\Paths\\Policies\\Uninstall",
  "user\\host\\domain\\path\\invalid",
];
/** A word character: a Unicode letter, mark, number, or `_` (docs/bundle.md "Redaction"). */
const WORD_CHAR = "[\\p{L}\\p{M}\\p{N}_]";
const PROTECTED = new Set(
  PROTECTED_PHRASES.flatMap((p) => p.split(new RegExp(`(?:(?!${WORD_CHAR}).)+`, "u")))
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase()),
);

/** True when `value` may not be redacted because `check` reads it as a word of a path or name. */
export function isProtectedWord(value: string): boolean {
  return PROTECTED.has(value.trim().toLowerCase());
}

/** Public vendor and mail-provider domains: seen in certificates and URLs, not the user's. */
const PUBLIC_DOMAINS = [
  "microsoft.com",
  "windows.com",
  "windowsupdate.com",
  "office.com",
  "office365.com",
  "live.com",
  "digicert.com",
  "verisign.com",
  "symantec.com",
  "sectigo.com",
  "comodoca.com",
  "usertrust.com",
  "globalsign.com",
  "globalsign.net",
  "thawte.com",
  "entrust.net",
  "letsencrypt.org",
  "godaddy.com",
  "kerio.com",
  "gfi.com",
  "w3.org",
  "xmlsoap.org",
  "openxmlformats.org",
  "example.com",
  "example.org",
  "gmail.com",
  "outlook.com",
  "hotmail.com",
  "yahoo.com",
  "icloud.com",
];

/** True for a domain or host that is public (a vendor's, or a mail provider's). */
export function isPublicDomain(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return PUBLIC_DOMAINS.some((d) => h === d || h.endsWith(`.${d}`));
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+/g;
const URL_HOST = /\b[a-z][a-z0-9+.-]{1,15}:\/\/(?:[^@/\s"'<>]{0,128}@)?([A-Za-z0-9][A-Za-z0-9.-]{0,252})/gi;
const UNC_HOST = /\\\\([A-Za-z0-9][A-Za-z0-9.-]{0,252})\\/g;

/** E-mail addresses, URL hosts and UNC hosts found in `text`. */
export function findSensitiveInText(text: string): Array<{ category: SensitiveCategory; value: string }> {
  const out: Array<{ category: SensitiveCategory; value: string }> = [];
  for (const m of text.matchAll(EMAIL)) out.push({ category: "email", value: m[0].replace(/\.$/, "") });
  for (const m of text.matchAll(URL_HOST)) {
    const host = m[1]!.replace(/\.$/, "");
    if (!isPublicDomain(host) && host.toLowerCase() !== "localhost")
      out.push({ category: "host", value: host });
  }
  for (const m of text.matchAll(UNC_HOST)) {
    const host = m[1]!.replace(/\.$/, "");
    if (!isPublicDomain(host) && host.toLowerCase() !== "localhost")
      out.push({ category: "host", value: host });
  }
  return out;
}

/** A text decoding of bytes: the string, and each code unit's byte offset (plus the end offset). */
interface TextView {
  encoding: "utf-8" | "windows-1252" | "utf-16le";
  text: string;
  /** `offsets[i]` = byte offset of code unit `i`; `offsets[text.length]` = end of the last one. */
  offsets: Uint32Array;
}

/**
 * A letter standing for a byte that is not UTF-8 when editing mixed text (`ʰ`, U+02B0): a word
 * character, so a Windows-1252 `é` next to a value still joins it into one word, as in the
 * Windows-1252 view.
 */
const NOT_UTF8_AS_LETTER = 0x02b0;

/**
 * UTF-8 view: well-formed sequences decode, every other byte is one `invalid` code unit
 * (U+FFFD, or {@link NOT_UTF8_AS_LETTER} when editing).
 */
function utf8View(b: Uint8Array, invalid = 0xfffd): TextView {
  // At most one code unit per byte (a 4-byte sequence gives two).
  const offsets = new Uint32Array(b.length + 1);
  let n = 0;
  if (isUtf8(b)) {
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if ((c & 0xc0) === 0x80) continue; // continuation byte
      offsets[n++] = i;
      if (c >= 0xf0) offsets[n++] = i; // a surrogate pair
    }
    offsets[n] = b.length;
    return { encoding: "utf-8", text: new TextDecoder().decode(b), offsets: offsets.subarray(0, n + 1) };
  }
  const units = new Uint8Array(2 * b.length); // UTF-16LE code units
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let cp = invalid;
    let len = 1;
    if (c < 0x80) cp = c;
    else {
      const want = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
      if (want > 0 && i + want <= b.length) {
        let v = want === 2 ? c & 0x1f : want === 3 ? c & 0x0f : c & 0x07;
        let ok = true;
        for (let k = 1; k < want; k++) {
          const x = b[i + k]!;
          if ((x & 0xc0) !== 0x80) ok = false;
          v = (v << 6) | (x & 0x3f);
        }
        const min = want === 2 ? 0x80 : want === 3 ? 0x800 : 0x10000;
        if (ok && v >= min && v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff)) {
          cp = v;
          len = want;
        }
      }
    }
    if (cp > 0xffff) {
      const hi = 0xd800 + ((cp - 0x10000) >> 10);
      units[2 * n] = hi & 0xff;
      units[2 * n + 1] = hi >>> 8;
      offsets[n++] = i;
      cp = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    }
    units[2 * n] = cp & 0xff;
    units[2 * n + 1] = cp >>> 8;
    offsets[n++] = i;
    i += len;
  }
  offsets[n] = b.length;
  return {
    encoding: "utf-8",
    text: fromUtf16le(units.subarray(0, 2 * n)),
    offsets: offsets.subarray(0, n + 1),
  };
}

/** Windows-1252 view: one code unit per byte. */
function ansiView(b: Uint8Array): TextView {
  const offsets = new Uint32Array(b.length + 1);
  for (let i = 0; i <= b.length; i++) offsets[i] = i;
  return { encoding: "windows-1252", text: decodeWindows1252(b), offsets };
}

/** UTF-16LE view starting at byte `start` (0 or 1): one code unit per byte pair. */
function utf16View(b: Uint8Array, start: number): TextView {
  const n = Math.max(0, Math.floor((b.length - start) / 2));
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i <= n; i++) offsets[i] = start + 2 * i;
  return { encoding: "utf-16le", text: fromUtf16le(b.subarray(start, start + 2 * n)), offsets };
}

const UTF16LE = new TextDecoder("utf-16le", { ignoreBOM: true });
/** UTF-16LE bytes (even length) as a string of as many code units (a lone surrogate reads as U+FFFD). */
const fromUtf16le = (b: Uint8Array): string => UTF16LE.decode(b);

/** `s` in `encoding` (Windows-1252: `undefined` when a character has no byte). */
function encodeAs(s: string, encoding: TextView["encoding"]): Uint8Array | undefined {
  if (encoding === "utf-8") return new TextEncoder().encode(s);
  if (encoding === "windows-1252") return encodeWindows1252(s);
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    out[2 * i] = s.charCodeAt(i) & 0xff;
    out[2 * i + 1] = s.charCodeAt(i) >>> 8;
  }
  return out;
}

/** The encoding views searched in bytes, in order. */
const VIEWS: ReadonlyArray<(b: Uint8Array) => TextView> = [
  utf8View,
  ansiView,
  (b) => utf16View(b, 0),
  (b) => utf16View(b, 1),
];

function isUtf8(b: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A consistent, boundary-aware redactor over a fixed set of sensitive values. */
export class Redactor {
  readonly entries: readonly RedactionEntry[];
  /** Values found but deliberately kept, with the reason. */
  readonly skipped: readonly SkippedValue[];
  /** Whole-value matcher (global, case-insensitive, Unicode); undefined when nothing is redacted. */
  readonly #matcher: RegExp | undefined;
  /** Lower-cased value → token. */
  readonly #token = new Map<string, string>();
  /** Every spelling matched (value, full lower case, full upper case) and its token, longest first. */
  #spellings: Array<[string, string]> = [];

  constructor(values: Iterable<{ category: SensitiveCategory; value: string }>) {
    const counters: Record<SensitiveCategory, number> = {
      user: 0,
      email: 0,
      host: 0,
      domain: 0,
      path: 0,
      "machine-id": 0,
    };
    const byValue = new Map<string, RedactionEntry>();
    const skipped = new Map<string, SkippedValue>();
    const localTokens = new Map<string, string>();
    const all = [...values];
    // Users and domains first, so e-mail tokens can reuse them.
    const order: SensitiveCategory[] = ["user", "domain", "host", "path", "email", "machine-id"];
    all.sort((a, b) => order.indexOf(a.category) - order.indexOf(b.category));
    const skip = (value: string, reason: string) => {
      if (!skipped.has(value.toLowerCase())) skipped.set(value.toLowerCase(), { value, reason });
      return undefined;
    };
    const tokenFor = (category: SensitiveCategory, value: string): string | undefined => {
      const v = value.trim();
      const k = v.toLowerCase();
      if (byValue.has(k)) return byValue.get(k)!.token;
      if (v.length < 2) return skip(v, "shorter than 2 characters");
      if (PROTECTED.has(k)) return skip(v, "a word of a path or name check reads");
      let token: string;
      if (category === "email") {
        const at = v.lastIndexOf("@");
        const local = v.slice(0, at);
        const domain = v.slice(at + 1);
        // The local part alone is not redacted elsewhere (it may be a common word); only the address is.
        const lk = local.toLowerCase();
        let lt = byValue.get(lk)?.token ?? localTokens.get(lk);
        if (lt === undefined) {
          lt = `user-${++counters.user}`;
          localTokens.set(lk, lt);
        }
        const dt = tokenFor("domain", domain) ?? `domain-${++counters.domain}.invalid`;
        token = `${lt}@${dt}`;
      } else if (category === "user") token = `user-${++counters.user}`;
      else if (category === "domain") token = `domain-${++counters.domain}.invalid`;
      else if (category === "host") token = `host-${++counters.host}`;
      else if (category === "machine-id") token = hashedMachineGuid(v);
      else token = `path-${++counters.path}`;
      byValue.set(k, { category, value: v, token });
      return token;
    };
    for (const { category, value } of all) {
      if (category === "domain" && isPublicDomain(value)) {
        skip(value, "a public domain");
        continue;
      }
      tokenFor(category, value);
    }
    this.entries = [...byValue.values()];
    this.skipped = [...skipped.values()].filter((s) => !byValue.has(s.value.toLowerCase()));
    // Each value also in its full lower and upper case, which case folding does not reach
    // (`İlker` → `i̇lker`, `straße` → `STRASSE`): text a program case-mapped holds those.
    const spellings = new Map<string, string>();
    for (const e of this.entries)
      for (const v of [e.value, e.value.toLowerCase(), e.value.toUpperCase()])
        if (!spellings.has(v)) spellings.set(v, e.token);
    const sorted = [...spellings].sort(([a], [b]) => b.length - a.length);
    this.#spellings = sorted;
    for (const [v, token] of sorted)
      if (!this.#token.has(v.toLowerCase())) this.#token.set(v.toLowerCase(), token);
    if (sorted.length > 0)
      this.#matcher = new RegExp(
        `(?<!${WORD_CHAR})(?:${sorted.map(([v]) => escapeRe(v)).join("|")})(?!${WORD_CHAR})`,
        "giu",
      );
  }

  /**
   * The token of a matched value (matches differ from the value in letter case only). The matcher
   * folds case as Unicode simple case folding does, which `toLowerCase` does not always agree with
   * (`σ`/`ς`, `ſ`/`s`): such a match finds its value the matcher's way, never stays as it was.
   */
  #tokenOf(m: string): string {
    const direct = this.#token.get(m.toLowerCase()) ?? this.#token.get(m.normalize("NFC").toLowerCase());
    if (direct !== undefined) return direct;
    const entry = this.#spellings.find(([v]) => new RegExp(`^(?:${escapeRe(v)})$`, "iu").test(m));
    return entry?.[1] ?? m;
  }

  /** Every whole-value match in `s`, left to right, not overlapping: `[index, text]`. */
  *#wholeMatches(s: string): Generator<[number, string]> {
    const re = this.#matcher;
    if (!re) return;
    re.lastIndex = 0;
    for (let m = re.exec(s); m !== null; m = re.exec(s)) yield [m.index, m[0]];
  }

  /** `s` with every whole value replaced by its token. */
  redactText(s: string): string {
    let out = "";
    let last = 0;
    for (const [at, m] of this.#wholeMatches(s)) {
      out += s.slice(last, at) + this.#tokenOf(m);
      last = at + m.length;
    }
    return last === 0 ? s : out + s.slice(last);
  }

  /** A JSON-able value with every string (and object key) redacted; other values as they are. */
  redactJson<T>(v: T): T {
    if (typeof v === "string") return this.redactText(v) as T;
    if (Array.isArray(v)) return v.map((x: unknown) => this.redactJson(x)) as T;
    if (v !== null && typeof v === "object" && !(v instanceof Uint8Array) && !(v instanceof Date)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>))
        out[this.redactText(k)] = this.redactJson(x);
      return out as T;
    }
    return v;
  }

  /**
   * Text bytes with every whole value replaced by its token, in each encoding view in turn
   * (UTF-8 when the bytes are well-formed UTF-8, else Windows-1252; then UTF-16LE at even and at
   * odd offsets): the token is written in the encoding the value was found in; every other byte
   * stays as it was. Use for text only.
   */
  redactBytes(bytes: Uint8Array): Uint8Array {
    if (!this.#matcher) return bytes;
    let cur = bytes;
    // Well-formed UTF-8 is not read as Windows-1252 (`é` would read as `Ã©`). Other single-byte
    // text is read as Windows-1252 and as UTF-8 both (a log may mix them), a byte that is not
    // UTF-8 reading as a letter there, so that a Windows-1252 `é` still joins its word.
    const utf8 = isUtf8(cur);
    for (const makeView of VIEWS) {
      if (utf8 && makeView === ansiView) continue;
      const view = !utf8 && makeView === utf8View ? utf8View(cur, NOT_UTF8_AS_LETTER) : makeView(cur);
      const parts: Uint8Array[] = [];
      let last = 0;
      for (const [at, m] of this.#wholeMatches(view.text)) {
        const start = view.offsets[at]!;
        const end = view.offsets[at + m.length]!;
        const token = encodeAs(this.#tokenOf(m), view.encoding);
        if (token === undefined) continue;
        parts.push(cur.subarray(last, start), token);
        last = end;
      }
      if (parts.length === 0) continue;
      parts.push(cur.subarray(last));
      cur = Buffer.concat(parts);
    }
    return cur;
  }

  /**
   * Where `bytes` still hold a whole value, in any encoding view: the first hit's encoding and
   * byte offset, or undefined. Binary members are judged with this, never edited.
   */
  findInBytes(bytes: Uint8Array): { encoding: string; offset: number } | undefined {
    if (!this.#matcher) return undefined;
    for (const makeView of VIEWS) {
      const view = makeView(bytes);
      for (const [at] of this.#wholeMatches(view.text))
        return { encoding: view.encoding, offset: view.offsets[at]! };
    }
    return undefined;
  }

  /** True when `bytes` still hold a whole value in any encoding view. */
  containsBytes(bytes: Uint8Array): boolean {
    return this.findInBytes(bytes) !== undefined;
  }
}
