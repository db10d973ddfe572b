/**
 * `--redact`: replaces user names, e-mail addresses, host names and domain names consistently
 * (the same token for the same value) everywhere in a bundle: Windows paths and member names,
 * text, JSON, `.reg` data and log tails, in UTF-8, Windows-1252 (ANSI) and UTF-16LE forms, in
 * any letter case.
 *
 * Tokens: users `user-N`, e-mail addresses `<user token>@domain-N.invalid`, host names `host-N`,
 * domain names `domain-N.invalid`, host paths `path-N`. Replacement is by substring, longest
 * value first, in one pass (a token is never rewritten again).
 *
 * Two kinds of content:
 * - text (JSON, `.reg`, INF, logs, registry string data): values are replaced by their tokens,
 *   which changes lengths;
 * - binary (PE files, database heads, certificate blobs): each occurrence is masked with `X`
 *   (UTF-16LE: `X\0`) of the same length, so offsets and structures stay put. A masked PE file
 *   no longer matches its signature; the bundle's `manifest.json` notes every masked member.
 *
 * Values that are too short (< 2 characters) or are structural words of the paths `check`
 * reads (`Users`, `Kerio`, `Office`, …) are not redacted: replacing them would break every path
 * (docs/bundle.md "Redaction").
 *
 * Source: issue 6 ("--redact"); docs/bundle.md.
 */
import { encodeWindows1252 } from "../windows/windows-1252.js";

/** What a sensitive value is. */
export type SensitiveCategory = "user" | "email" | "host" | "domain" | "path";

/** One redacted value and its token. */
export interface RedactionEntry {
  category: SensitiveCategory;
  value: string;
  token: string;
}

/** Path components and words `check` looks for; never redacted. */
const STRUCTURAL = new Set(
  [
    "users",
    "user",
    "public",
    "default",
    "default user",
    "all users",
    "appdata",
    "local",
    "roaming",
    "locallow",
    "temp",
    "tmp",
    "desktop",
    "documents",
    "downloads",
    "kerio",
    "outlook",
    "connector",
    "outlook connector",
    "offline edition",
    "microsoft",
    "office",
    "root",
    "vfs",
    "windows",
    "system",
    "system32",
    "syswow64",
    "software",
    "program files",
    "program files (x86)",
    "programdata",
    "common files",
    "mapi",
    "msmapi",
    "profiles",
    "koff",
    "kofmsp",
    "updaterservice",
    "config",
    "hklm",
    "hku",
    "hkcu",
    "administrators",
    "everyone",
    "localhost",
    "invalid",
  ].map((s) => s.toLowerCase()),
);

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

/** Bytes of a latin1 string (each char one byte). */
function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
/** A byte array as a latin1 string (one char per byte). */
function bytesLatin1(b: Uint8Array): string {
  // TextDecoder("latin1") is windows-1252 in the WHATWG spec; map bytes one to one instead.
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return s;
}
const utf8 = (s: string) => bytesLatin1(new TextEncoder().encode(s));
const utf16 = (s: string) => {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c & 0xff, c >>> 8);
  }
  return out;
};
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A consistent redactor over a fixed set of sensitive values. */
export class Redactor {
  readonly entries: readonly RedactionEntry[];
  /** Values found but deliberately kept, with the reason. */
  readonly skipped: ReadonlyArray<{ value: string; reason: string }>;
  readonly #text: RegExp | undefined;
  readonly #textToken = new Map<string, string>();
  readonly #bytes: RegExp | undefined;
  /** latin1 form (lower-cased) → { token in the same encoding, UTF-16 or not }. */
  readonly #byteToken = new Map<string, { token: string; wide: boolean }>();

  constructor(values: Iterable<{ category: SensitiveCategory; value: string }>) {
    const counters: Record<SensitiveCategory, number> = { user: 0, email: 0, host: 0, domain: 0, path: 0 };
    const byValue = new Map<string, RedactionEntry>();
    const skipped: Array<{ value: string; reason: string }> = [];
    const localTokens = new Map<string, string>();
    const all = [...values];
    // Users and domains first, so e-mail tokens can reuse them.
    const order: SensitiveCategory[] = ["user", "domain", "host", "path", "email"];
    all.sort((a, b) => order.indexOf(a.category) - order.indexOf(b.category));
    const tokenFor = (category: SensitiveCategory, value: string): string | undefined => {
      const v = value.trim();
      const k = v.toLowerCase();
      if (byValue.has(k)) return byValue.get(k)!.token;
      if (v.length < 2) {
        skipped.push({ value: v, reason: "shorter than 2 characters" });
        return undefined;
      }
      if (STRUCTURAL.has(k)) {
        skipped.push({ value: v, reason: "a structural path word" });
        return undefined;
      }
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
      else token = `path-${++counters.path}`;
      byValue.set(k, { category, value: v, token });
      return token;
    };
    for (const { category, value } of all) {
      if (category === "domain" && isPublicDomain(value)) {
        skipped.push({ value, reason: "a public domain" });
        continue;
      }
      tokenFor(category, value);
    }
    this.entries = [...byValue.values()];
    this.skipped = skipped;
    const sorted = [...this.entries].sort((a, b) => b.value.length - a.value.length);
    if (sorted.length > 0) {
      for (const e of sorted) this.#textToken.set(e.value.toLowerCase(), e.token);
      this.#text = new RegExp(sorted.map((e) => escapeRe(e.value)).join("|"), "gi");
      const forms: Array<{ form: string; token: string; wide: boolean }> = [];
      for (const e of sorted) {
        // The regex's "i" flag folds ASCII (and Latin-1 read as bytes) only: other letters are
        // matched through explicit lower/upper-case variants, in UTF-8, UTF-16LE and ANSI (1252).
        for (const v of new Set([e.value, e.value.toLowerCase(), e.value.toUpperCase()])) {
          forms.push({ form: utf8(v), token: utf8(e.token), wide: false });
          forms.push({ form: utf16(v), token: utf16(e.token), wide: true });
          const ansi = encodeWindows1252(v);
          if (ansi && bytesLatin1(ansi) !== utf8(v))
            forms.push({ form: bytesLatin1(ansi), token: utf8(e.token), wide: false });
        }
      }
      forms.sort((a, b) => b.form.length - a.form.length);
      for (const f of forms) {
        const k = f.form.toLowerCase();
        if (!this.#byteToken.has(k)) this.#byteToken.set(k, { token: f.token, wide: f.wide });
      }
      this.#bytes = new RegExp(forms.map((f) => escapeRe(f.form)).join("|"), "gi");
    }
  }

  /** `s` with every value replaced by its token. */
  redactText(s: string): string {
    if (!this.#text) return s;
    return s.replace(this.#text, (m) => this.#textToken.get(m.toLowerCase()) ?? m);
  }

  /** `bytes` with every value (UTF-8/ANSI or UTF-16LE form) replaced by its token in the same form. */
  redactBytes(bytes: Uint8Array): Uint8Array {
    if (!this.#bytes) return bytes;
    const s = bytesLatin1(bytes);
    this.#bytes.lastIndex = 0;
    if (!this.#bytes.test(s)) return bytes;
    return latin1Bytes(s.replace(this.#bytes, (m) => this.#byteToken.get(m.toLowerCase())?.token ?? m));
  }

  /** `bytes` with every value masked (same length); `count` = occurrences masked. */
  maskBytes(bytes: Uint8Array): { bytes: Uint8Array; count: number } {
    if (!this.#bytes) return { bytes, count: 0 };
    const s = bytesLatin1(bytes);
    let count = 0;
    const out = s.replace(this.#bytes, (m) => {
      count++;
      return this.#byteToken.get(m.toLowerCase())?.wide ? "X\0".repeat(m.length / 2) : "X".repeat(m.length);
    });
    return count === 0 ? { bytes, count } : { bytes: latin1Bytes(out), count };
  }

  /** True when `bytes` still holds a value in any form. */
  containsBytes(bytes: Uint8Array): boolean {
    if (!this.#bytes) return false;
    this.#bytes.lastIndex = 0;
    return this.#bytes.test(bytesLatin1(bytes));
  }
}
