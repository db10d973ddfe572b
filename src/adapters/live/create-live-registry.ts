/**
 * Wiring for live mode on Windows: a {@link RegExeRegistry} that runs the system's reg.exe with
 * the 64-bit registry view whenever the OS is 64-bit (so `HKLM\SOFTWARE` and
 * `HKLM\SOFTWARE\WOW6432Node` mean the same as in an offline SOFTWARE hive, even from a 32-bit
 * Node), and decodes reg.exe's output in the console's OEM code page as reported by `chcp`.
 *
 * Sources: File System Redirector
 * (https://learn.microsoft.com/en-us/windows/win32/winprog64/file-system-redirector); registry
 * views, KEY_WOW64_64KEY
 * (https://learn.microsoft.com/en-us/windows/win32/winprog64/accessing-an-alternate-registry-view).
 */
import type { Exec } from "../../ports/exec.js";
import { isKnownOemCodePage, type OemCodePage } from "../../windows/tool-output/oem-code-page.js";
import { nodeExec } from "./exec.js";
import { RegExeRegistry } from "./reg-exe-registry.js";

/** Facts about the running process that decide the registry view (injectable for tests). */
export interface LiveEnvironment {
  /** `process.arch`. */
  arch: string;
  /** `process.env`. */
  env: Record<string, string | undefined>;
}

/**
 * `"64"` when the OS is 64-bit: a 64-bit Node (`arch` x64/arm64), or a 32-bit Node under WOW64
 * (`PROCESSOR_ARCHITEW6432` set); otherwise `undefined` (32-bit Windows has one view).
 */
export function registryViewFor(environment: LiveEnvironment): "64" | undefined {
  if (environment.arch === "x64" || environment.arch === "arm64") return "64";
  return environment.env["PROCESSOR_ARCHITEW6432"] !== undefined ? "64" : undefined;
}

/**
 * The console's OEM code page from `cmd /d /c chcp` ("Active code page: 850." in any language:
 * the last number on the line). 437 when it cannot be read or is not a Windows OEM code page; `"utf-8"` for 65001.
 */
export async function detectOemCodePage(exec: Exec): Promise<OemCodePage | "utf-8"> {
  try {
    const r = await exec("cmd.exe", ["/d", "/c", "chcp"]);
    const text = typeof r.stdout === "string" ? r.stdout : Buffer.from(r.stdout).toString("latin1");
    const digits = lastDigitRun(text);
    const cp = digits === undefined ? 437 : Number(digits);
    if (cp === 65001) return "utf-8";
    return isKnownOemCodePage(cp) ? cp : 437;
  } catch {
    return 437;
  }
}

/**
 * The last run of ASCII digits in `text`, found by a scan from the end (`/(\d+)\D*$/` backtracks
 * quadratically on a long digit run followed by a non-digit and another digit).
 */
export function lastDigitRun(text: string): string | undefined {
  const isDigit = (i: number) => text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39;
  let end = text.length;
  while (end > 0 && !isDigit(end - 1)) end--;
  if (end === 0) return undefined;
  let start = end - 1;
  while (start > 0 && isDigit(start - 1)) start--;
  return text.slice(start, end);
}

/**
 * Builds the live registry port (Windows only): runs `chcp`, then {@link RegExeRegistry.probe}.
 * @throws {@link WindowsStateError} `no-answer` when reg.exe exits 0 without answering the probe.
 */
export async function createLiveRegistry(
  options: {
    exec?: Exec;
    environment?: LiveEnvironment;
    systemRoot?: string;
    /** The console's code page when already known ({@link detectOemCodePage}); asked otherwise. */
    codePage?: OemCodePage | "utf-8";
  } = {},
): Promise<RegExeRegistry> {
  const exec = options.exec ?? nodeExec();
  const environment = options.environment ?? { arch: process.arch, env: process.env };
  const systemRoot = options.systemRoot ?? environment.env["SystemRoot"] ?? "C:\\Windows";
  const view = registryViewFor(environment);
  const registry = new RegExeRegistry({
    exec,
    regExe: `${systemRoot}\\System32\\reg.exe`,
    ...(view === undefined ? {} : { view }),
    outputCodePage: options.codePage ?? (await detectOemCodePage(exec)),
  });
  await registry.probe();
  return registry;
}
