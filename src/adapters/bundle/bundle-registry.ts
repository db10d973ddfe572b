/**
 * The registry port of bundle mode: the bundle's `.reg` members (format:
 * src/bundle/registry-members.ts) applied in index order through the `.reg`-file registry port;
 * `users()` answers the list recorded at collection when there is one, and `health()` the hives
 * the source found damaged or dirty (so `check --bundle` names them as `check --image` did).
 *
 * Source: docs/bundle.md ("How it works: record, then replay").
 */
import { BundleError } from "../../bundle/errors.js";
import { replayedHiveHealth, type RegistryIndex } from "../../bundle/registry-members.js";
import type { RegistryPort } from "../../ports/registry.js";
import { createRegFileRegistryPort } from "./reg-file-registry-port.js";

/**
 * The replaying registry port: the `.reg` members applied in index order; `users()` answers the
 * recorded list when there is one.
 * @throws BundleError `member-invalid` when a `.reg` member does not parse.
 */
export async function createBundleRegistryPort(
  index: RegistryIndex,
  readMember: (member: string) => Promise<Uint8Array>,
  description: string,
): Promise<RegistryPort> {
  const files = [];
  for (const h of index.hives) files.push({ name: h.member, content: await readMember(h.member) });
  let port;
  try {
    port = createRegFileRegistryPort(files);
  } catch (e) {
    const path = (e as { path?: string }).path;
    throw new BundleError("member-invalid", `registry export does not parse: ${(e as Error).message}`, {
      path,
      cause: e,
    });
  }
  const users = index.users;
  return {
    getKey: (p) => port.getKey(p),
    users: async () => (users ? users.map((u) => ({ ...u })) : port.users()),
    describe: () => description,
    // The hives the source found damaged or dirty, as recorded: check reports them as it did there.
    health: async () => replayedHiveHealth(index.hiveHealth ?? []),
  };
}
