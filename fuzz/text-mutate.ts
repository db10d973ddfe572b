/**
 * Field-aware mutations for the text formats (.reg, MAPISVC.INF, event-log XML): work on lines
 * and a per-format dictionary of tokens (section headers, value types, entities, tags), keeping
 * the input's encoding (UTF-16LE with BOM, or single-byte) so the mutation reaches the grammar.
 */
import type { Rng } from "./mutate.js";

function decode(b: Uint8Array): { text: string; utf16: boolean } {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe)
    return { text: Buffer.from(b.subarray(2, b.length & ~1)).toString("utf16le"), utf16: true };
  return { text: Buffer.from(b).toString("latin1"), utf16: false };
}

function encode(text: string, utf16: boolean): Uint8Array {
  if (!utf16) return new Uint8Array(Buffer.from(text, "latin1"));
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
}

/** One to three line/token edits of `bytes` using `dictionary`. */
export function mutateText(bytes: Uint8Array, rng: Rng, dictionary: readonly string[]): Uint8Array {
  const { text, utf16 } = decode(bytes);
  const lines = text.split("\n");
  for (let n = 1 + rng.below(3); n > 0; n--) {
    const i = rng.below(lines.length);
    const line = lines[i] ?? "";
    switch (rng.below(7)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(rng.below(lines.length + 1), 0, line);
        break;
      case 2: {
        const at = rng.below(line.length + 1);
        lines[i] = line.slice(0, at) + rng.pick(dictionary) + line.slice(at);
        break;
      }
      case 3:
        lines.splice(rng.below(lines.length + 1), 0, rng.pick(dictionary));
        break;
      case 4:
        lines[i] = line.slice(0, rng.below(line.length + 1));
        break;
      case 5: {
        // A long run: a token repeated (long names, deep brackets, many continuations).
        const token = rng.pick(dictionary);
        lines[i] = line + token.repeat(1 + rng.below(rng.chance(0.9) ? 64 : 20000));
        break;
      }
      default: {
        // Swap two lines (a value before its key, a section's entries elsewhere).
        const j = rng.below(lines.length);
        [lines[i], lines[j]] = [lines[j] ?? "", line];
      }
    }
  }
  return encode(lines.join(rng.chance(0.9) ? "\n" : "\r\n"), utf16);
}

/** `bytes` as UTF-16LE with a BOM (a seed variant for formats that accept both). */
export function asUtf16(bytes: Uint8Array): Uint8Array {
  return encode(Buffer.from(bytes).toString("latin1"), true);
}
