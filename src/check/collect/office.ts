/**
 * Collector `office`: the Office install Outlook belongs to (product, version, bitness, update
 * channel), with the registry paths each fact came from.
 *
 * Source: Microsoft, "Determine the version of Office"
 * (https://learn.microsoft.com/office/troubleshoot/office-suite-issues/click-to-run-office-msi).
 */
import { readOfficeInstall } from "../../windows/index.js";
import { defineCollector } from "./collector.js";

export const officeCollector = defineCollector({
  name: "office",
  needs: ["registry"],
  provides: ["office"],
  timeLimitMs: 300_000,
  async collect(snapshot) {
    const office = await readOfficeInstall(snapshot.registry);
    return {
      facts: {
        office: {
          found: office.installType !== "none" || office.bitness !== undefined,
          product: office.products.join(", ") || undefined,
          version: office.version,
          bitness: office.bitness,
          channel: office.channel?.name,
          sources: office.evidence,
        },
      },
    };
  },
});
