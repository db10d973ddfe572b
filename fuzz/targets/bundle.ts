/**
 * Target `bundle`: diagnostics bundles collected in memory from the examples (with the wevtutil
 * fixture replayed as their event logs), then one member mutated (PE fields, `.reg` tokens,
 * JSON values, generic bytes) and the manifest's sha256 and size rewritten to match: the only way
 * past the tamper check to the parsers behind it. Each input is opened and read the way
 * `check --bundle` and `triage --bundle` read it (openBundle, createBundleSnapshot, checkMachine,
 * triageBundle). Some cases mutate the manifest itself, or add or drop a member with its line.
 * Members are mutated as their real bytes; binaries are then stored defanged (as `collect`
 * writes them, the real sha256 in the manifest) or, in one case of five, plain (older bundles).
 *
 * Source: issue 6 (bundles), issue 10 ("bundles whose members are mutated after their manifest
 * hashes are fixed up").
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { applyEventQuery } from "../../src/windows/event-query.js";
import { parseWevtutilXml } from "../../src/windows/tool-output/wevtutil.js";
import { checkMachine } from "../../src/app/check-machine.js";
import { createSignatureVerifier, type SignatureVerifierHandle } from "../../src/app/signature-verifier.js";
import {
  BundleError,
  collectBundle,
  defang,
  DEFANG_SCHEME,
  DEFANG_SUFFIX,
  needsDefang,
  openBundle,
  refang,
  type ManifestMember,
  sha256Hex,
  triageBundle,
  type ZipInput,
} from "../../src/bundle/index.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import { createBundleSnapshot } from "../../src/adapters/bundle/bundle-snapshot.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { craftZip } from "../../test/bundle/zip-craft.js";
import type { Rng } from "../mutate.js";
import { EXAMPLES, FIXTURES, writeScratch } from "../seeds.js";
import type { FuzzTarget } from "../target.js";
import { mutateText } from "../text-mutate.js";
import { mutatePeFields } from "./pe.js";
import { REG_TOKENS } from "./reg-file.js";

const AT = new Date("2026-11-21T00:00:00Z");
const IMAGES = ["healthy", "impostor-in-roaming", "bitness-mismatch"];
const TRUST = path.join(FIXTURES, "pki", "trust-anchors.pem");

/** Each seed zip's members by their real names and bytes (manifest last), to mutate structurally. */
const membersOf = new WeakMap<Uint8Array, ZipInput[]>();
let seedsPromise: Promise<Uint8Array[]> | undefined;

/** A bundle zip in memory: stored members (deflated with `deflate`). */
export function zipMembers(members: readonly ZipInput[], deflate = false): Uint8Array {
  return new Uint8Array(
    craftZip(members.map((m) => ({ name: m.name, data: m.data, method: deflate ? 8 : 0 }))),
  );
}

/** Bundles of the example images, as zips (deflated, as collect writes them). */
export function bundleSeeds(): Promise<Uint8Array[]> {
  seedsPromise ??= (async () => {
    const xml = readFileSync(path.join(FIXTURES, "windows", "live", "wevtutil-application.xml"), "utf8");
    const out: Uint8Array[] = [];
    for (const image of IMAGES) {
      const snapshot = createImageSnapshot(path.join(EXAMPLES, image));
      snapshot.eventLog = { query: async (log, query) => applyEventQuery(parseWevtutilXml(xml, log), query) };
      const collected = await collectBundle(snapshot, { at: AT, createdAt: AT, trustFiles: [TRUST] });
      const zip = zipMembers(collected.members, true);
      const lines = new Map(collected.manifest.members.map((m) => [m.path, m]));
      membersOf.set(
        zip,
        collected.members.map((m) => {
          const real = lines.get(m.name)?.defanged;
          return real ? { name: real.path, data: refang(m.data) } : m;
        }),
      );
      out.push(zip);
    }
    return out;
  })();
  return seedsPromise;
}

const WEIRD_JSON: unknown[] = [
  null,
  -1,
  0,
  1.5,
  1e308,
  2 ** 53,
  "",
  "x".repeat(5000),
  [],
  {},
  true,
  "C:\\..\\..\\Windows",
  "../../etc/passwd",
  "files/C/Windows",
  "\u0000",
  { kind: "file" },
];

/** Replaces one value of a JSON document (or drops a key, or duplicates an array element). */
function mutateJson(data: Uint8Array, rng: Rng): Uint8Array {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(data).toString("utf8"));
  } catch {
    return data;
  }
  const slots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const visit = (v: unknown) => {
    if (slots.length > 20000 || v === null || typeof v !== "object") return;
    const entries: Array<[string | number, unknown]> = Array.isArray(v)
      ? [...v.entries()]
      : Object.entries(v);
    for (const [key, x] of entries) {
      slots.push({ parent: v as Record<string, unknown> | unknown[], key });
      visit(x);
    }
  };
  visit(doc);
  for (let n = 1 + rng.below(3); n > 0 && slots.length > 0; n--) {
    const { parent, key } = rng.pick(slots);
    const p = parent as Record<string | number, unknown>;
    const r = rng.below(10);
    if (r < 6) p[key] = structuredClone(rng.pick(WEIRD_JSON));
    else if (r < 7 && !Array.isArray(parent)) delete p[key];
    else if (r < 8 && Array.isArray(parent))
      parent.splice(Number(key), 0, structuredClone(parent[Number(key)]));
    else p[key] = structuredClone(rng.pick(slots).parent);
  }
  return new Uint8Array(Buffer.from(JSON.stringify(doc), "utf8"));
}

/** A mutation of one member's content, chosen by what the member is. */
function mutateMember(m: ZipInput, rng: Rng, generic: (b: Uint8Array) => Uint8Array): Uint8Array {
  if (rng.chance(0.3)) return generic(m.data);
  if (/\.(dll|exe)$/i.test(m.name)) return mutatePeFields(m.data, rng);
  if (/\.reg$/i.test(m.name)) return mutateText(m.data, rng, REG_TOKENS);
  if (/\.json$/i.test(m.name)) return mutateJson(m.data, rng);
  return generic(m.data);
}

function generate(seed: Uint8Array, rng: Rng, generic: (b: Uint8Array) => Uint8Array): Uint8Array {
  const original = membersOf.get(seed);
  if (!original) return generic(seed);
  const manifestMember = original.find((m) => m.name === "manifest.json")!;
  const manifest = JSON.parse(Buffer.from(manifestMember.data).toString("utf8")) as {
    members: ManifestMember[];
  };
  let members = original.filter((m) => m !== manifestMember);
  const op = rng.below(20);
  if (op < 16) {
    // One member (two sometimes) mutated, its manifest line fixed up. Parser-facing members first.
    for (let n = rng.chance(0.8) ? 1 : 2; n > 0; n--) {
      const interesting = members.filter((m) => /\.(dll|exe|reg|json|xml|inf)$/i.test(m.name));
      const victim = rng.pick(rng.chance(0.85) && interesting.length > 0 ? interesting : members);
      members = members.map((m) =>
        m === victim ? { name: m.name, data: mutateMember(m, rng, generic) } : m,
      );
    }
  } else if (op < 17 && members.length > 1) {
    // A member dropped, with its manifest line.
    const drop = rng.pick(members);
    members = members.filter((m) => m !== drop);
  } else if (op < 18) {
    // A member added, with a manifest line: a carried file's bytes under another name.
    const from = rng.pick(members);
    members = [
      ...members,
      {
        name: rng.pick(["files/C/extra.dll", "events/Security.xml", "registry/extra.reg", "snapshot/x.json"]),
        data: from.data,
      },
    ];
  }
  const stored = storeMembers(members, rng.chance(0.8));
  manifest.members = stored.map((m) => m.line);
  let manifestBytes: Uint8Array = new Uint8Array(Buffer.from(JSON.stringify(manifest, null, 2), "utf8"));
  if (op === 18) manifestBytes = mutateJson(manifestBytes, rng);
  if (op === 19) manifestBytes = generic(manifestBytes);
  return zipMembers(
    [...stored.map((m) => m.member), { name: "manifest.json", data: manifestBytes }],
    rng.chance(0.2),
  );
}

/** `members` (real names and bytes) as a bundle stores them: binaries defanged when `defangIt`. */
function storeMembers(
  members: readonly ZipInput[],
  defangIt: boolean,
): Array<{ member: ZipInput; line: ManifestMember }> {
  return members.map((m) => {
    const line = { path: m.name, size: m.data.length, sha256: sha256Hex(m.data) };
    if (!defangIt || !needsDefang(m.data)) return { member: m, line };
    const data = defang(m.data);
    const name = `${m.name}${DEFANG_SUFFIX}`;
    return {
      member: { name, data },
      line: {
        path: name,
        size: data.length,
        sha256: sha256Hex(data),
        defanged: { ...line, scheme: DEFANG_SCHEME },
      },
    };
  });
}

let verifier: Promise<SignatureVerifierHandle> | undefined;

/** Reads `bytes` as `check --bundle` and `triage --bundle` do. */
async function run(bytes: Uint8Array): Promise<void> {
  const file = writeScratch("bundle.zip", bytes);
  const bundle = await openBundle(file);
  try {
    const snapshot = await createBundleSnapshot(bundle);
    const report = await checkMachine(snapshot, { trustFiles: [TRUST], at: AT, systemRoots: false });
    JSON.stringify(report);
    // triage --bundle repeats the same fact gathering: every fourth input (by size) only.
    if (bytes.length % 4 !== 0) return;
    verifier ??= createSignatureVerifier({ trustFiles: [TRUST], at: AT, systemRoots: false });
    const v = await verifier;
    JSON.stringify(await triageBundle(snapshot, { knowledge: loadKnowledge(), verifySignature: v.verify }));
  } finally {
    bundle.close();
  }
}

export const bundleTarget: FuzzTarget = {
  name: "bundle",
  typedErrors: [BundleError],
  seeds: bundleSeeds,
  generate,
  run,
};
