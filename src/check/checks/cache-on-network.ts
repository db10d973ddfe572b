import { defineCheck } from "../finding.js";

/** Evidence of `cache-on-network`: one user's cache root on a network location. */
export interface CacheOnNetworkEvidence {
  user: string;
  /** The cache root (Windows or UNC path). */
  path: string;
}

/** The cache root is on a network share (redirected AppData); GFI advises against NAS storage. */
export default defineCheck<CacheOnNetworkEvidence>({
  id: "cache-on-network",
  severity: "warning",
  title: "The KOFF cache lives on a network location",
  remedy: null,
  needs: ["cacheRoots"],
  run(f) {
    return f.cacheRoots
      .filter((r) => r.onNetwork)
      .map((r) => ({
        message: `user ${r.user}: cache root ${r.path} is on the network; Firebird over SMB/NAS is slow and fragile`,
        evidence: { user: r.user, path: r.path } satisfies CacheOnNetworkEvidence,
      }));
  },
});
