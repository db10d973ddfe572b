/**
 * An optional capability of a registry port: loading a whole subtree at once. The live
 * `reg.exe` port implements it (one `reg query /s` instead of one process per key); hive- and
 * `.reg`-backed ports do not need it. Readers call {@link prefetchSubtree} before walking a
 * subtree; on other ports it does nothing.
 *
 * Source: src/ports/registry.ts (the base contract, unchanged).
 */
import type { RegistryPort } from "../ports/registry.js";

/** A registry port that can load a subtree in one operation. */
export interface PrefetchingRegistryPort extends RegistryPort {
  /** Loads `path` and everything below it; returns the number of keys loaded (0 when absent). */
  prefetch(path: string): Promise<number>;
}

/** True when `port` implements {@link PrefetchingRegistryPort}. */
export function canPrefetch(port: RegistryPort): port is PrefetchingRegistryPort {
  return typeof (port as Partial<PrefetchingRegistryPort>).prefetch === "function";
}

/** Prefetches `path` when the port can; otherwise does nothing. Never throws for a missing key. */
export async function prefetchSubtree(port: RegistryPort, path: string): Promise<void> {
  if (canPrefetch(port)) await port.prefetch(path);
}
