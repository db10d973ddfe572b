/**
 * The documented state rule (docs/authenticode.md, "How a state is reached"), pinned case by
 * case on hand-written findings: precedence invalid > time (not-yet-valid behind a future
 * timestamp: invalid) > weak-digest > valid > self-signed > untrusted-root, the TSA-trust cap,
 * and primary vs all at file level.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decideFileState,
  decideSignatureState,
  type SignatureFindings,
} from "../../src/authenticode/state-rule.js";

const base: SignatureFindings = {
  invalid: [],
  verifiedAt: new Date("2026-01-01T00:00:00Z"),
  verifiedAtSource: "policy",
  validTimestamp: false,
  timestampTrusted: false,
  chain: {
    anchorSubject: "CN=Root",
    complete: true,
    selfSigned: false,
    leafSubject: "CN=Leaf",
    lastSubject: "CN=Root",
    lastIssuer: "CN=Root",
  },
};
const unanchored = { ...base.chain!, anchorSubject: undefined } as SignatureFindings["chain"];

describe("decideSignatureState", () => {
  it("a not-yet-valid signer behind a discarded future timestamp is invalid, naming both times", () => {
    const result = decideSignatureState({
      ...base,
      timeProblem: { subject: "CN=Leaf", index: 0, reason: "not-yet-valid" },
      futureTimestamp: new Date("2030-01-01T00:00:00Z"),
    });
    assert.equal(result.state, "invalid");
    assert.match(result.reason, /chain\[0\] "CN=Leaf" is not yet valid at 2026-01-01T00:00:00.000Z/);
    assert.match(result.reason, /2030-01-01T00:00:00.000Z .*later than the verification time/);
    // An expired signer stays expired: the future timestamp only removes evidence.
    assert.equal(
      decideSignatureState({
        ...base,
        timeProblem: { subject: "CN=Leaf", reason: "expired" },
        futureTimestamp: new Date("2030-01-01T00:00:00Z"),
      }).state,
      "expired",
    );
  });

  it("weak-digest ranks below invalid and time, above valid and the trust states", () => {
    const weakDigest = ["MD5 file digest (SpcIndirectDataContent.messageDigest)"];
    const weak = decideSignatureState({ ...base, weakDigest });
    assert.equal(weak.state, "weak-digest");
    assert.match(weak.reason, /^MD5 file digest/);
    assert.equal(decideSignatureState({ ...base, weakDigest, chain: unanchored }).state, "weak-digest");
    assert.equal(
      decideSignatureState({ ...base, weakDigest, timeProblem: { subject: "CN=Leaf", reason: "expired" } })
        .state,
      "expired",
    );
    assert.equal(
      decideSignatureState({ ...base, weakDigest, invalid: ["digest mismatch"] }).state,
      "invalid",
    );
    assert.equal(decideSignatureState({ ...base, weakDigest: [] }).state, "valid");
  });

  it("anchored, in time, intact → valid", () => {
    assert.equal(decideSignatureState(base).state, "valid");
  });

  it("any invalid finding wins over everything, and its first reason is shown", () => {
    const result = decideSignatureState({
      ...base,
      invalid: ["digest mismatch", "eku"],
      timeProblem: { subject: "CN=Leaf", reason: "expired" },
      chain: { ...unanchored!, selfSigned: true },
    });
    assert.deepEqual(result, { state: "invalid", reason: "digest mismatch" });
  });

  it("time comes before trust: an expired self-signed signer is expired; not-yet-valid stays its own state", () => {
    assert.equal(
      decideSignatureState({
        ...base,
        chain: { ...unanchored!, selfSigned: true },
        timeProblem: { subject: "CN=Leaf", reason: "expired" },
      }).state,
      "expired",
    );
    assert.equal(
      decideSignatureState({ ...base, timeProblem: { subject: "CN=Leaf", reason: "not-yet-valid" } }).state,
      "not-yet-valid",
    );
  });

  it("self-signed vs untrusted-root vs incomplete chain", () => {
    assert.equal(
      decideSignatureState({ ...base, chain: { ...unanchored!, selfSigned: true } }).state,
      "self-signed",
    );
    const root = decideSignatureState({ ...base, chain: unanchored });
    assert.equal(root.state, "untrusted-root");
    assert.match(root.reason, /not a trust anchor/);
    const incomplete = decideSignatureState({ ...base, chain: { ...unanchored!, complete: false } });
    assert.equal(incomplete.state, "untrusted-root");
    assert.match(incomplete.reason, /incomplete/);
    assert.equal(decideSignatureState({ ...base, chain: undefined }).state, "untrusted-root");
  });

  it("a chain judged at a timestamp needs that timestamp to be anchored too", () => {
    const stamped = { ...base, verifiedAtSource: "timestamp" as const, validTimestamp: true };
    assert.equal(decideSignatureState({ ...stamped, timestampTrusted: true }).state, "valid");
    const capped = decideSignatureState({ ...stamped, timestampTrusted: false });
    assert.equal(capped.state, "untrusted-root");
    assert.match(capped.reason, /TSA/);
  });
});

describe("decideFileState", () => {
  const signatures = [
    { path: "0", state: "untrusted-root" as const },
    { path: "0.nested[0]", state: "invalid" as const },
    { path: "1", state: "expired" as const },
  ];

  it("primary: the first top-level signature decides, nested and later ones do not", () => {
    assert.deepEqual(decideFileState(signatures, "primary"), { state: "untrusted-root", decidedBy: "0" });
  });

  it("all: the most severe state decides", () => {
    assert.deepEqual(decideFileState(signatures, "all"), { state: "invalid", decidedBy: "0.nested[0]" });
    assert.deepEqual(
      decideFileState(
        [
          { path: "0", state: "valid" },
          { path: "0.nested[0]", state: "valid" },
        ],
        "all",
      ),
      { state: "valid", decidedBy: "0" },
    );
  });

  it("no top-level signature: undefined (the caller reports malformed)", () => {
    assert.equal(decideFileState([], "primary"), undefined);
  });
});
