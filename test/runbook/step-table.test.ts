/**
 * The step table and the step ids agree: one entry per id, in ladder order, each keyed by its
 * own id (the type proves the keys; this proves the order and the values at run time).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { STEPS } from "../../src/runbook/index.js";
import { STEP_IDS } from "../../src/vocabulary/index.js";

describe("runbook step table", () => {
  it("lists every step id once, least invasive first", () => {
    assert.deepEqual(Object.keys(STEPS), [...STEP_IDS]);
  });

  it("keys each step by its own id", () => {
    for (const [key, step] of Object.entries(STEPS)) assert.equal(step.id, key);
  });
});
