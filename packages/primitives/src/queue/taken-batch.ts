import { decodeItemAt, ItemTag } from './item-codec.js';
import { copyWords, inlineValue, isInline, RECORD_HEADER, WORD_COPY_BYTES } from './record-layout.js';
import type { TakenRecord } from './record-store.js';

/**
 * Items taken from a FIFO or LIFO queue under its lock, to be rebuilt once the lock is released: their
 * entries, and their records copied out of the arena into a private scratch buffer, a run of adjacent
 * records (the usual case: items put together lie together) in one copy. Rebuilding reads straight
 * from the scratch, so taking an item costs no allocation of its own beyond the item itself.
 *
 * Pooled per thread like `EncodedBatch`: an async `get` holds its batch across the hop back from the
 * lock, and another call of the same thread meanwhile takes another one.
 */
export class TakenBatch {
  count = 0;
  /** Per item: its inline entry (odd), or its record's offset in `bytes` (a multiple of 8). */
  entries: Int32Array = new Int32Array(16);
  bytes: Uint8Array = new Uint8Array(1024);
  /** Scratch bytes in use; records start at multiples of 8. */
  used = 0;
  #view = new DataView(this.bytes.buffer);
  #floats = new Float64Array(this.bytes.buffer);
  #words = new Int32Array(this.bytes.buffer);

  /** Makes room for `n` more entries. */
  reserveEntries(n: number): void {
    if (this.count + n <= this.entries.length) return;
    const entries = new Int32Array(Math.max(2 * this.entries.length, this.count + n));
    entries.set(this.entries.subarray(0, this.count));
    this.entries = entries;
  }

  /**
   * Copies `source[from, to)` (whole records, `from` a multiple of 8) to the scratch; returns where
   * they start there. `words` is an Int32Array of the same memory as `source`.
   */
  copyRun(source: Uint8Array, words: Int32Array, from: number, to: number): number {
    const at = this.used;
    const end = at + (to - from);
    if (end > this.bytes.length) this.#grow(end);
    if (to - from <= WORD_COPY_BYTES) copyWords(words, from, this.#words, at, to - from);
    else this.bytes.set(source.subarray(from, to), at);
    this.used = end;
    return at;
  }

  /**
   * Rebuilds item `i`.
   * @throws ItemDecodeError when this thread cannot rebuild it.
   */
  item(i: number): unknown {
    const entry = this.entries[i]!;
    if (isInline(entry)) return inlineValue(entry);
    const tag = this.bytes[entry + 4] as ItemTag;
    const start = entry + RECORD_HEADER;
    if (tag === ItemTag.Number) return this.#floats[start >> 3];
    const end = start + this.#view.getUint32(entry, true);
    // A byte array comes out with memory of its own, as it did when copied out of the arena.
    if (tag === ItemTag.Bytes) return this.bytes.slice(start, end);
    return decodeItemAt(tag, this.bytes, this.#view, start, end);
  }

  /** Item `i` as a record, to put it back into the queue. */
  record(i: number): TakenRecord {
    const entry = this.entries[i]!;
    if (isInline(entry)) return { tag: ItemTag.Number, payload: undefined, number: inlineValue(entry), decoded: false, item: undefined };
    const tag = this.bytes[entry + 4] as ItemTag;
    const start = entry + RECORD_HEADER;
    if (tag === ItemTag.Number) return { tag, payload: undefined, number: this.#floats[start >> 3]!, decoded: false, item: undefined };
    const end = start + this.#view.getUint32(entry, true);
    return { tag, payload: this.bytes.subarray(start, end), number: 0, decoded: false, item: undefined };
  }

  clear(): void {
    this.count = 0;
    this.used = 0;
  }

  #grow(needed: number): void {
    const bytes = new Uint8Array(Math.max(2 * this.bytes.length, needed));
    bytes.set(this.bytes.subarray(0, this.used));
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer);
    this.#floats = new Float64Array(bytes.buffer);
    this.#words = new Int32Array(bytes.buffer);
  }
}

const POOLED_BYTES = 1 << 20;
const POOLED_BATCHES = 4;
const pool: TakenBatch[] = [];

/** An empty batch of this thread's. Give it back with {@link releaseTakenBatch} once its items are rebuilt. */
export function takeTakenBatch(): TakenBatch {
  return pool.pop() ?? new TakenBatch();
}

export function releaseTakenBatch(batch: TakenBatch): void {
  batch.clear();
  if (pool.length < POOLED_BATCHES && batch.bytes.length <= POOLED_BYTES && batch.entries.length <= POOLED_BYTES / 8) pool.push(batch);
}
