/**
 * Pure parsers of the text Windows console tools print (`reg query`, `tasklist /fo csv`,
 * `netstat -ano`, `wevtutil qe /f:xml`) and of the OEM code pages they print it in. No I/O:
 * the live adapter (src/adapters/live) runs the tools through the Exec port and hands the text
 * here; bundle mode replays carried `wevtutil` output through the same parser.
 *
 * Sources: each module's header cites the tool's Microsoft reference page.
 */
export { parseCsvLine } from "./csv.js";
export { MAX_CONNECTIONS, parseNetstatAno, isOutbound, readNetstatAnswer } from "./netstat.js";
export { isBlank, noAnswer } from "./no-answer.js";
export { decodeOem, isKnownOemCodePage, type OemCodePage } from "./oem-code-page.js";
export {
  MAX_REG_QUERY_OUTPUT,
  parseRegQueryOutput,
  toLongRootPath,
  toShortRootPath,
  type RegQueryBlock,
  type RegQueryOutput,
  type RegQueryWarning,
} from "./reg-query-output.js";
export { MAX_PROCESSES, parseTasklistCsv, readTasklistAnswer } from "./tasklist.js";
export { MAX_EVENTS, decodeXmlText, parseWevtutilXml, readWevtutilAnswer } from "./wevtutil.js";
