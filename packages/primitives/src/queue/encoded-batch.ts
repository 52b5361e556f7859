import { Encoder } from './codec/encoder.js';
import { Writer } from './codec/writer.js';
import { ItemTag, writeItem } from './item-codec.js';
import { inlineEntry, isInlineNumber, RECORD_HEADER, recordSize } from './record-layout.js';

/**
 * Items encoded for a put, before the queue's lock is taken: their records laid out back to back in
 * one private block exactly as they will lie in the arena (see record-layout.ts), so that under the
 * lock a run of them goes in with one copy and one index write each. Numbers that fit an entry have
 * no record. Items are encoded by `writeItem` straight into their place (no copy, no object per item),
 * accepting and refusing what `encodeItem` does.
 *
 * Batches are pooled per thread ({@link takeEncodedBatch}): a `put` allocates nothing for a number,
 * and a getter that puts while its item is being encoded gets a batch of its own.
 */
export class EncodedBatch {
  count = 0;
  /** How many of the items, from the first, a put has put so far. */
  done = 0;
  /** Per item: its inline entry (odd), or its record's offset in `block` (a multiple of 8). */
  entries: Int32Array = new Int32Array(16);
  /** `cursors[i]`: bytes of `block` before item `i`'s record; `cursors[count]`: the bytes in use. */
  cursors: Int32Array = new Int32Array(17);
  // The encoder writes each item straight into its record's place in the block.
  readonly #writer = new Writer({ block: true, bytes: 256 });
  readonly #encoder = new Encoder(this.#writer);

  #words: Int32Array = new Int32Array(0);
  #wordsOf: Uint8Array | undefined;

  /** The records, back to back. */
  get block(): Uint8Array {
    return this.#writer.bytes;
  }

  /** The block as words (made again when the block has grown). */
  get words(): Int32Array {
    const block = this.#writer.bytes;
    if (this.#wordsOf !== block) {
      this.#words = new Int32Array(block.buffer);
      this.#wordsOf = block;
    }
    return this.#words;
  }

  /**
   * Encodes one more item.
   * @throws TypeError for an item that cannot be queued (as `put` throws it); the batch is unchanged.
   */
  add(item: unknown): void {
    const i = this.count;
    if (i + 1 >= this.entries.length) this.#growEntries();
    const at = this.cursors[i]!;
    if (typeof item === 'number' && isInlineNumber(item)) {
      this.entries[i] = inlineEntry(item);
      this.cursors[i + 1] = at;
      this.count = i + 1;
      return;
    }
    const writer = this.#writer;
    const start = at + RECORD_HEADER;
    writer.start = writer.position = start;
    let tag: ItemTag;
    if (typeof item === 'number') {
      writer.reserve(8);
      writer.view.setFloat64(start, item, true);
      writer.position = start + 8;
      tag = ItemTag.Number;
    } else {
      tag = writeItem(this.#encoder, writer, item);
    }
    const length = writer.position - start;
    writer.view.setUint32(at, length, true);
    writer.bytes[at + 4] = tag;
    this.entries[i] = at;
    this.cursors[i + 1] = at + recordSize(length);
    this.count = i + 1;
  }

  clear(): void {
    this.count = 0;
    this.done = 0;
  }

  #growEntries(): void {
    const entries = new Int32Array(2 * this.entries.length);
    entries.set(this.entries);
    this.entries = entries;
    const cursors = new Int32Array(entries.length + 1);
    cursors.set(this.cursors);
    this.cursors = cursors;
  }
}

/** A batch kept for reuse holds at most this much memory; a larger one is left to the collector. */
const POOLED_BYTES = 1 << 20;
const POOLED_BATCHES = 4;
const pool: EncodedBatch[] = [];

/** An empty batch of this thread's. Give it back with {@link releaseEncodedBatch} once its items are in. */
export function takeEncodedBatch(): EncodedBatch {
  return pool.pop() ?? new EncodedBatch();
}

export function releaseEncodedBatch(batch: EncodedBatch): void {
  batch.clear();
  if (pool.length < POOLED_BATCHES && batch.block.length <= POOLED_BYTES && batch.entries.length <= POOLED_BYTES / 8) pool.push(batch);
}
