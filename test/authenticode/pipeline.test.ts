/**
 * The shape of the verification pipeline and the area's boundaries: step names are defined once
 * (VERIFICATION_STEPS) and every record a verification produces uses one of them, in run order;
 * the certificate table Authenticode judges is the PE parser's walk; and neither src/authenticode
 * nor src/pe reads files (node:fs), so both stay pure cores that take bytes.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createTrustStore, defaultPolicy, verifyAuthenticode } from "../../src/authenticode/index.js";
import { scanCertificateTable } from "../../src/authenticode/certificate-table.js";
import { certificateTableLocation } from "../../src/authenticode/pe-layout.js";
import {
  FILE_STEPS,
  SIGNATURE_STEPS,
  VERIFICATION_STEPS,
  type StepName,
} from "../../src/authenticode/verification-steps.js";
import { fixturesPeDir, fixturesPkiDir, loadPe, repoRoot, skipUnless, trustFile } from "./helpers.js";

const skip = skipUnless(fixturesPeDir, "fixtures/pe");
const signedFixtures = skip
  ? []
  : readdirSync(fixturesPeDir).filter((f) => /^(signed|certtable)-.*\.dll$/.test(f));

describe("verification steps", () => {
  it("VERIFICATION_STEPS names each step once, in kebab-case, file-level steps first", () => {
    assert.equal(new Set(VERIFICATION_STEPS).size, VERIFICATION_STEPS.length);
    for (const name of VERIFICATION_STEPS) assert.match(name, /^[a-z]+(-[a-z0-9]+)*$/, name);
    assert.deepEqual(VERIFICATION_STEPS, [...FILE_STEPS, ...SIGNATURE_STEPS]);
  });

  it(
    "every record of every signed fixture names a known step, and each signature's records follow SIGNATURE_STEPS order",
    { skip },
    () => {
      assert.ok(signedFixtures.length >= 10, `signed fixtures found: ${signedFixtures.length}`);
      const trust = createTrustStore({ files: [trustFile(path.join(fixturesPkiDir, "trust-anchors.pem"))] });
      const order = (name: StepName): number =>
        SIGNATURE_STEPS.indexOf(name as (typeof SIGNATURE_STEPS)[number]);
      for (const file of signedFixtures) {
        const { bytes, pe } = loadPe(path.join(fixturesPeDir, file));
        for (const signatures of ["primary", "all"] as const) {
          const result = verifyAuthenticode(bytes, pe, defaultPolicy(trust, { signatures }));
          for (const step of result.steps)
            assert.ok(VERIFICATION_STEPS.includes(step.step), `${file}: ${step.step}`);
          for (const signature of result.signatures) {
            // Documented exceptions: `validity` may record a `timestamp` warning just before its own
            // record, and an entry Windows does not use gets a final `certificate-entry` record.
            const ranks = signature.steps
              .filter(
                (s, i, all) =>
                  s.step !== "certificate-entry" &&
                  !(s.step === "timestamp" && all[i + 1]?.step === "validity"),
              )
              .map((s) => order(s.step));
            assert.ok(!ranks.includes(-1), `${file} ${signature.path}: only per-signature steps`);
            assert.deepEqual(
              ranks,
              [...ranks].sort((a, b) => a - b),
              `${file} ${signature.path}: run order`,
            );
            assert.equal(signature.steps.at(-1)?.path ?? signature.path, signature.path);
          }
        }
      }
    },
  );
});

describe("certificate table: Authenticode judges the PE parser's walk", { skip }, () => {
  it("scanCertificateTable and parsePe read the same WIN_CERTIFICATE entries", () => {
    for (const file of signedFixtures) {
      const { bytes, pe } = loadPe(path.join(fixturesPeDir, file));
      const location = certificateTableLocation(pe);
      assert.ok(location, file);
      const scan = scanCertificateTable(bytes, location, pe.optionalHeader.sizeOfHeaders);
      const fields = (e: {
        offset: number;
        length: number;
        revision: number;
        certificateType: number;
        certificate: Uint8Array;
      }) => [e.offset, e.length, e.revision, e.certificateType, e.certificate.length];
      assert.deepEqual(scan.entries.map(fields), (pe.certificateTable?.entries ?? []).map(fields), file);
    }
  });
});

describe("boundaries: src/authenticode and src/pe read no files", () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((d) => d.isFile() && d.name.endsWith(".ts"))
      .map((d) => path.join(d.parentPath ?? d.path, d.name));
  for (const area of ["authenticode", "pe"]) {
    it(`src/${area} imports neither node:fs nor the file helpers`, () => {
      const files = sources(path.join(repoRoot, "src", area));
      assert.ok(files.length > 5, `sources of src/${area} found`);
      for (const file of files) {
        const text = readFileSync(file, "utf8");
        assert.doesNotMatch(text, /from\s+"(node:)?fs(\/promises)?"/, path.relative(repoRoot, file));
        assert.doesNotMatch(text, /from\s+"[./]*\/util\/safe-file\.js"/, path.relative(repoRoot, file));
      }
    });
  }
});
