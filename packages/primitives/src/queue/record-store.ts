import { decodeItem, ItemTag, type EncodedItem } from './item-codec.js';
import { whileComparing } from './reentry-guard.js';

/**
 * The items of a queue, in shared memory every thread can reach. Records live in an arena (a growable
 * `SharedArrayBuffer`, bump-allocated, compacted or grown when full, reset whenever the queue empties);
 * the order lives in an index of record offsets (another growable buffer) kept as a ring (FIFO), a
 * stack (LIFO) or a binary heap (priority). Every method runs under the queue's lock.
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

const RECORD_HEADER = 8;
const INITIAL_INDEX_ENTRIES = 64;
const INITIAL_ARENA_BYTES = 16 * 1024;
/** Address space reserved (not committed) per queue; grows on demand up to it. */
export const DEFAULT_MAX_ARENA_BYTES = 256 * 1024 * 1024;
const MAX_INDEX_ENTRIES = 16 * 1024 * 1024;

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
  // Length-tracking views: they follow the buffers as any thread grows them.
  readonly #index: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #compare: RecordComparator | undefined;
  #journal: Journal | undefined;

  constructor(control: Int32Array, base: number, order: Order, buffers: StoreBuffers, compare?: RecordComparator) {
    this.#control = control;
    this.#base = base;
    this.#order = order;
    this.#buffers = buffers;
    this.#index = new Int32Array(buffers.index);
    this.#bytes = new Uint8Array(buffers.arena);
    this.#view = new DataView(buffers.arena);
    this.#compare = compare;
  }

  get buffers(): StoreBuffers {
    return this.#buffers;
  }

  get count(): number {
    return Atomics.load(this.#control, this.#base + COUNT);
  }

  push(item: EncodedItem): void {
    const count = this.count;
    if (count === this.#cell(INDEX_CAPACITY)) this.#growIndex();
    const offset = this.#allocate(RECORD_HEADER + item.payloadLength);
    this.#writeRecord(offset, item);
    switch (this.#order) {
      case Order.Fifo: {
        const capacity = this.#cell(INDEX_CAPACITY);
        this.#index[(this.#cell(HEAD) + count) % capacity] = offset;
        break;
      }
      case Order.Lifo:
        this.#index[count] = offset;
        break;
      case Order.Priority:
        try {
          this.#siftUp(count, offset);
        } catch (error) {
          // The record was the last allocation: give its bytes back.
          this.#setCell(ARENA_USED, offset);
          this.#setCell(ARENA_LIVE, this.#cell(ARENA_LIVE) - recordSize(item.payloadLength));
          throw error;
        }
        break;
    }
    Atomics.store(this.#control, this.#base + COUNT, count + 1);
  }

  /**
   * Removes the next record (by the store's order) and copies it out. The queue must not be empty.
   * For a priority queue every comparison and the decoding of the item happen before anything moves,
   * so a comparator that throws, or an item this thread cannot decode, leaves the heap as it was.
   */
  take(): TakenRecord {
    const count = this.count;
    let record: TakenRecord;
    switch (this.#order) {
      case Order.Fifo: {
        const head = this.#cell(HEAD);
        record = this.#readRecord(this.#index[head]!);
        this.#setCell(HEAD, (head + 1) % this.#cell(INDEX_CAPACITY));
        break;
      }
      case Order.Lifo:
        record = this.#readRecord(this.#index[count - 1]!);
        break;
      case Order.Priority:
        record = this.#takeTop(count);
        break;
    }
    Atomics.store(this.#control, this.#base + COUNT, count - 1);
    if (count === 1) {
      this.#setCell(HEAD, 0);
      this.#setCell(ARENA_USED, 0);
      this.#setCell(ARENA_LIVE, 0);
    } else {
      this.#setCell(ARENA_LIVE, this.#cell(ARENA_LIVE) - recordSize(record.payload?.byteLength ?? 8));
    }
    return record;
  }

  /** Drops every record; returns how many there were. */
  clear(): number {
    const count = this.count;
    Atomics.store(this.#control, this.#base + COUNT, 0);
    this.#setCell(HEAD, 0);
    this.#setCell(ARENA_USED, 0);
    this.#setCell(ARENA_LIVE, 0);
    return count;
  }

  /**
   * Puts a FIFO or LIFO record that {@link take} just removed back where it was (the head of the ring,
   * the top of the stack), for an item this thread could not decode.
   * @throws RangeError when the storage filled up meanwhile (the record is then not stored).
   */
  restore(record: TakenRecord): void {
    const count = this.count;
    if (count === this.#cell(INDEX_CAPACITY)) this.#growIndex();
    const payloadLength = record.payload?.byteLength ?? 8;
    const offset = this.#allocate(RECORD_HEADER + payloadLength);
    this.#writeRecord(offset, { tag: record.tag, bytes: record.payload, number: record.number, payloadLength });
    if (this.#order === Order.Fifo) {
      const capacity = this.#cell(INDEX_CAPACITY);
      const head = (this.#cell(HEAD) + capacity - 1) % capacity;
      this.#setCell(HEAD, head);
      this.#index[head] = offset;
    } else {
      this.#index[count] = offset;
    }
    Atomics.store(this.#control, this.#base + COUNT, count + 1);
  }

  setComparator(compare: RecordComparator | undefined): void {
    this.#compare = compare;
  }

  /** Writes an index entry of the heap, logged in the journal so that a dead holder's move is undone. */
  #setLogged(position: number, offset: number): void {
    this.#journal?.logIndex(position, this.#index[position]!);
    this.#index[position] = offset;
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
  undoIndexWrite(position: number, offset: number): void {
    this.#index[position] = offset;
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
    const capacity = this.#buffers.arena.byteLength;
    if (used + size > capacity) {
      const live = this.#cell(ARENA_LIVE);
      if (live + size <= capacity / 2) {
        used = this.#compact();
      } else {
        const wanted = Math.max(capacity * 2, nextPowerOfTwo(used + size));
        const limit = this.#buffers.arena.maxByteLength;
        if (used + size <= limit) {
          this.#buffers.arena.grow(Math.min(wanted, limit));
        } else if (live + size <= limit) {
          this.#buffers.arena.grow(Math.min(Math.max(wanted, live + size), limit));
          used = this.#compact();
        } else {
          throw new RangeError(`Queue.put(): the queue's shared storage is full (${limit} bytes); raise maxBytes or drain the queue`);
        }
      }
    }
    this.#setCell(ARENA_USED, used + size);
    this.#setCell(ARENA_LIVE, this.#cell(ARENA_LIVE) + size);
    return used;
  }

  /** Moves live records to the front of the arena, in address order so none is overwritten early. */
  #compact(): number {
    const count = this.count;
    const positions: number[] = [];
    for (let i = 0; i < count; i++) positions.push(this.#indexPosition(i));
    positions.sort((a, b) => this.#index[a]! - this.#index[b]!);
    let next = 0;
    for (const position of positions) {
      const from = this.#index[position]!;
      const size = align8(RECORD_HEADER + this.#view.getUint32(from, true));
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

  #growIndex(): void {
    const capacity = this.#cell(INDEX_CAPACITY);
    if (capacity * 2 > MAX_INDEX_ENTRIES) throw new RangeError(`Queue.put(): more than ${MAX_INDEX_ENTRIES} items queued`);
    this.#buffers.index.grow(capacity * 2 * 4);
    if (this.#order === Order.Fifo) {
      // The ring was full: entries [head, capacity) then [0, head). Move the wrapped part after the end.
      const head = this.#cell(HEAD);
      this.#index.copyWithin(capacity, 0, head);
    }
    this.#setCell(INDEX_CAPACITY, capacity * 2);
  }

  #writeRecord(offset: number, item: EncodedItem): void {
    this.#view.setUint32(offset, item.payloadLength, true);
    this.#bytes[offset + 4] = item.tag;
    if (item.tag === ItemTag.Number) this.#view.setFloat64(offset + RECORD_HEADER, item.number, true);
    else this.#bytes.set(item.bytes!, offset + RECORD_HEADER);
  }

  #readRecord(offset: number): TakenRecord {
    const length = this.#view.getUint32(offset, true);
    const tag = this.#bytes[offset + 4] as ItemTag;
    if (tag === ItemTag.Number) return { tag, payload: undefined, number: this.#view.getFloat64(offset + RECORD_HEADER, true), decoded: false, item: undefined };
    const start = offset + RECORD_HEADER;
    return { tag, payload: this.#bytes.slice(start, start + length), number: 0, decoded: false, item: undefined };
  }

  #itemAt(position: number): unknown {
    const record = this.#readRecord(this.#index[position]!);
    return decodeItem(record.tag, record.payload, record.number);
  }

  /**
   * Finds the new record's place with every comparison made before anything moves, so a comparator that
   * throws (items that cannot be ordered) leaves the heap as it was.
   */
  #siftUp(hole: number, offset: number): void {
    const index = this.#index;
    const path = whileComparing(this.#control, () => {
      const record = this.#readRecord(offset);
      const item = decodeItem(record.tag, record.payload, record.number);
      const parents: number[] = [];
      let position = hole;
      while (position > 0) {
        const parent = (position - 1) >> 1;
        if (!(this.#compare!(item, this.#itemAt(parent)) < 0)) break;
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
    this.#setLogged(child, offset);
  }

  /**
   * Removes the heap's top: decodes it and plans where the last record sinks to, all before anything
   * moves (same reason as {@link siftUp}), then moves the planned path.
   */
  #takeTop(count: number): TakenRecord {
    const index = this.#index;
    const top = this.#readRecord(index[0]!);
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

  /** The positions the hole at the root moves through for `moved` to sink into a heap of `count`. */
  #planSiftDown(moved: number, count: number): number[] {
    const record = this.#readRecord(moved);
    const item = decodeItem(record.tag, record.payload, record.number);
    const path: number[] = [];
    let hole = 0;
    for (;;) {
      const left = 2 * hole + 1;
      if (left >= count) break;
      const right = left + 1;
      let child = left;
      let childItem = this.#itemAt(left);
      if (right < count) {
        const rightItem = this.#itemAt(right);
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

function recordSize(payloadLength: number): number {
  return align8(RECORD_HEADER + payloadLength);
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}
