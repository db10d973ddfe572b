/**
 * The repair plan an admin confirms shows every path, key, name and data it touches inert: a
 * planted DLL's folder or a profile name holding ESC sequences (conceal, erase line), a line
 * break or a right-to-left override is shown as `\uXXXX`, never acted on by the terminal (whose
 * filter lets the CLI's own colour and erase-line sequences through).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pc from "picocolors";
import { describeOperation, renderPlan } from "../../src/cli/render/repair-text.js";
import type { Operation } from "../../src/runbook/index.js";

const HOSTILE = "x\u001b[8m\u001b[2K\u202e\nFORGED";
/** What would act on a terminal: controls but newline, and a right-to-left override. */
// eslint-disable-next-line no-control-regex
const ACTING = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

describe("repair plan text with hostile names", () => {
  const ops: Operation[] = [
    {
      kind: "move",
      what: HOSTILE,
      windowsPath: `C:\\${HOSTILE}\\kofmsp.dll`,
      from: "/a",
      to: "/b",
      manifest: [],
    },
    { kind: "mkdir", what: HOSTILE, windowsPath: `C:\\${HOSTILE}` } as Operation,
    { kind: "defender-exclusion", what: HOSTILE, path: `C:\\${HOSTILE}` } as Operation,
    {
      kind: "reg-delete-key",
      what: HOSTILE,
      key: `HKU\\${HOSTILE}`,
      exportFile: `/runs/${HOSTILE}.reg`,
    } as Operation,
    {
      kind: "reg-delete-value",
      what: HOSTILE,
      key: `HKU\\${HOSTILE}`,
      name: HOSTILE,
      type: "REG_SZ",
      data: HOSTILE,
    } as Operation,
  ];
  for (const op of ops)
    it(`${op.kind}: shown escaped, on one line`, () => {
      const text = describeOperation(op);
      assert.doesNotMatch(text, ACTING, text);
      assert.doesNotMatch(text, /\nFORGED/, "no line is forged");
      assert.ok(text.includes("x\\u001b[8m\\u001b[2K\\u202e\\u000aFORGED"), text);
    });
});

describe("repair plan: refusal, warnings, guidance and notes with hostile names", () => {
  it("are shown escaped, each on its line", () => {
    const planned = {
      step: "av-exclusions",
      title: "Add the recommended antivirus exclusions",
      kind: "acting",
      plan: { operations: [], warnings: [HOSTILE], guidance: [HOSTILE], exports: [] },
      notes: [HOSTILE],
      refusal: { code: "refused-precondition", message: HOSTILE },
    } as unknown as Parameters<typeof renderPlan>[0];
    const text = renderPlan(planned, pc.createColors(false));
    assert.doesNotMatch(text, ACTING, text);
    assert.doesNotMatch(text, /\nFORGED/, "no line is forged");
  });
});
