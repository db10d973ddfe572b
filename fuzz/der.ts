/**
 * A tiny DER tree codec for structure-aware PKCS#7 mutations: decode to nodes (tag, content,
 * children for constructed ones), change the tree, encode back with correct definite lengths so
 * the mutation reaches the parser behind the framing. Decoding is best-effort: whatever does
 * not frame stays one opaque primitive node.
 *
 * Source: ITU-T X.690 §8.1 (identifier and length octets).
 */

export interface DerNode {
  /** Identifier octets, as read. */
  tag: Uint8Array;
  /** Content octets of a primitive (or an unparsable constructed) node. */
  content: Uint8Array;
  /** Children of a constructed node that framed cleanly. */
  children?: DerNode[];
  /** Length octets to write instead of the true ones (a lying length; the parent stays right). */
  rawLength?: number[];
}

const MAX_DEPTH = 40;

function parseOne(b: Uint8Array, at: number, depth: number): { node: DerNode; next: number } | undefined {
  if (at >= b.length) return undefined;
  let p = at + 1;
  if ((b[at]! & 0x1f) === 0x1f) {
    while (p < b.length && b[p]! & 0x80) p++;
    p++;
  }
  if (p >= b.length) return undefined;
  const tag = b.subarray(at, p);
  let len = b[p++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > b.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
  }
  if (p + len > b.length) return undefined;
  const content = b.subarray(p, p + len);
  const node: DerNode = { tag, content };
  if (tag[0]! & 0x20 && depth < MAX_DEPTH) {
    const children = parseAll(content, depth + 1);
    if (children) node.children = children;
  }
  return { node, next: p + len };
}

function parseAll(b: Uint8Array, depth: number): DerNode[] | undefined {
  const out: DerNode[] = [];
  for (let at = 0; at < b.length;) {
    const r = parseOne(b, at, depth);
    if (!r) return undefined;
    out.push(r.node);
    at = r.next;
  }
  return out;
}

/** The top-level nodes of `b`, or undefined when `b` does not frame as DER. */
export function decodeDer(b: Uint8Array): DerNode[] | undefined {
  return parseAll(b, 0);
}

function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** Encodes nodes back to DER with definite lengths computed from their (new) contents. */
export function encodeDer(nodes: readonly DerNode[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const emit = (n: DerNode) => {
    const content = n.children ? encodeDer(n.children) : n.content;
    parts.push(n.tag, Uint8Array.from(n.rawLength ?? lengthOctets(content.length)), content);
  };
  nodes.forEach(emit);
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every node of the forest with its parent's child list and index (for edits in place). */
export function allNodes(nodes: DerNode[]): Array<{ node: DerNode; siblings: DerNode[]; index: number }> {
  const out: Array<{ node: DerNode; siblings: DerNode[]; index: number }> = [];
  const visit = (list: DerNode[]) =>
    list.forEach((node, index) => {
      out.push({ node, siblings: list, index });
      if (node.children) visit(node.children);
    });
  visit(nodes);
  return out;
}

/** A deep copy of `node` (its byte arrays are shared: mutations replace them, never write them). */
export function cloneNode(node: DerNode): DerNode {
  return {
    tag: node.tag,
    content: node.content,
    ...(node.children ? { children: node.children.map(cloneNode) } : {}),
    ...(node.rawLength ? { rawLength: [...node.rawLength] } : {}),
  };
}
