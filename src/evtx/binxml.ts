/**
 * BinXml, the binary XML of EVTX records: tokens, names from the chunk's string table, template
 * definitions (compiled once per chunk and cached) and template instances with their substitution
 * values. Every offset here is relative to the chunk; errors carry the file offset.
 *
 * The reader compiles a template definition into a small tree whose text and attribute values may
 * be substitution slots, then instantiates it with each record's values. A BinXml-typed value
 * (0x21) is a nested fragment, usually another template instance; it is decoded once per instance
 * however many slots refer to it, and every node it adds counts against
 * {@link MAX_NODES_PER_RECORD} each time it is referenced, so no record can expand exponentially.
 *
 * Source: [MS-EVEN6] section 3.1.4.7 (BinXml grammar) and libyal "Windows XML Event Log (EVTX)
 * format", sections "Binary XML", "Template definition", "Template instance", "Name".
 */
import type { ByteReader } from "../util/byte-reader.js";
import { EvtxError } from "./errors.js";
import {
  MAX_ELEMENT_DEPTH,
  MAX_NODES_PER_RECORD,
  MAX_SUBSTITUTIONS,
  MAX_TEMPLATE_DEPTH,
  MAX_TEMPLATES_PER_CHUNK,
} from "./limits.js";
import { renderArrayItems, renderValue, ValueType } from "./values.js";

/** An XML element of a rendered record. */
export interface EvtxElement {
  name: string;
  attributes: EvtxAttribute[];
  /** Text and child elements in document order. */
  children: EvtxContent[];
}

export interface EvtxAttribute {
  name: string;
  value: string;
}

export type EvtxContent = EvtxElement | string;

/** A record's `System/EventID` and `System/Provider` elements, read before the record is rendered. */
export interface EvtxSystemHead {
  eventId: EvtxElement | undefined;
  provider: EvtxElement | undefined;
}

/** BinXml token bytes ([MS-EVEN6] 3.1.4.7.1); `| 0x40` is the "more data" flag. */
export const Token = {
  EOF: 0x00,
  OPEN_START_ELEMENT: 0x01,
  CLOSE_START_ELEMENT: 0x02,
  CLOSE_EMPTY_ELEMENT: 0x03,
  END_ELEMENT: 0x04,
  VALUE: 0x05,
  ATTRIBUTE: 0x06,
  CDATA_SECTION: 0x07,
  CHAR_REF: 0x08,
  ENTITY_REF: 0x09,
  PI_TARGET: 0x0a,
  PI_DATA: 0x0b,
  TEMPLATE_INSTANCE: 0x0c,
  NORMAL_SUBSTITUTION: 0x0d,
  OPTIONAL_SUBSTITUTION: 0x0e,
  FRAGMENT_HEADER: 0x0f,
} as const;

/** A substitution slot in a compiled template. */
interface Slot {
  slot: number;
  type: number;
  optional: boolean;
}

/** One item of an array value, rendered in place of its slot in one copy of the element. */
interface ArrayItem {
  slot: number;
  text: string;
}

/** Already-instantiated content (a template instance inside a definition), with its node count. */
interface Literal {
  literal: EvtxContent[];
  size: number;
}

interface TemplateElement {
  name: string;
  attributes: { name: string; parts: TemplatePart[] }[];
  children: TemplatePart[];
}

type TemplatePart = string | Slot | Literal | TemplateElement;

/** A compiled template definition. */
interface Template {
  parts: TemplatePart[];
}

/** A substitution value of one instance: where it lies, and its rendering once computed. */
interface Value {
  type: number;
  offset: number;
  size: number;
  rendered?: Rendered;
}

/** A value's rendering: text, or nodes for a BinXml value, and how many nodes it adds. */
interface Rendered {
  text: string | null;
  nodes: EvtxContent[] | null;
  size: number;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * The BinXml reading state of one chunk: its reader, name and template caches, and the node
 * budget of the record being read.
 */
export class ChunkBinXml {
  readonly #r: ByteReader;
  readonly #base: number;
  readonly #names = new Map<number, string>();
  readonly #templates = new Map<number, Template | EvtxError>();
  readonly #compiling = new Set<number>();
  #nodes = 0;
  #recordBody = 0;
  /** The current record's fragments read so far, by range and depth: their parts, or the error. */
  readonly #fragments = new Map<string, TemplatePart[] | EvtxError>();

  /**
   * @param r - reader over the chunk's 64 KiB (or what the file holds of it).
   * @param base - file offset of the chunk, added to every error offset.
   */
  constructor(r: ByteReader, base: number) {
    this.#r = r;
    this.#base = base;
  }

  /**
   * Reads the BinXml of one record body, `[start, end)`, and returns its root element.
   * @throws EvtxError on any structural problem in the record (the caller records an anomaly).
   */
  readRecordBody(start: number, end: number): EvtxElement {
    this.#nodes = 0;
    this.#fragments.clear();
    this.#recordBody = start;
    const parts = this.#parseFragment(start, end, 0, 0);
    const content = this.#instantiate(parts, [], 0);
    const root = content.find((c): c is EvtxElement => typeof c !== "string");
    if (!root) throw this.#error("malformed", start, "record", "record BinXml holds no element");
    return root;
  }

  /**
   * The `System/EventID` and `System/Provider` elements of the record body `[start, end)`,
   * rendered exactly as {@link ChunkBinXml.readRecordBody} renders them, without rendering the
   * rest of the record: what a filter needs to drop a record before paying for it. Answered only
   * for the common layout, a body that is one template instance whose definition holds the root
   * element (`Event`), its `System` child and their `EventID` and `Provider` children as plain
   * elements, with no substitution or nested instance before them that could render another
   * element first; `undefined`
   * for any other layout and for any error (the caller then renders the record, which reports the
   * error as it always does). Either element is `undefined` when the rendered record has none.
   */
  readSystemHead(start: number, end: number): EvtxSystemHead | undefined {
    this.#nodes = 0;
    this.#fragments.clear();
    this.#recordBody = start;
    try {
      const r = this.#r;
      let p = start;
      while (p < end && (r.u8(p, "BinXml token") & 0xbf) === Token.FRAGMENT_HEADER) {
        r.require(p, 4, "fragment header");
        p += 4;
      }
      if (p >= end || (r.u8(p, "BinXml token") & 0xbf) !== Token.TEMPLATE_INSTANCE) return undefined;
      const { template, values } = this.#readInstance(p, end, 0);
      // The record's root is the first element the instance renders, whatever its name.
      const root = firstElement(template.parts);
      if (root === undefined) return undefined;
      const inRoot = firstElements(root.children, ["System"]);
      if (inRoot === undefined) return undefined;
      if (inRoot.System === undefined) return { eventId: undefined, provider: undefined };
      const inSystem = firstElements(inRoot.System.children, ["EventID", "Provider"]);
      if (inSystem === undefined) return undefined;
      // Depths as in the full rendering: Event at 0, System at 1, its children at 2.
      const render = (part: TemplateElement | undefined) =>
        part && (this.#instantiate([part], values, 1, 2)[0] as EvtxElement);
      return { eventId: render(inSystem.EventID), provider: render(inSystem.Provider) };
    } catch {
      return undefined;
    }
  }

  #error(code: EvtxError["code"], offset: number, structure: string, message: string): EvtxError {
    return new EvtxError(code, `${structure} at offset ${this.#base + offset}: ${message}`, {
      offset: this.#base + offset,
      structure,
    });
  }

  /** Adds `n` nodes to the record's budget. @throws EvtxError `count-over-limit` at the record body. */
  #count(n: number): void {
    this.#nodes += n;
    if (this.#nodes > MAX_NODES_PER_RECORD) {
      throw this.#error(
        "count-over-limit",
        this.#recordBody,
        "record",
        `more than ${MAX_NODES_PER_RECORD} nodes`,
      );
    }
  }

  /** A name structure (next-offset, hash, length, UTF-16 chars, NUL) at `offset`, cached. */
  #name(offset: number): string {
    let name = this.#names.get(offset);
    if (name === undefined) {
      const count = this.#r.u16(offset + 6, "name");
      name = this.#r.utf16(offset + 8, count * 2, "name");
      this.#names.set(offset, name);
    }
    return name;
  }

  /**
   * Reads a name reference at `p` (a 32-bit chunk offset); when the name is stored inline right
   * after the reference, skips it. Returns the name and the position after it.
   */
  #nameRef(p: number): [string, number] {
    const offset = this.#r.u32(p, "name reference");
    const name = this.#name(offset);
    p += 4;
    if (offset === p) p += 10 + this.#r.u16(offset + 6, "name") * 2;
    return [name, p];
  }

  /**
   * Parses a fragment that is not a template definition, `[p, end)`: a record body or a BinXml
   * substitution value. Its elements are written without the dependency identifier template
   * definitions carry (CAPI2's UserData values, for one); a fragment that cannot be read so is
   * read again with it, the layout of every element written by a template.
   */
  #parseFragment(p: number, end: number, depth: number, templateDepth: number): TemplatePart[] {
    // Each fragment is read at most once per layout in a record. A fragment nested in
    // substitution values is asked for again by every level above it that reads itself a second
    // time; without this, a record of nested templates whose innermost fragment never parses cost
    // 2^depth readings (35 s of CPU for one 68 KB record).
    const key = `${p}:${end}:${depth}:${templateDepth}`;
    const known = this.#fragments.get(key);
    if (known instanceof EvtxError) throw known;
    if (known !== undefined) return known;
    try {
      const parts = this.#readFragment(p, end, depth, templateDepth);
      this.#fragments.set(key, parts);
      return parts;
    } catch (e) {
      if (e instanceof EvtxError) this.#fragments.set(key, e);
      throw e;
    }
  }

  /** {@link ChunkBinXml.#parseFragment}'s two readings: without dependency identifiers, then with. */
  #readFragment(p: number, end: number, depth: number, templateDepth: number): TemplatePart[] {
    try {
      return this.#parseContent(p, end, depth, templateDepth, false, false).parts;
    } catch (e) {
      if (!(e instanceof EvtxError) || e.code === "count-over-limit" || e.code === "depth-over-limit")
        throw e;
      return this.#parseContent(p, end, depth, templateDepth, false, true).parts;
    }
  }

  /**
   * Parses content tokens from `p` until an end-element (when `inElement`), an EOF token or
   * `end`. Returns the parts and the position after the last token consumed. `dependencyIds`:
   * whether an element's open-start token carries a dependency identifier (template definitions).
   */
  #parseContent(
    p: number,
    end: number,
    depth: number,
    templateDepth: number,
    inElement: boolean,
    dependencyIds = true,
  ): { parts: TemplatePart[]; p: number } {
    const r = this.#r;
    const parts: TemplatePart[] = [];
    while (p < end) {
      const token = r.u8(p, "BinXml token");
      switch (token & 0xbf) {
        case Token.EOF:
          if (inElement)
            throw this.#error("bad-token", p, "BinXml token", "end of fragment inside an element");
          return { parts, p: p + 1 };
        case Token.END_ELEMENT:
          if (!inElement) throw this.#error("bad-token", p, "BinXml token", "end element outside an element");
          return { parts, p: p + 1 };
        case Token.FRAGMENT_HEADER:
          r.require(p, 4, "fragment header");
          p += 4;
          break;
        case Token.OPEN_START_ELEMENT: {
          if (depth >= MAX_ELEMENT_DEPTH) {
            throw this.#error(
              "depth-over-limit",
              p,
              "element",
              `elements nest deeper than ${MAX_ELEMENT_DEPTH}`,
            );
          }
          const [element, next] = this.#parseElement(p, end, depth + 1, templateDepth, dependencyIds);
          parts.push(element);
          p = next;
          break;
        }
        case Token.TEMPLATE_INSTANCE: {
          const [literal, next] = this.#parseTemplateInstance(p, end, depth, templateDepth);
          parts.push(literal);
          p = next;
          break;
        }
        case Token.PI_TARGET:
          p = this.#nameRef(p + 1)[1];
          break;
        case Token.PI_DATA:
          p += 3 + r.u16(p + 1, "PI data") * 2;
          break;
        default: {
          const [part, next] = this.#parseValuePart(p);
          parts.push(part);
          p = next;
        }
      }
    }
    if (inElement)
      throw this.#error("truncated", p, "element", "element not closed before the end of its data");
    return { parts, p };
  }

  /** A value, CDATA, character or entity reference, or substitution token at `p`. */
  #parseValuePart(p: number): [string | Slot, number] {
    const r = this.#r;
    const token = r.u8(p, "BinXml token");
    switch (token & 0xbf) {
      case Token.VALUE: {
        const type = r.u8(p + 1, "value text");
        if (type !== ValueType.STRING) {
          throw this.#error("bad-token", p, "value text", `value text of type 0x${type.toString(16)}`);
        }
        const count = r.u16(p + 2, "value text");
        return [r.utf16(p + 4, count * 2, "value text"), p + 4 + count * 2];
      }
      case Token.CDATA_SECTION: {
        const count = r.u16(p + 1, "CDATA section");
        return [r.utf16(p + 3, count * 2, "CDATA section"), p + 3 + count * 2];
      }
      case Token.CHAR_REF:
        return [String.fromCharCode(r.u16(p + 1, "character reference")), p + 3];
      case Token.ENTITY_REF: {
        const [name, next] = this.#nameRef(p + 1);
        return [ENTITIES[name] ?? `&${name};`, next];
      }
      case Token.NORMAL_SUBSTITUTION:
      case Token.OPTIONAL_SUBSTITUTION: {
        const slot = r.u16(p + 1, "substitution");
        const type = r.u8(p + 3, "substitution");
        return [{ slot, type, optional: (token & 0xbf) === Token.OPTIONAL_SUBSTITUTION }, p + 4];
      }
      default:
        throw this.#error("bad-token", p, "BinXml token", `unexpected token 0x${token.toString(16)}`);
    }
  }

  /** An element from its open-start token at `p` to its close-empty or end-element token. */
  #parseElement(
    p: number,
    end: number,
    depth: number,
    templateDepth: number,
    dependencyIds: boolean,
  ): [TemplateElement, number] {
    const r = this.#r;
    const s = "element";
    const token = r.u8(p, s);
    // Dependency identifier (u16, when present) and data size (u32) are not needed to read it.
    const [name, afterName] = this.#nameRef(p + (dependencyIds ? 7 : 5));
    p = afterName;
    if (token & 0x40) p += 4; // attribute list size
    const element: TemplateElement = { name, attributes: [], children: [] };
    for (;;) {
      const t = r.u8(p, s);
      if ((t & 0xbf) !== Token.ATTRIBUTE) break;
      const [attributeName, afterAttributeName] = this.#nameRef(p + 1);
      p = afterAttributeName;
      const parts: TemplatePart[] = [];
      while (p < end && isValuePart(r.u8(p, "attribute value"))) {
        const [part, next] = this.#parseValuePart(p);
        parts.push(part);
        p = next;
      }
      element.attributes.push({ name: attributeName, parts });
    }
    const close = r.u8(p, s);
    if (close === Token.CLOSE_EMPTY_ELEMENT) return [element, p + 1];
    if (close !== Token.CLOSE_START_ELEMENT) {
      throw this.#error("bad-token", p, s, `expected close of start element, found 0x${close.toString(16)}`);
    }
    const content = this.#parseContent(p + 1, end, depth, templateDepth, true, dependencyIds);
    element.children = content.parts;
    return [element, content.p];
  }

  /**
   * A template instance at `p`: the definition (inline the first time the chunk uses it, else a
   * reference), then the substitution descriptors and values. Returns the instantiated content.
   */
  #parseTemplateInstance(p: number, end: number, depth: number, templateDepth: number): [Literal, number] {
    const { template, values, next } = this.#readInstance(p, end, templateDepth);
    const before = this.#nodes;
    const literal = this.#instantiate(template.parts, values, templateDepth + 1, depth);
    // Counted again wherever the literal is placed.
    const size = this.#nodes - before;
    this.#nodes = before;
    return [{ literal, size }, next];
  }

  /**
   * The template and the substitution values (located, not rendered) of the template instance at
   * `p`, and the position after its values.
   */
  #readInstance(
    p: number,
    end: number,
    templateDepth: number,
  ): { template: Template; values: Value[]; next: number } {
    const r = this.#r;
    const s = "template instance";
    if (templateDepth >= MAX_TEMPLATE_DEPTH) {
      throw this.#error(
        "depth-over-limit",
        p,
        s,
        `template instances nest deeper than ${MAX_TEMPLATE_DEPTH}`,
      );
    }
    const definitionOffset = r.u32(p + 6, s);
    let q = p + 10;
    if (definitionOffset === q) q += 24 + r.u32(q + 20, "template definition");
    const template = this.#template(definitionOffset, templateDepth + 1);
    const count = r.u32(q, s);
    if (count > MAX_SUBSTITUTIONS) {
      throw this.#error("count-over-limit", q, s, `${count} substitutions (cap ${MAX_SUBSTITUTIONS})`);
    }
    r.require(q + 4, count * 4, "substitution descriptors");
    const values: Value[] = new Array<Value>(count);
    let v = q + 4 + count * 4;
    for (let i = 0; i < count; i++) {
      const size = r.u16(q + 4 + i * 4, "substitution descriptor");
      const type = r.u8(q + 6 + i * 4, "substitution descriptor");
      values[i] = { type, offset: v, size };
      v += size;
    }
    if (v > end) throw this.#error("truncated", q, s, "substitution values run past the end of their data");
    return { template, values, next: v };
  }

  /** The compiled template whose definition is at `offset`, from the chunk's cache. */
  #template(offset: number, templateDepth: number): Template {
    const cached = this.#templates.get(offset);
    if (cached instanceof EvtxError) throw cached;
    if (cached) return cached;
    if (this.#compiling.has(offset)) {
      throw this.#error("cycle", offset, "template definition", "the template instantiates itself");
    }
    if (this.#templates.size >= MAX_TEMPLATES_PER_CHUNK) {
      throw this.#error(
        "count-over-limit",
        offset,
        "template definition",
        `more than ${MAX_TEMPLATES_PER_CHUNK} templates`,
      );
    }
    this.#compiling.add(offset);
    const nodesBefore = this.#nodes;
    try {
      const size = this.#r.u32(offset + 20, "template definition");
      this.#r.require(offset + 24, size, "template definition");
      const { parts } = this.#parseContent(offset + 24, offset + 24 + size, 0, templateDepth, false);
      const template: Template = { parts };
      this.#templates.set(offset, template);
      return template;
    } catch (e) {
      // A definition that cannot be read fails every record using it in this chunk, once each.
      if (e instanceof EvtxError && e.code !== "count-over-limit") this.#templates.set(offset, e);
      throw e;
    } finally {
      this.#compiling.delete(offset);
      this.#nodes = nodesBefore;
    }
  }

  /**
   * Builds the content of `parts` with the substitution `values` of one instance. `item`, when
   * given, is the text its slot renders instead of its whole array value (see {@link #element}).
   */
  #instantiate(
    parts: TemplatePart[],
    values: Value[],
    templateDepth: number,
    depth = 0,
    item?: ArrayItem,
  ): EvtxContent[] {
    const out: EvtxContent[] = [];
    for (const part of parts) {
      if (typeof part === "string") {
        this.#count(1);
        out.push(part);
      } else if ("slot" in part) {
        if (item !== undefined && part.slot === item.slot) {
          this.#count(1);
          if (item.text !== "") out.push(item.text);
          continue;
        }
        const rendered = this.#value(values, part, templateDepth, depth);
        if (rendered === null) continue;
        this.#count(rendered.size);
        if (rendered.nodes) out.push(...rendered.nodes);
        else if (rendered.text !== null) out.push(rendered.text);
      } else if ("literal" in part) {
        this.#count(part.size);
        out.push(...part.literal);
      } else {
        this.#element(part, values, templateDepth, depth, out);
      }
    }
    return out;
  }

  /**
   * Renders one template element into `out`, as [MS-EVEN6] 3.1.4.7 asks of its content's
   * substitutions: an element whose content holds an optional substitution of a NULL value is
   * omitted (3.1.4.7.2); an element whose content holds an array value is repeated once per item
   * of the array, each copy holding one item (3.1.4.7.5), so a classic event's string array
   * becomes one `<Data>` per string, as Windows renders it.
   */
  #element(
    part: TemplateElement,
    values: Value[],
    templateDepth: number,
    depth: number,
    out: EvtxContent[],
  ): void {
    let arraySlot: Slot | undefined;
    for (const c of part.children) {
      if (typeof c === "string" || !("slot" in c)) continue;
      const value = values[c.slot];
      if (c.optional && (value === undefined || value.type === ValueType.NULL)) return;
      if (arraySlot === undefined && value !== undefined && isArray(value)) arraySlot = c;
    }
    const items = arraySlot ? this.#arrayItems(values[arraySlot.slot]!) : [undefined];
    for (const text of items) {
      this.#count(1 + part.attributes.length);
      const element: EvtxElement = { name: part.name, attributes: [], children: [] };
      for (const attribute of part.attributes) {
        let value = "";
        let present = attribute.parts.length === 0;
        for (const ap of attribute.parts) {
          if (typeof ap === "string") {
            value += ap;
            present = true;
          } else if ("slot" in ap) {
            const rendered = this.#value(values, ap, templateDepth, depth);
            if (rendered === null) continue;
            present = true;
            value += rendered.text ?? textOf(rendered.nodes ?? []);
          }
        }
        if (present) element.attributes.push({ name: attribute.name, value });
      }
      const item = arraySlot && text !== undefined ? { slot: arraySlot.slot, text } : undefined;
      element.children = this.#instantiate(part.children, values, templateDepth, depth + 1, item);
      out.push(element);
    }
  }

  /** The items of an array value, rendered; one empty item for an empty array (one empty copy). */
  #arrayItems(value: Value): (string | undefined)[] {
    const items = renderArrayItems(this.#r, value.type, value.offset, value.size, this.#base);
    return items.length > 0 ? items : [undefined];
  }

  /** The rendering of a slot's value (null when absent, NULL or empty), computed once per instance. */
  #value(values: Value[], slot: Slot, templateDepth: number, depth: number): Rendered | null {
    const value = values[slot.slot];
    if (value === undefined) return null;
    if (value.rendered === undefined) {
      if (value.type === ValueType.BINXML && value.size > 0) {
        const before = this.#nodes;
        const parts = this.#parseFragment(value.offset, value.offset + value.size, depth, templateDepth);
        const nodes = this.#instantiate(parts, [], templateDepth, depth);
        value.rendered = { text: null, nodes, size: this.#nodes - before };
        this.#nodes = before;
      } else {
        const text = renderValue(this.#r, value.type, value.offset, value.size, this.#base);
        value.rendered = { text, nodes: null, size: 1 };
      }
    }
    if (value.rendered.text === null && value.rendered.nodes === null) return null;
    return value.rendered;
  }
}

/** The first element of `parts`, when nothing before it could render one; else `undefined`. */
function firstElement(parts: TemplatePart[]): TemplateElement | undefined {
  for (const part of parts) {
    if (typeof part === "string") continue;
    return "slot" in part || "literal" in part ? undefined : part;
  }
  return undefined;
}

/**
 * The first element of `parts` with each of `names`, as the rendered content would have them
 * first; `undefined` when a substitution or nested instance (which may render elements) comes
 * before every name is found, since the rendered first element of a name could then come from it.
 * A name with no element (and nothing that could render one) is absent from the answer.
 */
function firstElements<N extends string>(
  parts: TemplatePart[],
  names: readonly N[],
): Partial<Record<N, TemplateElement>> | undefined {
  const found: Partial<Record<N, TemplateElement>> = {};
  let missing = names.length;
  for (const part of parts) {
    if (missing === 0) break;
    if (typeof part === "string") continue;
    if ("slot" in part || "literal" in part) return undefined;
    const name = part.name as N;
    if (names.includes(name) && found[name] === undefined) {
      found[name] = part;
      missing--;
    }
  }
  return found;
}

/** True for an array value that has items to repeat its element by ([MS-EVEN6] 3.1.4.7.5). */
function isArray(value: Value): boolean {
  return (value.type & ValueType.ARRAY) !== 0 && value.size > 0;
}

function isValuePart(token: number): boolean {
  const t = token & 0xbf;
  return (
    t === Token.VALUE ||
    t === Token.NORMAL_SUBSTITUTION ||
    t === Token.OPTIONAL_SUBSTITUTION ||
    t === Token.CHAR_REF ||
    t === Token.ENTITY_REF ||
    t === Token.CDATA_SECTION
  );
}

/** The concatenated text of content (for a BinXml value used as an attribute). */
export function textOf(content: EvtxContent[]): string {
  let out = "";
  for (const c of content) out += typeof c === "string" ? c : textOf(c.children);
  return out;
}
