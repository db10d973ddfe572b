// @ts-check
import js from "@eslint/js";
import path from "node:path";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import globals from "globals";
import tseslint from "typescript-eslint";

/**
 * The core: pure code over bytes and values. It never touches the machine (no file system, no
 * child processes) and never reaches outward into the adapters, the application services or the
 * command line. Only these folders are core; src/bundle, src/runbook, src/util, src/ports, src/app,
 * src/adapters and src/cli are not (docs/architecture.md).
 */
export const CORE_FOLDERS = [
  "src/pe",
  "src/authenticode",
  "src/registry/model",
  "src/registry/hive",
  "src/registry/reg-file",
  "src/registry/export",
  "src/windows",
  "src/triage",
  "src/check",
  "src/report",
  "src/evtx",
  "src/firebird",
  "src/paths",
  "src/knowledge",
  "src/vocabulary",
];

/** Node modules that reach the machine; the core must not import them (either spelling). */
export const MACHINE_MODULES = ["fs", "fs/promises", "child_process"].flatMap((name) => [
  name,
  `node:${name}`,
]);

/** Folders the core must not import from (resolved paths, so `../../adapters/x.js` is caught). */
export const OUTWARD_FOLDERS = ["src/adapters", "src/cli", "src/app"];

const coreFiles = CORE_FOLDERS.map((folder) => `${folder}/**/*.ts`);

/**
 * The configuration for a checkout rooted at `root` (folder zones and the tsconfig are resolved
 * against it, not against the shell's working directory, so `npx eslint` works from any folder;
 * test/lint/boundaries.test.ts builds it for a scratch tree).
 * @param {string} root absolute path of the repository root
 */
export function koffConfig(root) {
  return tseslint.config(
    { ignores: ["dist/**", "node_modules/**", "fixtures/**/*.c", "examples/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    { languageOptions: { globals: globals.node } },
    {
      rules: {
        "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        "no-constant-condition": ["error", { checkLoops: false }],
      },
    },
    {
      // The npm bin's launcher is CommonJS, like the bundles it loads (bin/cli-entry.cjs says why).
      files: ["**/*.cjs"],
      languageOptions: { sourceType: "commonjs", globals: globals.node },
      rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
      // Tests read parsed JSON documents field by field; typing every contract there adds nothing.
      files: ["test/**/*.ts"],
      rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
      // Boundaries (issue 11). Two rules, chosen for what each matches on:
      // - node:fs, fs/promises, child_process are bare module names, so the built-in
      //   no-restricted-imports with exact `paths` catches them (both the `node:` and bare spelling,
      //   value and type imports, re-exports).
      // - Folders are matched on the RESOLVED file, not on the import text: import-x's
      //   no-restricted-paths runs each `./x.js` through the TypeScript resolver to `x.ts` and
      //   compares real paths, so `../../adapters/live/exec.js` from src/check/checks/ is caught and
      //   a folder that merely shares a name is not. no-restricted-imports `patterns` would have to
      //   guess the folder from `../` strings relative to each file, and eslint-plugin-boundaries
      //   would be a second resolver and element model for what two zones express.
      // - import-x/no-cycle (same resolver) forbids any import loop in src/. It skips `import type`
      //   edges: with verbatimModuleSyntax those are erased from the emitted JavaScript, so they
      //   cannot form a loop at run time.
      files: ["src/**/*.ts"],
      plugins: { "import-x": importX },
      settings: {
        "import-x/extensions": [".ts", ".js"],
        "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
        "import-x/resolver-next": [
          createTypeScriptImportResolver({ project: path.join(root, "tsconfig.json") }),
        ],
      },
      rules: {
        "import-x/no-cycle": ["error", { ignoreExternal: true }],
        "import-x/no-restricted-paths": [
          "error",
          {
            basePath: root,
            zones: [
              {
                target: CORE_FOLDERS.map((folder) => `./${folder}`),
                from: OUTWARD_FOLDERS.map((folder) => `./${folder}`),
                message: "the core (README.md, Layout) must not import adapters, the CLI or app services",
              },
            ],
          },
        ],
      },
    },
    {
      files: coreFiles,
      rules: {
        "no-restricted-imports": [
          "error",
          {
            paths: MACHINE_MODULES.map((name) => ({
              name,
              message: "the core reads bytes handed to it; file and process access belong in src/adapters",
            })),
          },
        ],
      },
    },
  );
}

export default koffConfig(import.meta.dirname);
