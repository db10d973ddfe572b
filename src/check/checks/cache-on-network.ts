import { defineCheck } from "../finding.js";

/** The cache root is on a network share (redirected AppData); GFI advises against NAS storage. */
export default defineCheck({
  id: "cache-on-network",
  severity: "warning",
  title: "The KOFF cache lives on a network location",
  remedy: null,
  run(f) {
    return f.cacheRoots
      .filter((r) => r.onNetwork)
      .map((r) => ({
        message: `user ${r.user}: cache root ${r.path} is on the network; Firebird over SMB/NAS is slow and fragile`,
        evidence: { user: r.user, path: r.path },
      }));
  },
});
