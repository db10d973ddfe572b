/**
 * The file sha256 of a host triage run, hashed on another core: WebCrypto's `subtle.digest` runs
 * on libuv's thread pool, so while the main thread parses and judges a file (entropy, checksum,
 * the name search, the signature), a pool thread hashes it. On two cores this takes the sha256
 * (about a sixth of `triage -r`'s CPU time) off the main thread's path; on one core it only adds
 * the copy, so it is used only where there is a second core.
 *
 * Node's `subtle.digest` copies its input before it returns the promise (an asynchronous crypto
 * job owns its bytes), so the caller may refill the same read buffer at once
 * (src/util/scratch-buffer.ts); test/app/file-digest.test.ts tries to break that.
 *
 * Source: W3C Web Cryptography API, `SubtleCrypto.digest`
 * (https://www.w3.org/TR/WebCryptoAPI/#SubtleCrypto-method-digest); Node.js Web Crypto API
 * (https://nodejs.org/docs/latest-v20.x/api/webcrypto.html#subtledigestalgorithm-data);
 * docs/architecture.md ("Triage throughput").
 */
import { availableParallelism } from "node:os";
import { webcrypto } from "node:crypto";

/** The sha256 of `bytes`, lower-case hex, hashed on the thread pool (see the module comment). */
export async function threadPoolSha256(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest("SHA-256", bytes)).toString("hex");
}

/**
 * The `digestFile` of a host triage run on this machine: {@link threadPoolSha256} where there
 * is more than one core, otherwise `undefined` (the sha256 is computed in the parser's walk).
 * @param cores - the cores to assume (default: `os.availableParallelism()`).
 */
export function hostFileDigest(
  cores: number = availableParallelism(),
): ((bytes: Uint8Array) => Promise<string>) | undefined {
  return cores > 1 ? threadPoolSha256 : undefined;
}
