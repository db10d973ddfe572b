/**
 * `fleet summary` as text: every value a host's report put in the store (locations, computer and
 * user names, versions, check ids, verdicts) reaches the terminal inert. The CLI's terminal filter
 * lets its own colour and erase-line sequences (`ESC [ … m`, `ESC [ K`) through, so the renderer
 * must show them, and line breaks, as `\uXXXX` itself: one host must not forge or hide a line.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderFleetText } from "../../src/fleet/render.js";
import type { FleetSummary } from "../../src/fleet/summary.js";

/** What would act on a terminal: controls but newline, and a right-to-left override. */
// eslint-disable-next-line no-control-regex
const ACTING = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;
const HOSTILE = "a\u001b[2K\u001b[8m\u202e\r\n  FORGED";

describe("fleet summary text with hostile store values", () => {
  it("shows controls, bidirectional overrides and line breaks as \\uXXXX; one line per item", () => {
    const s: FleetSummary = {
      schemaVersion: 1,
      tool: { name: "koff-doctor", version: "0" },
      totals: { hosts: 1, runs: 1, findings: 1, files: 1 },
      statuses: [{ status: `ok${HOSTILE}`, hosts: 1 }],
      findings: [{ checkId: `x${HOSTILE}`, severity: `warn${HOSTILE}`, hosts: 1 }],
      connectorVersions: [{ version: `10${HOSTILE}`, hosts: 1 }],
      outlookVersions: [{ version: `16${HOSTILE}`, bitness: `x64${HOSTILE}`, hosts: 1 }],
      providerHashes: [
        {
          sha256: "0".repeat(64),
          verdict: `clean${HOSTILE}`,
          signatureState: null,
          signer: null,
          fileVersion: null,
          hosts: 1,
          outsideInstall: false,
          singleHostOutsideInstall: false,
          paths: [`C:\\x${HOSTILE}`],
        },
      ],
      notSeenSince: {
        since: "2026-01-01",
        hosts: [
          { hostId: "h", computerName: `PC${HOSTILE}`, user: `bob${HOSTILE}`, lastSeen: `2025${HOSTILE}` },
        ],
      },
    };
    const text = renderFleetText(s);
    assert.doesNotMatch(text, ACTING, "nothing acts on the terminal");
    assert.doesNotMatch(text, /^\s*FORGED/m, "no line is forged");
    assert.equal(text.split("\n").filter((l) => l.includes("FORGED")).length, 7, "each item on its own line");
    assert.ok(text.includes("C:\\x" + "a\\u001b[2K\\u001b[8m\\u202e\\u000d\\u000a  FORGED"), text);
  });
});
