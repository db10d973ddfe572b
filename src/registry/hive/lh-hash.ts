/**
 * The name hash of hash-leaf (`lh`) elements: for each UTF-16 code unit of the upper-cased
 * name, `hash = hash * 37 + unit` (mod 2^32).
 *
 * Source: msuhanov/regf specification, section "Hash leaf".
 */

/** The `lh` hash of key name `name`. */
export function lhHash(name: string): number {
  const up = name.toUpperCase();
  let h = 0;
  for (let i = 0; i < up.length; i++) h = (Math.imul(h, 37) + up.charCodeAt(i)) >>> 0;
  return h;
}
