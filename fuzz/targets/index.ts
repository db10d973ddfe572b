/**
 * The fuzz targets, in the order the run cycles through them. Adding a format: write
 * `fuzz/targets/<format>.ts` exporting a {@link FuzzTarget} and list it here.
 */
import type { FuzzTarget } from "../target.js";
import { bundleTarget } from "./bundle.js";
import { eventXmlTarget } from "./event-xml.js";
import { evtxTarget } from "./evtx.js";
import { firebirdTarget } from "./firebird.js";
import { mapisvcInfTarget } from "./mapisvc-inf.js";
import { peTarget } from "./pe.js";
import { pkcs7Target } from "./pkcs7.js";
import { regFileTarget } from "./reg-file.js";
import { regfTarget } from "./regf.js";
import { zipTarget } from "./zip.js";

/** Target names in run order: round r takes every target whose weight is above r. */
export function targetCycle(targets: readonly FuzzTarget[]): string[] {
  const cycle: string[] = [];
  const most = Math.max(...targets.map((t) => t.weight ?? 1));
  for (let r = 0; r < most; r++) for (const t of targets) if ((t.weight ?? 1) > r) cycle.push(t.name);
  return cycle;
}

export const FUZZ_TARGETS: FuzzTarget[] = [
  peTarget,
  pkcs7Target,
  regfTarget,
  regFileTarget,
  mapisvcInfTarget,
  eventXmlTarget,
  zipTarget,
  bundleTarget,
  evtxTarget,
  firebirdTarget,
];
