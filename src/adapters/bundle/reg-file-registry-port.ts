/**
 * A {@link RegistryPort} over `.reg` texts, as a diagnostics bundle carries them (`reg export`
 * output: UTF-16LE with BOM; UTF-8 accepted). The files are applied in the order given, like
 * importing them one after the other into an empty registry.
 *
 * Source: src/ports/registry.ts; `reg export`
 * (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/reg-export);
 * docs/registry.md ("Registry ports").
 */
import { RegistryError } from "../../registry/errors.js";
import { newRegTreeKey, splitKeyPath } from "../../registry/model/reg-tree.js";
import { canonicalRootName } from "../../registry/model/registry-path.js";
import { TreeRegistryPort } from "../../registry/model/tree-registry-port.js";
import { applyRegOperations } from "../../registry/reg-file/apply-reg-operations.js";
import { parseRegFile } from "../../registry/reg-file/parse-reg-file.js";

/** One `.reg` input: a name for evidence and errors, and its bytes or text. */
export interface RegFileSource {
  name: string;
  content: Uint8Array | string;
}

/** Options of {@link createRegFileRegistryPort}. */
export interface RegFileRegistryPortOptions {
  /**
   * The user whose `HKEY_CURRENT_USER` the files show. When set, `HKCU\X` is stored and served as
   * `HKU\<currentUser>\X` (and `HKCU\X` still resolves to it). Default: `HKCU` stays its own root.
   */
  currentUser?: string;
  /** `"throw"` (default): a file that does not parse throws. `"skip"`: it is skipped and listed in `problems`. */
  onError?: "throw" | "skip";
}

/** The port returned by {@link createRegFileRegistryPort}. */
export class RegFileRegistryPort extends TreeRegistryPort {
  /** Files skipped because they did not parse (`onError: "skip"`). */
  readonly problems: ReadonlyArray<{ name: string; error: RegistryError }>;
  readonly #currentUser: string | undefined;

  /** @internal Use {@link createRegFileRegistryPort}. */
  constructor(
    tree: ReturnType<typeof newRegTreeKey>,
    description: string,
    problems: Array<{ name: string; error: RegistryError }>,
    currentUser: string | undefined,
  ) {
    super(tree, description);
    this.problems = problems;
    this.#currentUser = currentUser;
  }

  override async getKey(path: string): ReturnType<TreeRegistryPort["getKey"]> {
    const parts = splitKeyPath(path);
    if (this.#currentUser !== undefined && parts[0] !== undefined && canonicalRootName(parts[0]) === "HKCU") {
      return super.getKey(["HKU", this.#currentUser, ...parts.slice(1)].join("\\"));
    }
    return super.getKey(path);
  }
}

/**
 * Builds a registry port from `.reg` files.
 * @throws RegistryError `reg-syntax` (with `path` = the file's name and `line`) when a file does not
 * parse and `onError` is `"throw"`.
 */
export function createRegFileRegistryPort(
  files: readonly RegFileSource[],
  options: RegFileRegistryPortOptions = {},
): RegFileRegistryPort {
  const tree = newRegTreeKey("");
  const problems: Array<{ name: string; error: RegistryError }> = [];
  const { currentUser } = options;
  const mapPath = (p: string): string => {
    const parts = splitKeyPath(p);
    const root = parts[0] === undefined ? undefined : canonicalRootName(parts[0]);
    if (root === undefined) return parts.join("\\");
    if (root === "HKCU" && currentUser !== undefined)
      return ["HKU", currentUser, ...parts.slice(1)].join("\\");
    return [root, ...parts.slice(1)].join("\\");
  };
  for (const f of files) {
    try {
      applyRegOperations(parseRegFile(f.content).operations, tree, mapPath);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      const err = new RegistryError(e.code, `${f.name}: ${e.message}`, {
        path: f.name,
        ...(e.line === undefined ? {} : { line: e.line }),
        cause: e,
      });
      if (options.onError === "skip") problems.push({ name: f.name, error: err });
      else throw err;
    }
  }
  const names = files.map((f) => f.name).join(", ");
  return new RegFileRegistryPort(tree, `.reg files ${names}`, problems, currentUser);
}
