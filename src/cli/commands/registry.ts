/**
 * `koff-doctor registry export HIVE_FILE [KEY_PATH] [--prefix KEY]`: a debug verb that prints a
 * regf hive, or the subtree under KEY_PATH, as a `.reg` file (Windows Registry Editor Version
 * 5.00) whose keys start where Windows loads the hive (`HKEY_LOCAL_MACHINE\SOFTWARE` for
 * SOFTWARE, `HKEY_CURRENT_USER` for NTUSER.DAT: `defaultHiveRoot`), or under `--prefix KEY`, so
 * `reg import` accepts it. HIVE_FILE must be a regular file of at most READ_LIMITS.hiveFileBytes
 * (a FIFO, device, folder or symlink loop is refused unopened, exit 3). A dirty hive is exported
 * with the `.LOG1`/`.LOG2` beside it replayed, read as `check --image` reads them (a log that is
 * not a regular file, is over its cap or is a link out of the hive's folder is not read), and a
 * trailing `;` comment says whether they were replayed. See docs/registry.md.
 */
import type { Command } from "commander";
import {
  ExitCode,
  exportHiveFileAsReg,
  InputFileError,
  logsOfDirtyHiveFile,
  normalizeRegPrefix,
} from "../../index.js";
import type { CommandResult } from "../command-result.js";
import { readHiveArgument } from "../input-files.js";
import type { CliIo } from "../io.js";
import { UsageError } from "../usage-error.js";
import { printable } from "../terminal-text.js";

export function registerRegistryCommand(program: Command, io: CliIo, done: (r: CommandResult) => void): void {
  const registry = program.command("registry").description("inspect registry hive files (debugging aids)");
  registry
    .command("export")
    .description("print a hive (or the subtree under KEY_PATH) in .reg format")
    .argument("<hive-file>", "a regf hive file, e.g. Windows/System32/config/SOFTWARE or NTUSER.DAT")
    .argument("[key-path]", "key below the hive root, e.g. Microsoft\\Windows Defender")
    .option(
      "--prefix <key>",
      "write the hive root as KEY (default by hive: HKEY_LOCAL_MACHINE\\SOFTWARE for SOFTWARE, HKEY_CURRENT_USER for NTUSER.DAT, …)",
    )
    .action(async (hiveFile: string, keyPath: string | undefined, flags: { prefix?: string }) => {
      const rootName = flags.prefix === undefined ? undefined : normalizeRegPrefix(flags.prefix);
      if (flags.prefix !== undefined && rootName === undefined)
        throw new UsageError(
          `--prefix ${flags.prefix}: not a registry key a .reg file can name (start with HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, HKEY_USERS, HKEY_CLASSES_ROOT or HKEY_CURRENT_CONFIG)`,
        );
      let bytes: Uint8Array;
      try {
        bytes = await readHiveArgument(hiveFile);
      } catch (e) {
        if (!(e instanceof InputFileError)) throw e;
        io.stderr(`koff-doctor: ${printable(e.path)}: ${e.code}: ${e.reason}\n`);
        done({ exitCode: ExitCode.UNREADABLE });
        return;
      }
      try {
        const logs = await logsOfDirtyHiveFile(hiveFile, bytes);
        io.stdout(
          exportHiveFileAsReg(bytes, { keyPath, rootName, fileName: hiveFile, ...(logs ? { logs } : {}) }),
        );
        done({ exitCode: ExitCode.OK });
      } catch (e) {
        const err = e as Error & { code?: string; offset?: number };
        const where = err.offset !== undefined ? ` at offset 0x${err.offset.toString(16)}` : "";
        io.stderr(`koff-doctor: ${printable(hiveFile)}: ${err.code ?? "error"}: ${err.message}${where}\n`);
        done({ exitCode: ExitCode.UNREADABLE });
      }
    });
}
