/**
 * Text from the inspected machine in the HTML and SARIF reports: a sample image whose connector
 * folder holds a DLL named with markup, quotes, `&`, U+202E and C0 controls, and whose version
 * strings add a NUL and an unpaired surrogate (a version resource is UTF-16LE: it may hold one;
 * the PE parser decodes it as U+FFFD, and the NUL ends the string).
 * `triage --html`/`check --html` must show all of it as inert, visible text (no tag, attribute or
 * reference the data opened; controls, overrides and surrogates as `\uXXXX`); `--sarif` must be
 * JSON that parses back to the same names, a SARIF 2.1.0 log by the OASIS schema, and clean by
 * Microsoft's SARIF Multitool (skipped when the tool cannot run). The escaper and the URI encoder
 * are also tested on their own.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { hostArtifact, windowsArtifact } from "../../src/cli/render/sarif-log.js";
import { escapeHtml } from "../../src/report/index.js";
import { copyImage } from "../helpers/image-copy.js";
import { multitoolErrors, sarifMultitool, sarifSchemaValidator } from "../helpers/sarif-tools.js";
import { runCli } from "../helpers/run-cli.js";
import { buildPe } from "../pe/helpers/build-pe.js";

const AT = ["--at", "2026-11-21T00:00:00Z"];
const C0 = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join("");
/** What a Linux file name can hold of the hostile set (no NUL, no `/`). */
const NAME = `x<script>alert(1)<img src=x onerror=alert(1)>"&amp;'\u202e${C0}.dll`;
/** The version strings add what only UTF-16 text can hold. */
const VERSION = `<script>alert(2)</script>"&'\u202e\ud800${C0}\u0000 9.9`;
const KOFF = ["Program Files (x86)", "Kerio", "Outlook Connector (Offline Edition)"];
/** Tags our pages are made of; anything else was opened by the data. */
const OUR_TAGS = new Set(
  "html head meta title style body main h1 h2 h3 p span strong code wbr div dl dt dd ul li table thead tbody tr th td details summary pre small br section".split(
    " ",
  ),
);

let root: string;
let image: string;
before(() => {
  ({ root, image } = copyImage("healthy"));
  const strings = Object.fromEntries(
    ["CompanyName", "FileDescription", "FileVersion", "ProductName", "OriginalFilename", "InternalName"].map(
      (k) => [k, VERSION],
    ),
  );
  const pe = buildPe({ format: "PE32", dll: true, version: { fileVersion: [9, 9, 0, 1], strings } }).bytes;
  writeFileSync(path.join(image, ...KOFF, NAME), pe);
  writeFileSync(path.join(image, ...KOFF, "kofmsp32.dll"), pe);
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Every tag name in `html`, lower-cased. */
const tagsOf = (html: string) =>
  [...html.matchAll(/<\/?([a-zA-Z][^\s/>]*)/g)].map((m) => m[1]!.toLowerCase());

function assertInertHtml(html: string, where: string): void {
  const foreign = tagsOf(html).filter((t) => !OUR_TAGS.has(t));
  assert.deepEqual(foreign, [], `${where}: tags the data opened`);
  assert.doesNotMatch(html, /<script|<[^>]*\son[a-z]+=|javascript:/i, where);
  // Every `&` starts one of the references we write (the data's `&` and `&amp;` are escaped).
  assert.doesNotMatch(html, /&(?!#\d+;)/, `${where}: a bare & or a named reference from the data`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(html, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/, `${where}: raw control`);
  assert.doesNotMatch(html, /[\ud800-\udfff]/, `${where}: a surrogate`);
  assert.match(
    html,
    /x&#60;script&#62;alert\(1\)&#60;img src=x onerror=alert\(1\)&#62;&#34;&#38;amp;&#39;\\u202e\\u0001/,
    where,
  );
}

describe("hostile names and version strings in the HTML reports", () => {
  for (const verb of ["triage", "check"] as const) {
    it(`${verb} --html shows them as inert, visible text`, async () => {
      const out = path.join(root, `${verb}.html`);
      const args =
        verb === "triage"
          ? ["triage", "-r", path.join(image, ...KOFF), "--image", image]
          : ["check", "--image", image];
      const r = await runCli([...args, "--html", out, ...AT]);
      assert.ok(r.code <= 2, `${verb} exited ${r.code}: ${r.stderr}`);
      const html = readFileSync(out, "utf8");
      assertInertHtml(html, verb);
      if (verb === "triage")
        assert.match(
          html,
          /&#60;script&#62;alert\(2\)&#60;\/(?:<wbr>)?script&#62;&#34;&#38;&#39;\\u202e\ufffd\\u0001/,
          "the version string is shown",
        );
    });
  }

  it("escapeHtml: markup as references; controls, overrides and lone surrogates as \\uXXXX; pairs kept", () => {
    assert.equal(
      escapeHtml(`<a href="x">&'\u202e\u0000\u0085\t\n\ud800x\udfff\ud83d\ude00`),
      "&#60;a href=&#34;x&#34;&#62;&#38;&#39;\\u202e\\u0000\\u0085\t\n\\ud800x\\udfff\ud83d\ude00",
    );
    assert.equal(escapeHtml(null), "");
  });
});

interface Sarif {
  runs: Array<{ results: Array<Record<string, any>>; artifacts?: Array<Record<string, any>> }>;
}

describe("hostile names and version strings in the SARIF logs", () => {
  const logs = new Map<string, string>();
  before(async () => {
    for (const verb of ["triage", "check"] as const) {
      const args =
        verb === "triage"
          ? ["triage", "-r", path.join(image, ...KOFF), "--image", image]
          : ["check", "--image", image];
      const r = await runCli([...args, "--sarif", ...AT]);
      assert.ok(r.code <= 2, `${verb} exited ${r.code}: ${r.stderr}`);
      logs.set(verb, r.stdout);
    }
  });

  it("parse as JSON, with the names and version strings intact", () => {
    for (const [verb, text] of logs) {
      const log = JSON.parse(text) as Sarif;
      assert.ok(log.runs[0]!.results.length > 0, verb);
      assert.ok(text.includes("\\u202e") || text.includes("\u202e"), `${verb}: the override is kept`);
      if (verb === "triage") {
        const names = JSON.stringify(log);
        assert.ok(names.includes(JSON.stringify(NAME).slice(1, -1)), "the file name survives as it is");
      }
      // Written as UTF-8, a raw unpaired surrogate would become U+FFFD: it must be escaped.
      assert.doesNotMatch(
        text,
        /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/,
        verb,
      );
    }
  });

  it("are SARIF 2.1.0 by the OASIS schema", async (t) => {
    const validate = await sarifSchemaValidator();
    if (typeof validate === "string") return t.skip(validate);
    for (const [verb, text] of logs)
      assert.ok(validate(JSON.parse(text)), `${verb}: ${JSON.stringify(validate.errors)}`);
  });

  it("are clean by the SARIF Multitool (SARIF and GitHub rules)", async (t) => {
    const bin = sarifMultitool();
    if (bin === undefined) return t.skip("@microsoft/sarif-multitool is not installed for this platform");
    for (const [verb, text] of logs) {
      const file = path.join(root, `${verb}.sarif`);
      writeFileSync(file, text);
      assert.deepEqual(
        await multitoolErrors(bin, [file], path.join(root, `${verb}.validation.sarif`)),
        [],
        verb,
      );
    }
  });
});

describe("SARIF artifact URIs of names UTF-8 cannot hold", () => {
  it("an unpaired surrogate in a Windows or host path becomes U+FFFD in the URI instead of throwing", () => {
    assert.deepEqual(windowsArtifact("C:\\Users\\a\ud800\\k<\u202e>.dll"), {
      uri: "Users/a%EF%BF%BD/k%3C%E2%80%AE%3E.dll",
      uriBaseId: "WINDOWS_C",
    });
    assert.equal(windowsArtifact("\\\\srv\ud800\\share\\x").uri, "file://srv%EF%BF%BD/share/x");
    assert.equal(hostArtifact("/work/x/a\udc00.dll", "/work").uri, "x/a%EF%BF%BD.dll");
    assert.equal(hostArtifact("/elsewhere/a\udc00.dll", "C:\\").uri.includes("%EF%BF%BD"), true);
  });
});
