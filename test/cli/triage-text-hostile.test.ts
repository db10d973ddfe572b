/**
 * The text report of `triage` prints what the inspected file says about itself (its version
 * resource, a path in the image, evidence quoting its strings, a parse error's message). None of
 * it may reach the terminal raw: an ESC sequence could hide or recolour lines, a newline could
 * forge a line of the report (src/cli/terminal-text.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderTriageSummaryTable, renderTriageText } from "../../src/cli/render/triage-text.js";
import type { CliIo } from "../../src/cli/io.js";
import type { TriageRecord } from "../../src/triage/index.js";

const HOSTILE = "\u001b[8m\nCLEAN  C:\\Windows\\System32\\ok.dll\u001b]52;c;AAAA\u0007\u202e";
/** Colours as the identity, so only the data could bring an ESC. */
const plain = new Proxy({}, { get: () => (s: string) => s }) as CliIo["colors"];

function hostileRecord(): TriageRecord {
  return {
    path: "/img/Windows/System32/a.dll",
    windowsPath: `C:\\Windows\\System32\\a${HOSTILE}`,
    sha256: "0".repeat(64),
    size: 1,
    verdict: "malicious",
    indicators: [
      {
        id: "identity",
        source: "koff-doctor",
        row: "Identity",
        level: "malicious",
        evidence: `claims ${HOSTILE}`,
        cell: null,
      },
    ],
    error: { code: "truncated", message: `bad ${HOSTILE}`, structure: HOSTILE },
    pe: {
      versionInfo: { strings: { CompanyName: HOSTILE, ProductName: HOSTILE }, fileVersion: "1.0" },
    },
    carried: { note: HOSTILE, from: HOSTILE },
  } as unknown as TriageRecord;
}

describe("triage text: the file's own text is printed escaped", () => {
  it("no ESC, BEL or bidirectional override, and no line the data forged, in the record or the closing table", () => {
    const r = hostileRecord();
    const text = [
      renderTriageText([r], plain, { verbose: true }),
      renderTriageSummaryTable(
        { clean: 0, suspicious: 0, malicious: 1, error: 0 },
        [{ path: r.path, verdict: "malicious", reason: `x ${HOSTILE}` }],
        plain,
      ),
    ].join("\n");
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\u001b\u0007\u202e]/);
    assert.doesNotMatch(text, /^CLEAN {2}C:/m, "a forged line");
    assert.match(text, /\\u001b\[8m\\u000aCLEAN/, "shown escaped");
  });
});
