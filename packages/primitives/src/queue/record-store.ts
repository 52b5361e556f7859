import type { EncodedBatch } from './encoded-batch.js';
import { decodeItem, ItemTag } from './item-codec.js';
import { copyWords, inlineEntry, inlineValue, isInline, isInlineNumber, RECORD_HEADER, recordSize, WORD_COPY_BYTES } from './record-layout.js';
import { whileComparing } from './reentry-guard.js';
import type { TakenBatch } from './taken-batch.js';

/**
 * The items of a queue, in shared memory every thread can reach. Records live in an arena (a growable
 * `SharedArrayBuffer`, bump-allocated, compacted or grown when full, reset whenever the queue empties);
 * the order lives in an index of entries (another growable buffer; an entry is a record's offset or a
 * small integer itself, see record-layout.ts) kept as a ring (FIFO), a stack (LIFO) or a binary heap
 * (priority). Every method runs under the queue's lock.
 */
export const enum Order {
  Fifo = 0,
  Lifo = 1,
  Priority = 2,
}

/** Control cells the store owns inside the queue's control block, from `base`. */
export const STORE_CELLS = 5;
const COUNT = 0;
const HEAD = 1;
const INDEX_CAPACITY = 2;
const ARENA_USED = 3;
const ARENA_LIVE = 4;

const INITIAL_INDEX_ENTRIES = 64;
const INITIAL_ARENA_BYTES = 16 * 1024;
/** Address space reserved (not committed) per queue; grows on demand up to it. */
export const DEFAULT_MAX_ARENA_BYTES = 256 * 1024 * 1024;
/** The most items a queue holds at once (its index's largest size, 64 MiB of entries). */
export const MAX_INDEX_ENTRIES = 16 * 1024 * 1024;
/**
 * The largest `maxBytes`: record offsets are 32-bit signed cells, so the arena stays under 2 GiB
 * (a 64 KiB margin keeps every offset and size a positive int32).
 */
export const MAX_ARENA_BYTES = 2 ** 31 - 64 * 1024;

/**
 * A queue's storage at its limit (items or bytes). A `RangeError`, as documented; its own class so
 * that the queue can tell it from what a `PriorityQueue`'s comparator throws, and name the method
 * and the items put before it.
 */
export class StorageLimitError extends RangeError {}

export interface StoreBuffers {
  readonly index: SharedArrayBuffer;
  readonly arena: SharedArrayBuffer;
}

export function allocateStoreBuffers(maxArenaBytes: number): StoreBuffers {
  return {
    index: new SharedArrayBuffer(INITIAL_INDEX_ENTRIES * 4, { maxByteLength: MAX_INDEX_ENTRIES * 4 }),
    arena: new SharedArrayBuffer(INITIAL_ARENA_BYTES, { maxByteLength: Math.max(INITIAL_ARENA_BYTES, maxArenaBytes) }),
  };
}

/**
 * What is wrong with the buffers of a handle given to `from`, if anything: a queue's are growable,
 * its index reserved to the largest size, and at least as large as its control cells say (the
 * index's capacity, the arena's bytes in use). A handle put together from another queue's parts
 * would otherwise read records that are not there, and drop the real queue's items as undecodable.
 */
export function storeBuffersProblem(control: Int32Array, base: number, buffers: StoreBuffers): string | undefined {
  const { index, arena } = buffers;
  // (`growable` is undefined where a runtime has no growable buffers: nothing to compare there.)
  if (index.growable === false || arena.growable === false || (index.growable && index.maxByteLength !== MAX_INDEX_ENTRIES * 4)) {
    return 'its index and arena are not the growable buffers a queue makes';
  }
  if (index.byteLength < Atomics.load(control, base + INDEX_CAPACITY) * 4) return 'its index is smaller than its control block says';
  if (arena.byteLength < Atomics.load(control, base + ARENA_USED)) return 'its arena is smaller than its control block says';
  return undefined;
}

export function initStoreCells(control: Int32Array, base: number): void {
  control[base + INDEX_CAPACITY] = INITIAL_INDEX_ENTRIES;
}

/**
 * A record copied out of the arena. A FIFO or LIFO record is decoded once the lock is released (and
 * put back with {@link RecordStore.restore} if it cannot be); a priority record is decoded under the
 * lock, before it leaves the heap, since putting it back would need the comparator to read it.
 */
export interface TakenRecord {
  readonly tag: ItemTag;
  readonly payload: Uint8Array | undefined;
  readonly number: number;
  readonly decoded: boolean;
  readonly item: unknown;
}

export type RecordComparator = (a: unknown, b: unknown) => number;

export class RecordStore {
  readonly #control: Int32Array;
  readonly #base: number;
  readonly #order: Order;
  readonly #buffers: StoreBuffers;
  // Fixed-length views of the buffers as they were at the last #sync(): an access through a
  // length-tracking view of a growable buffer costs about ten times as much (Node 20), and a step
  // makes thousands. The buffers grow only under the lock, so each step syncs once as it starts.
  #index: Int32Array;
  #bytes: Uint8Array;
  #words: Int32Array;
  #view: DataView;
  #indexBytes = -1;
  #arenaBytes = -1;
  #compare: RecordComparator | undefined;
  #journal: Journal | undefined;

  constructor(control: Int32Array, base: number, order: Order, buffers: StoreBuffers, compare?: RecordComparator) {
    this.#control = control;
    this.#base = base;
    this.#order = order;
    this.#buffers = buffers;
    this.#index = new Int32Array(0);
    this.#bytes = new Uint8Array(0);
    this.#words = new Int32Array(0);
    this.#view = new DataView(new ArrayBuffer(0));
    this.#compare = compare;
    this.#sync();
  }

  /**
   * Makes sure the views cover what the cells say is in use (the index's capacity, the arena's used
   * part), with two plain loads; a buffer's own `byteLength` costs far more. Under the lock, as every
   * step starts.
   */
  #ready(): void {
    const control = this.#control;
    if (control[this.#base + INDEX_CAPACITY]! * 4 > this.#indexBytes || control[this.#base + ARENA_USED]! > this.#arenaBytes) this.#sync();
  }

  /** Remakes the views of a buffer that grew (in any thread) since they were made. Under the lock. */
  #sync(): void {
    const { index, arena } = this.#buffers;
    const indexBytes = index.byteLength;
    if (indexBytes !== this.#indexBytes) {
      this.#index = new Int32Array(index, 0, indexBytes >> 2);
      this.#indexBytes = indexBytes;
    }
    const arenaBytes = arena.byteLength;
    if (arenaBytes !== this.#arenaBytes) {
      this.#bytes = new Uint8Array(arena, 0, arenaBytes);
      this.#words = new Int32Array(arena, 0, arenaBytes >> 2);
      this.#view = new DataView(arena, 0, arenaBytes);
      this.#arenaBytes = arenaBytes;
    }
  }

  get buffers(): StoreBuffers {
    return this.#buffers;
  }

  /** For readers without the lock (`size`, `empty`, `full`). */
  get count(): number {
    return Atomics.load(this.#control, this.#base + COUNT);
  }

  /** The count, read under the lock: every write of it is made under the lock, so a plain read sees it. */
  get lockedCount(): number {
    return this.#control[this.#base + COUNT]!;
  }

  /** Free entries in the index as it is now. */
  get indexRoom(): number {
    return this.#cell(INDEX_CAPACITY) - this.lockedCount;
  }

  /**
   * Grows the index so that `n` more entries fit (or as many as its largest size allows). Returns
   * whether it grew: the queue then ends its journal's step there (see `Journal`), because a ring's
   * new entries may go where, in the ring's old layout, live entries are.
   * @throws RangeError when the index is full at its largest size.
   */
  growIndexFor(n: number): boolean {
    this.#ready();
    const count = this.lockedCount;
    const capacity = this.#cell(INDEX_CAPACITY);
    if (count + n <= capacity) return false;
    if (capacity >= MAX_INDEX_ENTRIES) {
      if (count < capacity) return false;
      throw new StorageLimitError(`more than ${MAX_INDEX_ENTRIES} items queued, the most a queue holds; take some out first`);
    }
    const wanted = Math.min(MAX_INDEX_ENTRIES, nextPowerOfTwo(count + n));
    // A step that died after growing left the buffer larger than its capacity says.
    if (this.#buffers.index.byteLength < wanted * 4) {
      this.#buffers.index.grow(wanted * 4);
      this.#sync();
    }
    if (this.#order === Order.Fifo) {
      // The ring's entries run from head, and wrap past the end: move the wrapped part after the end.
      const wrapped = this.#cell(HEAD) + count - capacity;
      if (wrapped > 0) this.#index.copyWithin(capacity, 0, wrapped);
    }
    this.#setCell(INDEX_CAPACITY, wanted);
    return true;
  }

  /**
   * Appends items `[from, to)` of `batch` to a FIFO or LIFO queue, which has index room for them
   * ({@link growIndexFor}, which the step called first): their records go into one piece of the arena in one copy, then each item
   * takes one entry.
   * @throws RangeError when the arena cannot take them all within its largest size: those that fit,
   * taken one at a time, are in by then.
   */
  pushRun(batch: EncodedBatch, from: number, to: number): void {
    const first = batch.cursors[from]!;
    const bytes = batch.cursors[to]! - first;
    let base = 0;
    if (bytes > 0) {
      let offset: number;
      try {
        offset = this.#allocate(bytes);
      } catch (error) {
        if (to - from === 1) throw error;
        for (let i = from; i < to; i++) this.pushRun(batch, i, i + 1);
        return;
      }
      this.#copyIn(batch, first, offset, bytes);
      base = offset - first;
    }
    const index = this.#index;
    const entries = batch.entries;
    const count = this.lockedCount;
    if (this.#order === Order.Fifo) {
      const capacity = this.#cell(INDEX_CAPACITY);
      let position = this.#cell(HEAD) + count;
      if (position >= capacity) position -= capacity;
      for (let i = from; i < to; i++) {
        const entry = entries[i]!;
        index[position] = isInline(entry) ? entry : entry + base;
        if (++position === capacity) position = 0;
      }
    } else {
      for (let i = from, position = count; i < to; i++, position++) {
        const entry = entries[i]!;
        index[position] = isInline(entry) ? entry : entry + base;
      }
    }
    Atomics.store(this.#control, this.#base + COUNT, count + (to - from));
  }

  /**
   * Adds item `i` of `batch` to a priority queue's heap (which has index room for it: {@link growIndexFor},
   * called first). Every comparison
   * is made before anything moves, so a comparator that throws leaves the heap as it was.
   */
  pushSorted(batch: EncodedBatch, i: number): void {
    const count = this.lockedCount;
    const entry = batch.entries[i]!;
    let stored = entry;
    let size = 0;
    if (!isInline(entry)) {
      size = batch.cursors[i + 1]! - entry;
      stored = this.#allocate(size);
      this.#copyIn(batch, entry, stored, size);
    }
    try {
      this.#siftUp(count, stored);
    } catch (error) {
      if (size > 0) {
        // The record was the last allocation: give its bytes back.
        this.#setCell(ARENA_USED, stored);
        this.#setCell(ARENA_LIVE, this.#cell(ARENA_LIVE) - size);
      }
      throw error;
    }
    Atomics.store(this.#control, this.#base + COUNT, count + 1);
  }

  /**
   * Removes the next record (by the store's order) and copies it out. The queue must not be empty.
   * For a priority queue every comparison and the decoding of the item happen before anything moves,
   * so a comparator that throws, or an item this thread cannot decode, leaves the heap as it was.
   */
  take(): TakenRecord {
    this.#ready();
    const count = this.lockedCount;
    let entry: number;
    let record: TakenRecord;
    switch (this.#order) {
      case Order.Fifo: {
        const head = this.#cell(HEAD);
        entry = this.#index[head]!;
        record = this.#readEntry(entry);
        this.#setCell(HEAD, (head + 1) % this.#cell(INDEX_CAPACITY));
        break;
      }
      case Order.Lifo:
        entry = this.#index[count - 1]!;
        record = this.#readEntry(entry);
        break;
      case Order.Priority:
        entry = this.#index[0]!;
        record = this.#takeTop(count);
        break;
    }
    Atomics.store(this.#control, this.#base + COUNT, count - 1);
    if (count === 1) {
      this.#setCell(HEAD, 0);
      this.#setCell(ARENA_USED, 0);
      this.#setCell(ARENA_LIVE, 0);
    } else if (!isInline(entry)) {
      this.#setCell(ARENA_LIVE, this.#cell(ARENA_LIVE) - recordSize(record.payload?.byteLength ?? 8));
    }
    return record;
  }

  /**
   * Takes the next `n` items (at most `count`) of a FIFO or LIFO queue into `out`: entries as they
   * are, records copied out in runs of adjacent ones (a LIFO's come top down, so its runs grow down).
   */
  takeRun(out: TakenBatch, n: number): void {
    this.#ready();
    const index = this.#index;
    const view = this.#view;
    const count = this.lockedCount;
    const fifo = this.#order === Order.Fifo;
    const capacity = this.#cell(INDEX_CAPACITY);
    out.reserveEntries(n);
    const entries = out.entries;
    let k = out.count;
    let freed = 0;
    // The run being gathered: arena bytes [runStart, runEnd), its items from `runFirst` in `entries`
    // (which hold their arena offsets until the run is copied out).
    let runStart = -1;
    let runEnd = -1;
    let runFirst = k;
    let position = fifo ? this.#cell(HEAD) : count - 1;
    for (let i = 0; i < n; i++) {
      const entry = index[position]!;
      if (fifo) {
        if (++position === capacity) position = 0;
      } else {
        position--;
      }
      if (isInline(entry)) {
        entries[k++] = entry;
        continue;
      }
      const size = recordSize(view.getUint32(entry, true));
      freed += size;
      if (entry === runEnd) {
        runEnd += size;
      } else if (entry + size === runStart) {
        runStart = entry;
      } else {
        if (runStart >= 0) this.#copyRun(out, runStart, runEnd, runFirst, k);
        runStart = entry;
        runEnd = entry + size;
        runFirst = k;
      }
      entries[k++] = entry;
    }
    if (runStart >= 0) this.#copyRun(out, runStart, runEnd, runFirst, k);
    out.count = k;
    const left = count - n;
    Atomics.store(this.#control, this.#base + COUNT, left);
    if (left === 0) {
      this.#setCell(HEAD, 0);
      this.#setCell(ARENA_USED, 0);
      this.#setCell(ARENA_LIVE, 0);
    } else {
      if (fifo) this.#setCell(HEAD, position);
      this.#setCell(ARENA_LIVE, this.#cell(ARENA_LIVE) - freed);
    }
  }

  /** Copies a run of records out to `out`'s scratch, and points the run's items (`entries[from, to)`) there. */
  #copyRun(out: TakenBatch, runStart: number, runEnd: number, from: number, to: number): void {
    const at = out.copyRun(this.#bytes, this.#words, runStart, runEnd);
    const entries = out.entries;
    for (let j = from; j < to; j++) {
      const entry = entries[j]!;
      if (!isInline(entry)) entries[j] = at + (entry - runStart);
    }
  }

  /** Copies `bytes` of `batch`'s block from `from` into the arena at `to`. */
  #copyIn(batch: EncodedBatch, from: number, to: number, bytes: number): void {
    if (bytes <= WORD_COPY_BYTES) copyWords(batch.words, from, this.#words, to, bytes);
    else this.#bytes.set(batch.block.subarray(from, from + bytes), to);
  }

  /** Drops every record; returns how many there were. */
  clear(): number {
    const count = this.lockedCount;
    Atomics.store(this.#control, this.#base + COUNT, 0);
    this.#setCell(HEAD, 0);
    this.#setCell(ARENA_USED, 0);
    this.#setCell(ARENA_LIVE, 0);
    return count;
  }

  /**
   * Puts a FIFO or LIFO record that was just taken back where it was (the head of the ring, the top of
   * the stack), for an item this thread could not decode. The index must have room ({@link growIndexFor}).
   * @throws RangeError when the storage filled up meanwhile (the record is then not stored).
   */
  restore(record: TakenRecord): void {
    this.#ready();
    const count = this.lockedCount;
    const entry = record.tag === ItemTag.Number && isInlineNumber(record.number) ? inlineEntry(record.number) : this.#storeRecord(record);
    if (this.#order === Order.Fifo) {
      const capacity = this.#cell(INDEX_CAPACITY);
      const head = (this.#cell(HEAD) + capacity - 1) % capacity;
      this.#setCell(HEAD, head);
      this.#index[head] = entry;
    } else {
      this.#index[count] = entry;
    }
    Atomics.store(this.#control, this.#base + COUNT, count + 1);
  }

  setComparator(compare: RecordComparator | undefined): void {
    this.#compare = compare;
  }

  /** Writes an index entry of the heap, logged in the journal so that a dead holder's move is undone. */
  #setLogged(position: number, entry: number): void {
    this.#journal?.logIndex(position, this.#index[position]!);
    this.#index[position] = entry;
  }

  /**
   * The journal of the queue's current step, if the queue keeps one. The store logs the index entries
   * it overwrites in a heap (the only ones a step overwrites that were in use; the rest it writes are
   * free slots, or entries compaction points at a valid copy).
   */
  setJournal(journal: Journal): void {
    this.#journal = journal;
  }

  /** Undoes one logged index write. */
  undoIndexWrite(position: number, entry: number): void {
    this.#sync();
    this.#index[position] = entry;
  }

  #cell(index: number): number {
    return this.#control[this.#base + index]!;
  }

  #setCell(index: number, value: number): void {
    this.#control[this.#base + index] = value;
  }

  #allocate(payloadSize: number): number {
    const size = align8(payloadSize);
    let used = this.#cell(ARENA_USED);
    let capacity = this.#arenaBytes;
    // Another thread may have grown the arena since the views were made: look before growing it.
    if (used + size > capacity) {
      this.#sync();
      capacity = this.#arenaBytes;
    }
    if (used + size > capacity) {
      const live = this.#cell(ARENA_LIVE);
      if (live + size <= capacity / 2) {
        used = this.#compact();
      } else {
        const wanted = Math.max(capacity * 2, nextPowerOfTwo(used + size));
        const limit = this.#buffers.arena.maxByteLength;
        if (used + size <= limit) {
          this.#buffers.arena.grow(Math.min(wanted, limit));
          this.#sync();
        } else if (live + size <= limit) {
          this.#buffers.arena.grow(Math.min(Math.max(wanted, live + size), limit));
          this.#sync();
          used = this.#compact();
        } else {
          throw new StorageLimitError(
            size > limit
              ? `an item of ${size} bytes is larger than the queue's shared storage can ever be (maxBytes ${limit}); raise maxBytes`
              : `the queue's shared storage is full (${limit} bytes); raise maxBytes or take items out first`,
          );
        }
      }
    }
    this.#setCell(ARENA_USED, used + size);
    this.#setCell(ARENA_LIVE, this.#cell(ARENA_LIVE) + size);
    return used;
  }

  /** Moves live records to the front of the arena, in address order so none is overwritten early. */
  #compact(): number {
    const count = this.lockedCount;
    const positions: number[] = [];
    for (let i = 0; i < count; i++) {
      const position = this.#indexPosition(i);
      if (!isInline(this.#index[position]!)) positions.push(position);
    }
    positions.sort((a, b) => this.#index[a]! - this.#index[b]!);
    let next = 0;
    for (const position of positions) {
      const from = this.#index[position]!;
      const size = recordSize(this.#view.getUint32(from, true));
      if (from !== next) this.#bytes.copyWithin(next, from, from + size);
      this.#index[position] = next;
      next += size;
    }
    this.#setCell(ARENA_LIVE, next);
    return next;
  }

  #indexPosition(i: number): number {
    return this.#order === Order.Fifo ? (this.#cell(HEAD) + i) % this.#cell(INDEX_CAPACITY) : i;
  }

  /** Copies a taken record into the arena; returns its offset. */
  #storeRecord(record: TakenRecord): number {
    const length = record.payload?.byteLength ?? 8;
    const offset = this.#allocate(RECORD_HEADER + length);
    this.#view.setUint32(offset, length, true);
    this.#bytes[offset + 4] = record.tag;
    if (record.tag === ItemTag.Number) this.#view.setFloat64(offset + RECORD_HEADER, record.number, true);
    else this.#bytes.set(record.payload!, offset + RECORD_HEADER);
    return offset;
  }

  #readEntry(entry: number): TakenRecord {
    if (isInline(entry)) return { tag: ItemTag.Number, payload: undefined, number: inlineValue(entry), decoded: false, item: undefined };
    const length = this.#view.getUint32(entry, true);
    const tag = this.#bytes[entry + 4] as ItemTag;
    if (tag === ItemTag.Number) return { tag, payload: undefined, number: this.#view.getFloat64(entry + RECORD_HEADER, true), decoded: false, item: undefined };
    const start = entry + RECORD_HEADER;
    return { tag, payload: this.#copyOut(start, length), number: 0, decoded: false, item: undefined };
  }

  /** A copy of `length` bytes of the arena from `start` (a multiple of 8), in memory of its own. */
  #copyOut(start: number, length: number): Uint8Array {
    if (length > WORD_COPY_BYTES) return this.#bytes.slice(start, start + length);
    const copy = new Uint8Array(length);
    const whole = length & ~3;
    copyWords(this.#words, start, new Int32Array(copy.buffer, 0, whole >> 2), 0, whole);
    for (let i = whole; i < length; i++) copy[i] = this.#bytes[start + i]!;
    return copy;
  }

  /** The item an entry stands for, rebuilt (for the comparator). */
  #entryItem(entry: number): unknown {
    if (isInline(entry)) return inlineValue(entry);
    const record = this.#readEntry(entry);
    return decodeItem(record.tag, record.payload, record.number);
  }

  /**
   * Finds the new entry's place with every comparison made before anything moves, so a comparator that
   * throws (items that cannot be ordered) leaves the heap as it was.
   */
  #siftUp(hole: number, entry: number): void {
    const index = this.#index;
    const path = whileComparing(this.#control, () => {
      const item = this.#entryItem(entry);
      const parents: number[] = [];
      let position = hole;
      while (position > 0) {
        const parent = (position - 1) >> 1;
        if (!(this.#compare!(item, this.#entryItem(index[parent]!)) < 0)) break;
        parents.push(parent);
        position = parent;
      }
      return parents;
    });
    let child = hole;
    for (const parent of path) {
      this.#setLogged(child, index[parent]!);
      child = parent;
    }
    this.#setLogged(child, entry);
  }

  /**
   * Removes the heap's top: decodes it and plans where the last entry sinks to, all before anything
   * moves (same reason as {@link siftUp}), then moves the planned path.
   */
  #takeTop(count: number): TakenRecord {
    const index = this.#index;
    const top = this.#readEntry(index[0]!);
    const last = index[count - 1]!;
    const { item, path } = whileComparing(this.#control, () => ({
      item: decodeItem(top.tag, top.payload, top.number),
      path: count > 2 ? this.#planSiftDown(last, count - 1) : [],
    }));
    let hole = 0;
    for (const child of path) {
      this.#setLogged(hole, index[child]!);
      hole = child;
    }
    this.#setLogged(hole, last);
    return { ...top, decoded: true, item };
  }

  /** The positions the hole at the root moves through for entry `moved` to sink into a heap of `count`. */
  #planSiftDown(moved: number, count: number): number[] {
    const index = this.#index;
    const item = this.#entryItem(moved);
    const path: number[] = [];
    let hole = 0;
    for (;;) {
      const left = 2 * hole + 1;
      if (left >= count) break;
      const right = left + 1;
      let child = left;
      let childItem = this.#entryItem(index[left]!);
      if (right < count) {
        const rightItem = this.#entryItem(index[right]!);
        if (this.#compare!(rightItem, childItem) < 0) {
          child = right;
          childItem = rightItem;
        }
      }
      if (!(this.#compare!(childItem, item) < 0)) break;
      path.push(child);
      hole = child;
    }
    return path;
  }
}

/**
 * The undo journal of a queue's internal step, in the queue's control block, so that a thread that
 * dies in the middle of one (holding the internal lock) leaves a state the next holder can roll back:
 * the step begins by saving the control cells it may change ({@link JOURNAL_SAVED} cells from
 * `savedFrom`: the task count, the shut-down flag and the store's cells) and marking the journal
 * active; the store logs each heap index entry before overwriting it; the step ends by marking it
 * inactive. Found active by the next holder, it is undone: index entries restored newest first, then
 * the saved cells. Records written into the arena past its used part are dropped with the cells that
 * counted them; the index and arena buffers may have grown, which is harmless.
 */
export const JOURNAL_SAVED = 7;
const LOG_CAPACITY = 40;
/** Cells of a journal: active flag, saved cells, log length, log pairs. */
export const JOURNAL_CELLS = 1 + JOURNAL_SAVED + 1 + 2 * LOG_CAPACITY;
const ACTIVE = 0;
const SAVED = 1;
const LOG_LENGTH = SAVED + JOURNAL_SAVED;
const LOG = LOG_LENGTH + 1;

export class Journal {
  readonly #cells: Int32Array;
  readonly #base: number;
  readonly #savedFrom: number;

  constructor(cells: Int32Array, base: number, savedFrom: number) {
    this.#cells = cells;
    this.#base = base;
    this.#savedFrom = savedFrom;
  }

  /** Under the lock, before the step changes anything. */
  begin(): void {
    const cells = this.#cells;
    const base = this.#base;
    const from = this.#savedFrom;
    for (let i = 0; i < JOURNAL_SAVED; i++) cells[base + SAVED + i] = cells[from + i]!;
    cells[base + LOG_LENGTH] = 0;
    cells[base + ACTIVE] = 1;
  }

  /** Under the lock, once the step is complete (or has undone itself before throwing). */
  end(): void {
    this.#cells[this.#base + ACTIVE] = 0;
  }

  logIndex(position: number, previous: number): void {
    const cells = this.#cells;
    const at = this.#base + LOG_LENGTH;
    const length = cells[at]!;
    // A heap of 2^24 entries has at most 25 levels: a step never logs more than LOG_CAPACITY writes.
    if (length >= LOG_CAPACITY) throw new RangeError('queue journal overflow');
    cells[this.#base + LOG + 2 * length] = position;
    cells[this.#base + LOG + 2 * length + 1] = previous;
    cells[at] = length + 1;
  }

  /** Whether a step was left half done. */
  get active(): boolean {
    return this.#cells[this.#base + ACTIVE] === 1;
  }

  /** Rolls a half-done step back. Under the lock, taken from its dead holder. */
  undo(store: RecordStore): void {
    const cells = this.#cells;
    const base = this.#base;
    if (cells[base + ACTIVE] !== 1) return;
    for (let i = Math.min(cells[base + LOG_LENGTH]!, LOG_CAPACITY) - 1; i >= 0; i--) {
      store.undoIndexWrite(cells[base + LOG + 2 * i]!, cells[base + LOG + 2 * i + 1]!);
    }
    const from = this.#savedFrom;
    for (let i = 0; i < JOURNAL_SAVED; i++) Atomics.store(cells, from + i, cells[base + SAVED + i]!);
    cells[base + LOG_LENGTH] = 0;
    cells[base + ACTIVE] = 0;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}
