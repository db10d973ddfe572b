/**
 * Trust anchors for Authenticode chains. Anchors are matched ONLY by the SHA-256 of the whole
 * certificate DER or the SHA-256 of its SubjectPublicKeyInfo, never by name: a CA that merely
 * copies a root's name (or, as in CVE-2020-0601, its public key point with forged explicit EC
 * parameters) is not an anchor.
 *
 * Sources: Node's `tls.rootCertificates` (https://nodejs.org/api/tls.html#tlsrootcertificates:
 * TLS roots, no Microsoft code-signing roots, hence anchors given with --trust or read from an
 * image's stores); CVE-2020-0601 (https://msrc.microsoft.com/update-guide/vulnerability/CVE-2020-0601).
 */
import { CertificateCache, type CertificateInfo } from "./certificate-cache.js";
import { AuthenticodeError } from "./errors.js";

/** Where an anchor came from, e.g. `"node:tls.rootCertificates"`, `"file:/etc/x.pem"`, `"image:ROOT"`. */
export type AnchorSource = string;

/**
 * Node's bundled roots (`tls.rootCertificates`, PEM texts). node:tls, and the net and stream
 * modules it loads, are loaded on the first call: a run that meets no signature never loads them.
 * `process.getBuiltinModule` (Node >= 20.16) works alike in the ES modules, the npm bin's bundles
 * and koff-doctor.exe's CommonJS bundle, where `import.meta.url` is undefined.
 */
function nodeRootCertificates(): readonly string[] {
  return process.getBuiltinModule("node:tls").rootCertificates;
}

/** The anchor source of Node's bundled roots. */
export const NODE_ROOTS_SOURCE: AnchorSource = "node:tls.rootCertificates";

/**
 * Which anchors a look-up sees: `"all"` parses Node's pending roots first; `"parsed"` sees only
 * the anchors parsed so far (a chain is first tried without Node's roots, see chain.ts).
 */
export type AnchorScope = "all" | "parsed";

/** One trust anchor. */
export interface TrustAnchor {
  certificate: CertificateInfo;
  source: AnchorSource;
}

let nextStoreId = 1;

/** A set of trust anchors. */
export class TrustStore {
  /** Distinguishes stores that share one cache (keys cached chain results). */
  readonly id = nextStoreId++;
  readonly #byCertSha256 = new Map<string, TrustAnchor>();
  readonly #bySpkiSha256 = new Map<string, TrustAnchor>();
  readonly #cache: CertificateCache;
  #revision = 0;
  /** Node's roots, added but not parsed yet: parsed when a chain first asks for anchors. */
  #pendingNodeRoots = false;

  /** @param cache - parsed-certificate cache shared with verification (one per run). */
  constructor(cache: CertificateCache = new CertificateCache()) {
    this.#cache = cache;
  }

  /** The cache this store parses certificates with. */
  get cache(): CertificateCache {
    return this.#cache;
  }

  /** Node's roots' DER in their order, decoded from their PEM once (not parsed while pending), and by length. */
  #nodeRootDers: { list: Uint8Array[]; byLength: Map<number, Uint8Array[]> } | undefined;

  /** Increases whenever an anchor is added or Node's roots are parsed (keys cached chain results). */
  get revision(): number {
    return this.#revision;
  }

  /** True while Node's roots are added but not parsed yet. */
  get nodeRootsPending(): boolean {
    return this.#pendingNodeRoots;
  }

  /** Number of anchors. */
  get size(): number {
    this.#parsePending();
    return this.#byCertSha256.size;
  }

  /**
   * Every anchor (for chain building: anchors are candidate issuers), in the order they were
   * added (Node's roots first when added).
   * @param scope - `"parsed"` leaves Node's pending roots unparsed and unseen.
   */
  anchors(scope: AnchorScope = "all"): TrustAnchor[] {
    if (scope === "all") this.#parsePending();
    return [...this.#byCertSha256.values()];
  }

  /**
   * Parses Node's roots when they were added lazily (about 140 certificates, ~60 ms: most of a
   * one-file run's start-up). The anchors are then reordered as if Node's roots had been parsed
   * when added: they come first, and an anchor that is also a Node root keeps Node's source.
   */
  #parsePending(): void {
    if (!this.#pendingNodeRoots) return;
    this.#pendingNodeRoots = false;
    const others = [...this.#byCertSha256.values()];
    this.#byCertSha256.clear();
    this.#bySpkiSha256.clear();
    for (const pem of nodeRootCertificates()) this.addPem(pem, NODE_ROOTS_SOURCE);
    for (const anchor of others) this.#index(anchor);
    this.#revision++;
  }

  /** Node's roots' DER, decoded once (for {@link addDer} and {@link nodeRootsMayMatter} alike). */
  #decodedNodeRoots(): { list: Uint8Array[]; byLength: Map<number, Uint8Array[]> } {
    if (this.#nodeRootDers === undefined) {
      const list = nodeRootCertificates().flatMap((pem) => pemCertificates(pem));
      const byLength = new Map<number, Uint8Array[]>();
      for (const der of list) byLength.set(der.length, [...(byLength.get(der.length) ?? []), der]);
      this.#nodeRootDers = { list, byLength };
    }
    return this.#nodeRootDers;
  }

  /**
   * Whether `der` (a DER certificate) is one of Node's pending roots: compared byte for byte,
   * which is what equal SHA-256 digests of the DER would say, without hashing every root.
   */
  #isPendingNodeRoot(der: Uint8Array): boolean {
    if (!this.#pendingNodeRoots) return false;
    const bytes = Buffer.from(der.buffer, der.byteOffset, der.length);
    return (this.#decodedNodeRoots().byLength.get(der.length) ?? []).some((root) => bytes.equals(root));
  }

  /** Node's pending roots' DER, one after the other (searched, not parsed, by {@link nodeRootsMayMatter}). */
  #nodeRootBytes: Buffer | undefined;

  /**
   * Whether Node's pending roots could change a chain search over `certificates` (the signer and
   * its bag): one of them has the public key of one of these certificates (a look-up by key would
   * then find it first), or the subject one of them names as issuer (it could then issue one of
   * them). Both are byte searches in the roots' DER for the SPKI and issuer Name DER, with no root
   * parsed; a false positive only parses the roots. False when no root is pending.
   */
  nodeRootsMayMatter(certificates: readonly CertificateInfo[]): boolean {
    if (!this.#pendingNodeRoots) return false;
    this.#nodeRootBytes ??= Buffer.concat(this.#decodedNodeRoots().list);
    const roots = this.#nodeRootBytes;
    return certificates.some((certificate) => {
      const issuer = issuerNameDer(certificate.der);
      if (!issuer || roots.includes(Buffer.from(issuer.buffer, issuer.byteOffset, issuer.length)))
        return true;
      try {
        const spki = certificate.publicKey?.export({ type: "spki", format: "der" });
        return spki !== undefined && roots.includes(spki);
      } catch {
        return true;
      }
    });
  }

  /** Indexes an anchor by certificate and SPKI SHA-256 (the first anchor with a key keeps it). */
  #index(anchor: TrustAnchor): TrustAnchor {
    const { certificate } = anchor;
    const existing = this.#byCertSha256.get(certificate.sha256);
    if (existing) return existing;
    this.#byCertSha256.set(certificate.sha256, anchor);
    if (certificate.spkiSha256 && !this.#bySpkiSha256.has(certificate.spkiSha256))
      this.#bySpkiSha256.set(certificate.spkiSha256, anchor);
    return anchor;
  }

  /**
   * Adds one DER certificate.
   * @throws AuthenticodeError `bad-certificate`.
   */
  addDer(der: Uint8Array, source: AnchorSource): TrustAnchor {
    const certificate = this.#cache.get(der);
    const existing = this.#byCertSha256.get(certificate.sha256);
    if (existing) return existing;
    // A Node root given again (e.g. in an image's ROOT store) keeps Node's source, as when parsed first.
    const anchor = {
      certificate,
      source: this.#isPendingNodeRoot(certificate.der) ? NODE_ROOTS_SOURCE : source,
    };
    this.#revision++;
    return this.#index(anchor);
  }

  /**
   * Adds every `-----BEGIN CERTIFICATE-----` block of a PEM text.
   * @returns the number of certificates added.
   * @throws AuthenticodeError `bad-certificate` for an unparsable block.
   */
  addPem(text: string, source: AnchorSource): number {
    let count = 0;
    for (const der of pemCertificates(text)) {
      this.addDer(der, source);
      count++;
    }
    return count;
  }

  /**
   * Adds Node's bundled Mozilla roots (`tls.rootCertificates`), parsed only when a chain first
   * needs the anchors (an unsigned file never does), node:tls loaded only then.
   */
  addNodeRoots(): void {
    this.#pendingNodeRoots = true;
  }

  /**
   * Adds the certificates of one trust file's bytes (`--trust FILE`): a PEM text with one or more
   * CERTIFICATE blocks, or one DER certificate; the anchors' source is `file:<path>`. Reading the
   * file is the caller's job (the CLI reads through src/util/safe-file.ts `readUserFile`).
   * @param bytes - the file's content.
   * @param path - the file's path, for the anchor source and errors.
   * @returns the number of certificates in the file.
   * @throws AuthenticodeError `bad-trust-file` when the bytes hold no certificate.
   */
  addTrustFile(bytes: Uint8Array, path: string): number {
    const source = `file:${path}`;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    if (text.includes("-----BEGIN CERTIFICATE-----")) {
      const count = this.addPem(text, source);
      if (count > 0) return count;
    } else {
      try {
        this.addDer(bytes, source);
        return 1;
      } catch (cause) {
        throw new AuthenticodeError("bad-trust-file", `${path} is neither PEM nor a DER certificate`, {
          path,
          cause,
        });
      }
    }
    throw new AuthenticodeError("bad-trust-file", `${path} holds no certificate`, { path });
  }

  /**
   * The anchor that is this very certificate, or has this very public key, if any.
   * @param scope - `"parsed"` leaves Node's pending roots unparsed and unseen.
   */
  match(certificate: CertificateInfo, scope: AnchorScope = "all"): TrustAnchor | undefined {
    if (scope === "all") this.#parsePending();
    return (
      this.#byCertSha256.get(certificate.sha256) ??
      (certificate.spkiSha256 ? this.#bySpkiSha256.get(certificate.spkiSha256) : undefined)
    );
  }
}

/** A trust file's path and content. */
export interface TrustFile {
  path: string;
  bytes: Uint8Array;
}

/** Options for {@link createTrustStore}. */
export interface TrustStoreOptions {
  /** Include Node's `tls.rootCertificates` (Mozilla TLS roots; no Microsoft code-signing roots). Default false. */
  nodeRoots?: boolean;
  /** PEM/DER trust files (`--trust`, repeatable), already read: see {@link TrustStore.addTrustFile}. */
  files?: ReadonlyArray<TrustFile>;
  /** Raw DER certificates, e.g. from an image's ROOT/AuthRoot stores. */
  der?: ReadonlyArray<{ der: Uint8Array; source: AnchorSource }>;
  cache?: CertificateCache;
}

/** Builds a trust store from the usual sources. @throws AuthenticodeError `bad-trust-file`, `bad-certificate`. */
export function createTrustStore(options: TrustStoreOptions = {}): TrustStore {
  const store = new TrustStore(options.cache);
  if (options.nodeRoots) store.addNodeRoots();
  for (const file of options.files ?? []) store.addTrustFile(file.bytes, file.path);
  for (const item of options.der ?? []) store.addDer(item.der, item.source);
  return store;
}

/** The DER of each CERTIFICATE block in a PEM text (at most 10 000). */
export function pemCertificates(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(text); m && out.length < 10_000; m = re.exec(text)) {
    out.push(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
  }
  return out;
}

/** One DER TLV at `at`: where its contents start and end, or undefined when it runs past `end`. */
function derTlv(
  der: Uint8Array,
  at: number,
  end: number,
): { tag: number; start: number; end: number } | undefined {
  if (at + 2 > end) return undefined;
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > end) return undefined;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[start + i]!;
    start += octets;
  }
  return start + length > end ? undefined : { tag, start, end: start + length };
}

/**
 * The issuer Name of a certificate, as its DER TLV (RFC 5280 §4.1: Certificate → tbsCertificate →
 * [0] version, serialNumber, signature, issuer), or undefined when the DER is not that shape.
 */
function issuerNameDer(der: Uint8Array): Uint8Array | undefined {
  const certificate = derTlv(der, 0, der.length);
  const tbs = certificate && derTlv(der, certificate.start, certificate.end);
  if (!tbs) return undefined;
  let field = derTlv(der, tbs.start, tbs.end);
  if (field?.tag === 0xa0) field = derTlv(der, field.end, tbs.end); // [0] version
  const signature = field && derTlv(der, field.end, tbs.end); // after serialNumber
  const issuer = signature && derTlv(der, signature.end, tbs.end);
  if (!issuer || issuer.tag !== 0x30) return undefined;
  return der.subarray(signature.end, issuer.end);
}
