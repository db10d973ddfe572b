/**
 * Collector `defender`: Microsoft Defender's path exclusions, local and by policy.
 *
 * Source: Microsoft, "Configure custom exclusions for Microsoft Defender Antivirus"
 * (https://learn.microsoft.com/defender-endpoint/configure-exclusions-microsoft-defender-antivirus).
 */
import { readDefenderExclusions } from "../../windows/index.js";
import { defineCollector } from "./collector.js";

export const defenderCollector = defineCollector({
  name: "defender",
  needs: ["registry"],
  provides: ["defender"],
  timeLimitMs: 300_000,
  async collect(snapshot) {
    const defender = await readDefenderExclusions(snapshot.registry);
    return {
      facts: { defender: { exclusions: defender.paths.map((e) => ({ path: e.value, source: e.source })) } },
    };
  },
});
