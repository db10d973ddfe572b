/**
 * Target `event-xml`: `wevtutil qe /f:xml` output (fixtures/windows/live), parsed as the live
 * adapter and bundle replay parse it. The parser is documented never to throw: any error is a
 * defect. Field-aware mutations insert tags, attributes, entities and character references.
 *
 * Source: Microsoft "wevtutil" reference; event schema
 * http://schemas.microsoft.com/win/2004/08/events/event.
 */
import path from "node:path";
import { parseWevtutilXml } from "../../src/windows/tool-output/wevtutil.js";
import { FIXTURES, readSeedFiles } from "../seeds.js";
import type { FuzzTarget } from "../target.js";
import { mutateText } from "../text-mutate.js";

const TOKENS = [
  "<Event>",
  "</Event>",
  "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>",
  "<System>",
  "<EventID>1000</EventID>",
  "<EventID>99999999999999999999</EventID>",
  "<Level>2</Level>",
  "<Provider Name='Outlook'/>",
  "<TimeCreated SystemTime='2026-11-21T00:00:00.000Z'/>",
  "<EventData>",
  "</EventData>",
  "<Data>",
  "</Data>",
  "<Data/>",
  "<Data Name='x'>",
  "&amp;",
  "&#x110000;",
  "&#99999999999999;",
  "&#xD800;",
  "&#0;",
  "&unknown;",
  "<![CDATA[",
  "]]>",
  "<!--",
  "-->",
  "<",
  ">",
  "'",
  '"',
];

export const eventXmlTarget: FuzzTarget = {
  name: "event-xml",
  weight: 10,
  typedErrors: [],
  seeds: () => readSeedFiles(path.join(FIXTURES, "windows", "live"), /^wevtutil-.*\.xml$/),
  mutate: (bytes, rng) => mutateText(bytes, rng, TOKENS),
  run: (bytes) => {
    const records = parseWevtutilXml(new TextDecoder().decode(bytes), "Application");
    JSON.stringify(records);
  },
};
