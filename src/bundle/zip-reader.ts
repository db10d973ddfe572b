/**
 * Safe zip reading for diagnostics bundles, on top of yauzl's central-directory reader: nothing is
 * ever extracted to disk; members are inflated into memory, one at a time, on demand.
 *
 * Before any byte is inflated, {@link openZipArchive} checks every central-directory entry:
 * the entry count against the cap (from the end-of-central-directory record, before reading
 * entries), each name (absolute, `..`, backslash, control characters, non-UTF-8, duplicates),
 * the entry type from the external attributes (symbolic links and other non-regular files are
 * refused), encryption and compression method, and the declared sizes (per member, total, and
 * ratio). {@link ZipArchive.read} then inflates with `maxOutputLength` = the declared size, so
 * a member that inflates to more than it declares stops there (`size-mismatch`), and checks the
 * CRC-32.
 *
 * Source: APPNOTE.TXT (PKWARE .ZIP File Format Specification 6.3.10) §4.3.12 central directory
 * header, §4.4.2 version made by (upper byte 3 = UNIX: external attributes hold st_mode << 16),
 * §4.4.4 general purpose bit flag (bit 0 encrypted, bit 11 UTF-8 names), §4.4.5 compression
 * method (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT); docs/bundle.md ("Reading is safe").
 */
import { closeSync } from "node:fs";
import { crc32, inflateRawSync } from "node:zlib";
import yauzl from "yauzl";
import { BundleError } from "./errors.js";
import { hasControlChar } from "./layout.js";
import { DEFAULT_READ_LIMITS, type BundleReadLimits } from "./limits.js";
import { READ_LIMITS } from "../limits.js";
import { openRegularFile } from "../util/safe-file.js";

/** One member of an opened archive, as its central directory declares it. */
export interface ZipMember {
  /** Member path (`/`-separated, relative, validated). */
  name: string;
  /** Declared uncompressed size, in bytes. */
  size: number;
  /** Declared compressed size, in bytes. */
  compressedSize: number;
  /** True for folder entries (name ends with `/`). */
  isDirectory: boolean;
}

/** An opened, validated archive. Close it when done. */
export interface ZipArchive {
  /** Host path of the zip file. */
  readonly file: string;
  /** Validated members (folders included), by name. */
  readonly members: ReadonlyMap<string, ZipMember>;
  /**
   * The content of member `name`, inflated in memory.
   * @throws BundleError `member-invalid` (no such member), `size-mismatch`, `crc-mismatch`, `not-a-zip` (I/O).
   */
  read(name: string): Promise<Uint8Array>;
  /** Releases the file descriptor. */
  close(): void;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** S_IFMT and the file types of st_mode (POSIX). */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
/** FILE_ATTRIBUTE_REPARSE_POINT (MS-FSCC 2.6): set on NTFS symbolic links and junctions. */
const FILE_ATTRIBUTE_REPARSE_POINT = 0x400;
/** Longest member name, extra field and comment accepted, in bytes (ours are far shorter). */
const MAX_NAME_BYTES = 1024;
const MAX_EXTRA_BYTES = 4096;
/** Host system of "version made by" (APPNOTE 4.4.2.2). */
const HOST_UNIX = 3;

/** The member name from its raw bytes, or a typed error. */
function decodeName(raw: Buffer, utf8Flag: boolean): string {
  if (raw.length > MAX_NAME_BYTES)
    throw new BundleError("bad-name", `member name of ${raw.length} bytes, over ${MAX_NAME_BYTES}`, {
      path: raw.subarray(0, 64).toString("latin1"),
      limit: MAX_NAME_BYTES,
      actual: raw.length,
    });
  let name: string;
  try {
    name = decoder.decode(raw);
  } catch (e) {
    throw new BundleError("bad-name", `member name is not UTF-8: ${raw.toString("hex")}`, {
      path: raw.toString("latin1"),
      cause: e,
    });
  }
  if (!utf8Flag && /[^\x20-\x7e]/.test(name))
    throw new BundleError("bad-name", `member name is not 7-bit and lacks the UTF-8 flag: ${name}`, {
      path: name,
    });
  return name;
}

/**
 * Checks a member path: relative, `/`-separated, no `..`, no `.`/empty components, no
 * backslash, no control characters. Folder entries may end with one `/`.
 * @throws BundleError `absolute-path`, `path-traversal` or `bad-name` with `path`.
 */
export function validateMemberName(name: string): void {
  if (name === "") throw new BundleError("bad-name", "empty member name", { path: name });
  if (/^[/\\]/.test(name) || /^[A-Za-z]:/.test(name))
    throw new BundleError("absolute-path", `absolute member path: ${name}`, { path: name });
  const body = name.endsWith("/") ? name.slice(0, -1) : name;
  const parts = body.split(/[/\\]/);
  if (parts.includes(".."))
    throw new BundleError("path-traversal", `member path leaves the archive: ${name}`, { path: name });
  if (name.includes("\\"))
    throw new BundleError("bad-name", `backslash in member path: ${name}`, { path: name });
  if (hasControlChar(name))
    throw new BundleError("bad-name", `control character in member path: ${JSON.stringify(name)}`, {
      path: name,
    });
  if (parts.some((p) => p === "" || p === "."))
    throw new BundleError("bad-name", `empty or "." component in member path: ${name}`, { path: name });
}

/** Refuses links and other non-regular entries by their external attributes. */
function checkEntryType(entry: yauzl.Entry, name: string, isDirectory: boolean): void {
  const host = entry.versionMadeBy >>> 8;
  const attrs = entry.externalFileAttributes >>> 0;
  if (host === HOST_UNIX) {
    const type = (attrs >>> 16) & S_IFMT;
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR)
      throw new BundleError(
        "link",
        `member is a ${type === 0o120000 ? "symbolic link" : `non-regular file (mode ${type.toString(8)})`}: ${name}`,
        { path: name },
      );
    if (type === S_IFDIR && !isDirectory)
      throw new BundleError("bad-name", `folder entry without a trailing "/": ${name}`, { path: name });
  }
  if ((attrs & FILE_ATTRIBUTE_REPARSE_POINT) !== 0)
    throw new BundleError("link", `member is a reparse point (link): ${name}`, { path: name });
}

/**
 * Opens `file` through {@link openRegularFile} (a FIFO, device, folder or symlink loop is refused
 * unopened; at most {@link READ_LIMITS}.bundleFileBytes) and hands the descriptor to yauzl, which
 * closes it on `close()`.
 * @throws InputFileError for the path; BundleError `not-a-zip`.
 */
async function openYauzl(file: string): Promise<yauzl.ZipFile> {
  const { fd } = await openRegularFile(file, { maxBytes: READ_LIMITS.bundleFileBytes });
  return new Promise((resolve, reject) => {
    yauzl.fromFd(
      fd,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
      (err, zip) => {
        if (err || !zip) {
          closeSync(fd);
          reject(new BundleError("not-a-zip", `${file}: ${err?.message ?? "unreadable"}`, { cause: err }));
        } else resolve(zip);
      },
    );
  });
}

/** Reads every central-directory entry (at most `max`), validating as it goes. */
function readEntries(zip: yauzl.ZipFile, visit: (entry: yauzl.Entry) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      const message = (e as Error).message;
      const code = /size mismatch/i.test(message) ? "size-mismatch" : "not-a-zip";
      reject(e instanceof BundleError ? e : new BundleError(code, message, { cause: e }));
    };
    zip.on("entry", (entry: yauzl.Entry) => {
      if (failed) return;
      try {
        visit(entry);
        zip.readEntry();
      } catch (e) {
        fail(e);
      }
    });
    zip.on("end", () => {
      if (!failed) resolve();
    });
    zip.on("error", fail);
    zip.readEntry();
  });
}

/** The raw (still compressed) bytes of `entry`, at most its declared compressed size. */
function readRaw(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, { decodeFileData: false }, (err, stream) => {
      if (err || !stream) {
        reject(
          new BundleError("not-a-zip", `${name}: ${err?.message ?? "unreadable"}`, {
            path: name,
            cause: err,
          }),
        );
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on("data", (c: Buffer) => {
        total += c.length;
        if (total > entry.compressedSize) {
          stream.destroy();
          reject(
            new BundleError("size-mismatch", `${name}: more compressed bytes than declared`, { path: name }),
          );
          return;
        }
        chunks.push(c);
      });
      stream.on("error", (e) =>
        reject(new BundleError("not-a-zip", `${name}: ${e.message}`, { path: name, cause: e })),
      );
      stream.on("end", () => resolve(Buffer.concat(chunks, total)));
    });
  });
}

/**
 * Opens and validates the zip at `file` (see the module comment for every check). yauzl locates
 * the end-of-central-directory record (APPNOTE §4.3.16; the ZIP64 record and locator of §4.3.14
 * and §4.3.15 when present); the entry count is checked against the cap before any central
 * directory header is read, then every header is validated ({@link validateEntry}).
 * @throws InputFileError when `file` is not a regular file within {@link READ_LIMITS}.bundleFileBytes.
 * @throws BundleError with the offending member `path`, or `not-a-zip`.
 */
export async function openZipArchive(
  file: string,
  limits: Partial<BundleReadLimits> = {},
): Promise<ZipArchive> {
  const caps: BundleReadLimits = { ...DEFAULT_READ_LIMITS, ...limits };
  const zip = await openYauzl(file);
  try {
    checkEntryCount(zip.entryCount, caps);
    const members = new Map<string, ZipMember>();
    const entries = new Map<string, yauzl.Entry>();
    const tally: EntryTally = { folded: new Set<string>(), totalBytes: 0 };
    await readEntries(zip, (entry) => {
      const member = validateEntry(entry, caps, tally);
      members.set(member.name, member);
      entries.set(member.name, entry);
    });
    return {
      file,
      members,
      async read(name: string): Promise<Uint8Array> {
        const entry = entries.get(name);
        if (entry === undefined || name.endsWith("/"))
          throw new BundleError("member-invalid", `no member ${name}`, { path: name });
        return readMember(zip, entry, name);
      },
      close() {
        zip.close();
      },
    };
  } catch (e) {
    zip.close();
    throw e;
  }
}

/**
 * The entry count of the end-of-central-directory record (APPNOTE §4.3.16, "total number of
 * entries in the central directory", or its ZIP64 counterpart, §4.3.14) against the cap.
 * @throws BundleError `too-many-entries`.
 */
function checkEntryCount(entryCount: number, caps: BundleReadLimits): void {
  if (entryCount > caps.maxEntries)
    throw new BundleError("too-many-entries", `${entryCount} entries, over the cap of ${caps.maxEntries}`, {
      limit: caps.maxEntries,
      actual: entryCount,
    });
}

/** What {@link validateEntry} remembers across the entries of one archive. */
interface EntryTally {
  /** Names seen so far, lower-cased (a duplicate differing only in case is refused). */
  folded: Set<string>;
  /** Declared uncompressed bytes of the entries so far. */
  totalBytes: number;
}

/**
 * Validates one central directory file header (APPNOTE §4.3.12) before any byte of the member
 * is read: its name ({@link decodeName}, {@link validateMemberName}), extra field and comment
 * lengths (§4.4.10–4.4.12), entry type from the external attributes (§4.4.15), uniqueness,
 * encryption (§4.4.4 bit 0), compression method (§4.4.5: stored or deflated), and declared sizes
 * ({@link checkDeclaredSizes}).
 * @returns the member as {@link ZipArchive.members} lists it; `tally` is updated.
 * @throws BundleError with the member `path`.
 */
function validateEntry(entry: yauzl.Entry, caps: BundleReadLimits, tally: EntryTally): ZipMember {
  const name = decodeName(entry.fileNameRaw, (entry.generalPurposeBitFlag & 0x800) !== 0);
  validateMemberName(name);
  if (entry.extraFieldRaw.length + entry.fileCommentRaw.length > MAX_EXTRA_BYTES)
    throw new BundleError(
      "bad-name",
      `member ${name} carries over ${MAX_EXTRA_BYTES} bytes of extra fields and comment`,
      { path: name, limit: MAX_EXTRA_BYTES },
    );
  const isDirectory = name.endsWith("/");
  checkEntryType(entry, name, isDirectory);
  const folded = name.toLowerCase();
  if (tally.folded.has(folded))
    throw new BundleError("duplicate-entry", `duplicate member: ${name}`, { path: name });
  tally.folded.add(folded);
  if (entry.isEncrypted()) throw new BundleError("encrypted", `encrypted member: ${name}`, { path: name });
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
    throw new BundleError(
      "unsupported-compression",
      `member ${name} uses compression method ${entry.compressionMethod}`,
      { path: name, actual: entry.compressionMethod },
    );
  checkDeclaredSizes(entry, name, caps, tally);
  if (isDirectory && entry.uncompressedSize !== 0)
    throw new BundleError("bad-name", `folder entry with content: ${name}`, { path: name });
  return { name, size: entry.uncompressedSize, compressedSize: entry.compressedSize, isDirectory };
}

/**
 * The declared sizes of a central directory header (APPNOTE §4.4.8 compressed size, §4.4.9
 * uncompressed size, or their ZIP64 extra field values, §4.5.3) against the caps: each size per
 * member, the running total of uncompressed sizes (added to `tally`), and the ratio of
 * uncompressed to compressed size for members of at least `ratioFloorBytes`.
 * @throws BundleError `entry-too-large`, `total-too-large` or `ratio-too-high` with `path`, `limit`, `actual`.
 */
function checkDeclaredSizes(
  entry: yauzl.Entry,
  name: string,
  caps: BundleReadLimits,
  tally: EntryTally,
): void {
  for (const [what, n] of [
    ["uncompressed", entry.uncompressedSize],
    ["compressed", entry.compressedSize],
  ] as const) {
    if (n > caps.maxEntryBytes)
      throw new BundleError(
        "entry-too-large",
        `member ${name} declares ${n} ${what} bytes, over the cap of ${caps.maxEntryBytes}`,
        { path: name, limit: caps.maxEntryBytes, actual: n },
      );
  }
  tally.totalBytes += entry.uncompressedSize;
  if (tally.totalBytes > caps.maxTotalBytes)
    throw new BundleError(
      "total-too-large",
      `members declare more than ${caps.maxTotalBytes} bytes in all (at ${name})`,
      { path: name, limit: caps.maxTotalBytes, actual: tally.totalBytes },
    );
  if (entry.uncompressedSize >= caps.ratioFloorBytes) {
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
    if (ratio > caps.maxRatio)
      throw new BundleError(
        "ratio-too-high",
        `member ${name} declares a compression ratio of ${ratio.toFixed(0)}:1, over the cap of ${caps.maxRatio}:1`,
        { path: name, limit: caps.maxRatio, actual: ratio },
      );
  }
}

/**
 * The content of a validated member: its raw bytes ({@link readRaw}), stored as is or inflated
 * (APPNOTE §4.4.5 methods 0 and 8), checked against the declared uncompressed size (§4.4.9) and
 * CRC-32 (§4.4.7).
 * @throws BundleError `size-mismatch`, `crc-mismatch` or `not-a-zip` with `path`.
 */
async function readMember(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string): Promise<Uint8Array> {
  const raw = await readRaw(zip, entry, name);
  const out = entry.compressionMethod === 0 ? raw : inflateMember(raw, entry.uncompressedSize, name);
  if (out.length !== entry.uncompressedSize)
    throw new BundleError(
      "size-mismatch",
      `member ${name} has ${out.length} bytes, declared ${entry.uncompressedSize}`,
      { path: name, limit: entry.uncompressedSize, actual: out.length },
    );
  if (crc32(out) >>> 0 !== entry.crc32 >>> 0)
    throw new BundleError("crc-mismatch", `member ${name} fails its CRC-32`, { path: name });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * Inflates raw deflate data (RFC 1951; APPNOTE §4.4.5 method 8), stopping once the output would
 * exceed `declaredSize` bytes.
 * @throws BundleError `size-mismatch` when it inflates to more, or does not inflate.
 */
function inflateMember(raw: Buffer, declaredSize: number, name: string): Buffer {
  try {
    return inflateRawSync(raw, { maxOutputLength: Math.max(1, declaredSize) });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError)
      throw new BundleError(
        "size-mismatch",
        `member ${name} inflates to more than its declared ${declaredSize} bytes`,
        { path: name, limit: declaredSize },
      );
    throw new BundleError("size-mismatch", `member ${name} does not inflate: ${(e as Error).message}`, {
      path: name,
      cause: e,
    });
  }
}
