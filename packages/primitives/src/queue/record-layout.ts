/**
 * How an item sits in a queue's shared memory.
 *
 * The order of the items is an index of int32 **entries**. An entry is either the arena offset of the
 * item's record (a multiple of 8, so even) or, for an integer in [-2^30, 2^30) other than -0, the
 * integer itself, tagged odd: `(n << 1) | 1`. Such numbers (ids, counters, indices: most numbers sent
 * between threads) take no arena bytes, and putting or getting one is a single index write or read.
 *
 * A **record** is a 4-byte payload length (little-endian), a 1-byte `ItemTag`, 3 unused bytes, then
 * the payload, padded to a multiple of 8 so that the next record (and a float64 payload) is aligned.
 */
export const RECORD_HEADER = 8;

/** Bytes a record with `payloadLength` bytes of payload takes, padding included. */
export function recordSize(payloadLength: number): number {
  return (RECORD_HEADER + payloadLength + 7) & ~7;
}

const INLINE_LIMIT = 0x4000_0000;

/** Whether `value` can be an entry by itself (see above). */
export function isInlineNumber(value: number): boolean {
  return (value | 0) === value && value >= -INLINE_LIMIT && value < INLINE_LIMIT && (value !== 0 || 1 / value > 0);
}

/** The entry of a number for which {@link isInlineNumber} holds. */
export function inlineEntry(value: number): number {
  return (value << 1) | 1;
}

export function isInline(entry: number): boolean {
  return (entry & 1) !== 0;
}

/** The number an inline entry holds. */
export function inlineValue(entry: number): number {
  return entry >> 1;
}

/**
 * Records up to this many bytes are copied between the arena and a thread's own buffers word by
 * word: on Node 20 a view of a growable `SharedArrayBuffer` costs about 100 ns to make, so
 * `subarray` + `set` loses to a short loop there.
 */
export const WORD_COPY_BYTES = 256;

/** Copies `bytes` bytes (a multiple of 4) from `source[from / 4]` to `target[to / 4]`. */
export function copyWords(source: Int32Array, from: number, target: Int32Array, to: number, bytes: number): void {
  const s = from >> 2;
  const t = to >> 2;
  for (let i = 0, n = bytes >> 2; i < n; i++) target[t + i] = source[s + i]!;
}
