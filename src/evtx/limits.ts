/**
 * Caps on every count the EVTX reader takes from a file. A count above its cap is a
 * `count-over-limit` (or `depth-over-limit`) anomaly on the chunk or record concerned; the rest
 * of the file is still read. Together they bound time and memory per record: no record can make
 * the reader build more than {@link MAX_NODES_PER_RECORD} nodes, however its templates nest.
 *
 * Source: libyal EVTX format documentation (chunk and record sizes); the others are generous
 * bounds far above what Windows writes.
 */

/** Bytes of the file header block ("header block size"; Windows writes 4096). */
export const FILE_HEADER_SIZE = 4096;
/** Bytes of a chunk; fixed by the format. */
export const CHUNK_SIZE = 65536;
/** Bytes of a chunk header (up to the first record). */
export const CHUNK_HEADER_SIZE = 512;
/** Chunks read per file: 65535 × 64 KiB = 4 GiB, the largest log Windows lets you configure. */
export const MAX_CHUNKS = 65535;
/** Substitution values in one template instance. */
export const MAX_SUBSTITUTIONS = 4096;
/** Element nesting depth within one record, nested template instances included. */
export const MAX_ELEMENT_DEPTH = 64;
/** Template instances nested in one another (a BinXml value holding a template instance). */
export const MAX_TEMPLATE_DEPTH = 16;
/** Templates cached per chunk (a 64 KiB chunk cannot hold more than about 1,900). */
export const MAX_TEMPLATES_PER_CHUNK = 4096;
/** Elements, attributes and text nodes built for one record. */
export const MAX_NODES_PER_RECORD = 100000;
/** Anomalies kept per file; one more, `anomaly-limit-reached`, marks the cut. */
export const MAX_ANOMALIES = 1000;
