/**
 * One file's triage as a library call: `triagePath("kofmsp32.dll")` reads the file through the
 * safe reader, builds the signature verifier and judges the file exactly as `koff-doctor triage
 * FILE` does. The verdict and the indicators are defined in docs/verdict.md; the record's fields
 * in docs/json-contract.md (`files[]` of `triage --json`).
 */
import type { SignatureSelection } from "../authenticode/index.js";
import { loadKnowledge } from "../knowledge/index.js";
import { openSource } from "../adapters/open-source.js";
import type { TriageRecord } from "../triage/index.js";
import { windowsRootAnchors } from "./check-machine.js";
import { createSignatureVerifier, type SignatureVerifierHandle } from "./signature-verifier.js";
import { triageHostFiles } from "./triage-host-files.js";

/** Options of {@link triagePath}; every one optional. */
export interface TriagePathOptions {
  /** Files of extra trust anchors, PEM (one or more CERTIFICATE blocks) or DER (`--trust`). */
  trustFiles?: string[];
  /** Verify signatures as of this instant (`--at`); default now. */
  at?: Date;
  /** Which signatures must pass: the primary one (default) or all, nested ones included. */
  signatures?: SignatureSelection;
  /** Trust Node's bundled root certificates (default true; `--no-system-roots`). */
  systemRoots?: boolean;
  /**
   * Root of a mounted Windows system volume holding the file (`--image`): its path maps to the
   * `C:\…` path it had there, and that system's ROOT/AuthRoot stores join the trust anchors.
   */
  imageRoot?: string;
  /** The file's original Windows path when it was copied out of its folder (`--as`). */
  windowsPath?: string;
  /**
   * A verifier built once with {@link createSignatureVerifier}, to share its trust store and
   * chain cache across many calls; `trustFiles`, `at`, `signatures`, `systemRoots` and the
   * image's stores are then ignored.
   */
  verifier?: SignatureVerifierHandle;
}

/**
 * Triages the file at `path` on this machine's disk.
 *
 * The file is read through the safe reader: a regular file (or a link to one) of at most
 * 256 MiB; a FIFO, device, socket or symlink loop is refused unopened. It is parsed and hashed,
 * never loaded or executed.
 *
 * @param path - host path of the file.
 * @returns the file's record: `verdict` is `clean`, `suspicious`, `malicious`, or `error` when
 *   the file cannot be read or is not a PE image (then `error.code` says why, e.g. `not-found`,
 *   `not-a-file`, `too-large`, `bad-dos-signature`, with `offset` when positional). `size` is in
 *   bytes; `sha256` is lower-case hex (empty when unread).
 * @throws InputFileError when a `trustFiles` path is not a readable regular file.
 * @throws AuthenticodeError `bad-trust-file` when a trust file holds no certificate.
 * @throws SourceError `not-an-image-root` when `imageRoot` is not the root of a Windows volume,
 *   `not-a-windows-path` when `windowsPath` is not a full Windows path; InputFileError when
 *   `imageRoot` is not a folder (missing, a file, a FIFO, a symlink loop).
 * @throws RegistryError when `imageRoot`'s SOFTWARE hive exists but is not a readable hive;
 *   InputFileError when it cannot be read. A bad input file never throws: its problem is the
 *   record's `error`.
 */
export async function triagePath(path: string, options: TriagePathOptions = {}): Promise<TriageRecord> {
  const verifier =
    options.verifier ??
    (await createSignatureVerifier({
      trustFiles: options.trustFiles ?? [],
      at: options.at,
      signatures: options.signatures,
      systemRoots: options.systemRoots,
      extraAnchors:
        options.imageRoot === undefined
          ? []
          : await windowsRootAnchors(
              (await openSource({ hostFiles: true, imageRoot: options.imageRoot })).snapshot,
            ),
    }));
  const [record] = await triageHostFiles([path], {
    knowledge: loadKnowledge(),
    verifySignature: verifier.verify,
    imageRoot: options.imageRoot,
    originalWindowsPath: options.windowsPath,
  });
  return record!;
}
