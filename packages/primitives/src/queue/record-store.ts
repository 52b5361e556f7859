import type { EncodedBatch } from './encoded-batch.js';
import { decodeItem, ItemTag } from './item-codec.js';
import { copyWords, inlineEntry, inlineValue, isInline, isInlineNumber, RECORD_HEADER, recordSize, WORD_COPY_BYTES } from './record-layout.js';
import { whileComparing } from './reentry-guard.js';
import type { Journal } from './step-journal.js';
import type { TakenBatch } from './taken-batch.js';

/**
 * The items of a queue, in shared memory every thread can reach. Records live in an arena (a growable
 * `SharedArrayBuffer`, bump-allocated, compacted or grown when full; a LIFO's or priority queue's is
 * reset whenever it empties, a FIFO's is compacted when it is full, its getters writing nothing there);
 * the order lives in an index of entries (another growable buffer; an entry is a record's offset or a
 * small integer itself, see record-layout.ts) kept as a ring (FIFO), a stack (LIFO) or a binary heap
 * (priority).
 *
 * A FIFO queue has two locks, as Java's `LinkedBlockingQueue`: putters hold the put lock, getters the
 * take lock, so a producer and a consumer never wait for each other. The ring's entries are numbered
 * by two counters that only grow (wrapping as int32): TAIL, written by putters only, and HEAD, by
 * getters only; an entry's slot is its number modulo the index's capacity (a power of two). A put
 * writes its records and entries first and publishes them with one store of TAIL; a get copies its
 * records out and frees them with one store of HEAD. So the count is TAIL − HEAD, and a thread that
 * dies inside either step has published all of it or none. What moves entries or records that the
 * other side may be reading (growing the index, compacting or growing the arena, putting a taken item
 * back, dropping everything) runs with both locks held: the put step takes the take lock through
 * `exclusive` (see {@link RecordStore.setExclusive}). A LIFO or priority queue has one lock for both
 * sides, its count is TAIL (HEAD stays 0), and every method runs under that lock.
 */
export const enum Order {
  Fifo = 0,
  Lifo = 1,
  Priority = 2,
}

/**
 * Control cells the store owns inside the queue's control block, from `base`: the put side's, but
 * for TAIL, HEAD and GROWTHS, which have cells of their own (see {@link StoreCells}).
 */
export const STORE_CELLS = 5;
const INDEX_CAPACITY = 0;
const ARENA_USED = 1;
/** Bytes of live records, kept by a LIFO or priority queue (a FIFO's getters do not write put-side cells: it counts them when it must). */
const ARENA_LIVE = 2;
/** How many times a FIFO's HEAD went back (an item put back): putters then read HEAD afresh (see `roomBelow`). */
const RESTORES = 3;
/** The token of the store object (one per queue object, per thread) whose step last moved a FIFO's TAIL (see `tail`). */
const LAST_PUTTER = 4;

/** Where the store's cells are in the queue's control block. */
export interface StoreCells {
  /** The first of {@link STORE_CELLS} put-side cells. */
  readonly base: number;
  /** TAIL (see `RecordStore`): on a line with nothing else a putter writes, since getters watch it. */
  readonly tail: number;
  /** HEAD, on the take side's line. */
  readonly head: number;
  /** How many times the layout changed (index capacity, arena size): bumped with both locks held, watched by a FIFO's getters. */
  readonly growths: number;
}

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
  readonly #tail: number;
  readonly #head: number;
  readonly #growths: number;
  readonly #order: Order;
  readonly #ring: boolean;
  // A FIFO's side reads the other side's counter only when what it last read of it runs out (an SPSC
  // ring's cached indices): each read of a cell the other core writes all the time is a cache miss.
  // HEAD only grows but when an item is put back (RESTORES counts those), TAIL only grows; and a
  // thread trusts what it saw only while its own side's counter is where its own last step left it,
  // so that a cache many steps of other threads old (which the 32-bit counters could wrap past) is
  // never used.
  #headSeen: number;
  #restoresSeen: number;
  #tailMine: number;
  #tailSeen: number;
  #headMine: number;
  /** This object's LAST_PUTTER token: random, so two objects putting to one queue tell each other apart but with odds of 2^-31. */
  readonly #token = Math.floor(Math.random() * 0x7fff_ffff) + 1;
  // The take side's view of the layout, kept until GROWTHS moves (the cells behind it sit on the
  // putters' line).
  #growthsSeen = -1;
  #takeMask = 0;
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
  #exclusive: <R>(fn: () => R) => R = (fn) => fn();

  constructor(control: Int32Array, cells: StoreCells, order: Order, buffers: StoreBuffers, compare?: RecordComparator) {
    this.#control = control;
    this.#base = cells.base;
    this.#tail = cells.tail;
    const head = (this.#head = cells.head);
    this.#growths = cells.growths;
    this.#order = order;
    this.#ring = order === Order.Fifo;
    // HEAD before TAIL, so that what the getter knows to be there is never more than there is.
    this.#headSeen = this.#headMine = Atomics.load(control, head);
    this.#tailSeen = this.#tailMine = Atomics.load(control, cells.tail);
    // (#tailMine is trusted only once this object's token is in LAST_PUTTER: see `tail`.)
    this.#restoresSeen = Atomics.load(control, cells.base + RESTORES);
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

  /**
   * A FIFO getter's {@link ready}, under the take lock: remakes the views when the layout changed since
   * it last looked (never meanwhile: that takes the take lock too); returns the index's mask.
   */
  #readyForTake(): number {
    const growths = Atomics.load(this.#control, this.#growths);
    if (growths !== this.#growthsSeen) {
      this.#growthsSeen = growths;
      this.#sync();
      this.#takeMask = this.#cell(INDEX_CAPACITY) - 1;
    }
    return this.#takeMask;
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

  /**
   * How a FIFO's put step reaches the take lock: runs `fn` with it held too (the caller holds the put
   * lock), for the moves described in the class's comment. A LIFO or priority queue keeps the default,
   * which just runs `fn`: its one lock is held already.
   */
  setExclusive(exclusive: <R>(fn: () => R) => R): void {
    this.#exclusive = exclusive;
  }

  /**
   * For readers without a lock (`size`, `empty`, `full`, a waiter's last look): HEAD is read first,
   * so the TAIL read after it is at least as new and the difference is never negative.
   */
  get count(): number {
    const head = Atomics.load(this.#control, this.#head);
    return (Atomics.load(this.#control, this.#tail) - head) | 0;
  }

  /**
   * The count as a putter sees it, under the put lock: TAIL is its own; HEAD may grow meanwhile (there
   * is only more room than it says).
   */
  get countForPut(): number {
    const head = Atomics.load(this.#control, this.#head);
    this.#headSeen = head;
    this.#restoresSeen = this.#cell(RESTORES);
    return (this.tail - head) | 0;
  }

  /**
   * The free places below `limit` (the queue's maxSize, the index's capacity) as a putter sees them,
   * under the put lock: counted from the HEAD it saw last, which is only ever behind (so there is at
   * least this much room), unless that leaves fewer than `wanted`, or this object's view of TAIL or
   * HEAD cannot be trusted (see the fields' comment): then from HEAD read afresh.
   */
  roomBelow(limit: number, wanted: number): number {
    if (this.#ring && this.#cell(LAST_PUTTER) === this.#token && this.#cell(RESTORES) === this.#restoresSeen) {
      const room = limit - ((this.#tailMine - this.#headSeen) | 0);
      if (room >= wanted) return room;
    }
    return limit - this.countForPut;
  }

  /**
   * The count as a getter sees it, under the take lock: HEAD is its own; TAIL is read again only when
   * fewer than `wanted` are known to be there.
   */
  countForTake(wanted: number): number {
    const head = this.#control[this.#head]!;
    if (this.#ring) {
      const known = (this.#tailSeen - head) | 0;
      if (known >= wanted && head === this.#headMine) return known;
      this.#tailSeen = Atomics.load(this.#control, this.#tail);
      return (this.#tailSeen - head) | 0;
    }
    return (this.#control[this.#tail]! - head) | 0;
  }

  /**
   * TAIL, under the put lock: how far the puts have gone. A FIFO's putter does not read the cell
   * when its own step was the last to move it (LAST_PUTTER says so): a getter watches that line, and
   * a read of it before the put's write would cost the line one more trip between the cores.
   */
  get tail(): number {
    if (!this.#ring) return this.#control[this.#tail]!;
    const base = this.#base;
    if (this.#control[base + LAST_PUTTER] === this.#token) return this.#tailMine;
    this.#control[base + LAST_PUTTER] = this.#token;
    return (this.#tailMine = this.#control[this.#tail]!);
  }

  /** Free entries in the index as it is now (at least: a FIFO's getters may free more meanwhile). */
  get indexRoom(): number {
    return this.roomBelow(this.#cell(INDEX_CAPACITY), 0);
  }

  /**
   * Grows the index so that `n` more entries fit (or as many as its largest size allows). Returns
   * whether it grew: the queue then ends its journal's step there (see `Journal`), because a ring's
   * new entries may go where, in the ring's old layout, live entries are.
   * @throws RangeError when the index is full at its largest size.
   */
  growIndexFor(n: number): boolean {
    this.#ready();
    if (this.roomBelow(this.#cell(INDEX_CAPACITY), n) >= n) return false;
    return this.#exclusive(() => this.#growIndex(n));
  }

  /** {@link growIndexFor}'s work, with the getters kept out (a FIFO's take lock held too). */
  #growIndex(n: number): boolean {
    this.#ready();
    const count = this.countForPut;
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
    if (this.#ring) {
      // Each entry goes to its number's slot in the larger ring. Copied, not moved: a slot that
      // changes is past the old capacity, so the old layout stays whole until the capacity is stored
      // (a thread that dies before that leaves the queue as it was).
      const head = this.#control[this.#head]!;
      const index = this.#index;
      const oldMask = capacity - 1;
      const newMask = wanted - 1;
      for (let i = 0; i < count; i++) {
        const sequence = (head + i) | 0;
        const to = sequence & newMask;
        const from = sequence & oldMask;
        if (to !== from) index[to] = index[from]!;
      }
    }
    this.#setCell(INDEX_CAPACITY, wanted);
    Atomics.add(this.#control, this.#growths, 1);
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
    const tail = this.tail;
    if (this.#ring) {
      const mask = this.#cell(INDEX_CAPACITY) - 1;
      for (let i = from, sequence = tail; i < to; i++, sequence++) {
        const entry = entries[i]!;
        index[sequence & mask] = isInline(entry) ? entry : entry + base;
      }
    } else {
      for (let i = from, position = tail; i < to; i++, position++) {
        const entry = entries[i]!;
        index[position] = isInline(entry) ? entry : entry + base;
      }
    }
    // Publishes the run (see the class's comment): its last write.
    this.#tailMine = (tail + (to - from)) | 0;
    Atomics.store(this.#control, this.#tail, this.#tailMine);
  }

  /**
   * A FIFO's put of the one item of `batch` in one short step, under the put lock and inside no
   * journal step: the common case, with nothing to grow and no other putter since this object's last
   * step. Journaled as `#putItems`' steps are, counted in the task count (the cell `unfinished`) just
   * before it is published. Returns `false`, having changed nothing, when it needs more (an index or
   * arena full as far as this object knows, another putter or a put-back since): the caller then takes
   * the general path. The queue's maximum size is the caller's to check.
   */
  pushOne(batch: EncodedBatch, journal: Journal, unfinished: number): boolean {
    const control = this.#control;
    const base = this.#base;
    if (!this.#ring || control[base + LAST_PUTTER] !== this.#token || control[base + RESTORES] !== this.#restoresSeen) return false;
    const capacity = control[base + INDEX_CAPACITY]!;
    if (capacity * 4 > this.#indexBytes) return false;
    if (this.roomBelow(capacity, 1) < 1) return false;
    const tail = this.#tailMine;
    const bytes = batch.cursors[1]!;
    let entry = batch.entries[0]!;
    const used = control[base + ARENA_USED]!;
    if (bytes > 0 && used + bytes > this.#arenaBytes) return false;
    journal.begin(tail);
    if (bytes > 0) {
      control[base + ARENA_USED] = used + bytes;
      this.#copyIn(batch, 0, used, bytes);
      entry = used;
    }
    this.#index[tail & (capacity - 1)] = entry;
    control[unfinished] = control[unfinished]! + 1;
    this.#tailMine = (tail + 1) | 0;
    Atomics.store(control, this.#tail, this.#tailMine);
    journal.end();
    return true;
  }

  /**
   * Adds item `i` of `batch` to a priority queue's heap (which has index room for it: {@link growIndexFor},
   * called first). Every comparison
   * is made before anything moves, so a comparator that throws leaves the heap as it was.
   */
  pushSorted(batch: EncodedBatch, i: number): void {
    const count = this.tail;
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
    Atomics.store(this.#control, this.#tail, count + 1);
  }

  /**
   * Removes the next record (by the store's order) and copies it out. The queue must not be empty.
   * For a priority queue every comparison and the decoding of the item happen before anything moves,
   * so a comparator that throws, or an item this thread cannot decode, leaves the heap as it was.
   */
  take(): TakenRecord {
    if (this.#ring) {
      const mask = this.#readyForTake();
      const head = this.#control[this.#head]!;
      const record = this.#readEntry(this.#index[head & mask]!);
      // Frees the entry and its record (see the class's comment): the step's last write.
      this.#headMine = (head + 1) | 0;
      Atomics.store(this.#control, this.#head, this.#headMine);
      return record;
    }
    this.#ready();
    const count = this.tail;
    let entry: number;
    let record: TakenRecord;
    switch (this.#order) {
      case Order.Lifo:
        entry = this.#index[count - 1]!;
        record = this.#readEntry(entry);
        break;
      default:
        entry = this.#index[0]!;
        record = this.#takeTop(count);
        break;
    }
    Atomics.store(this.#control, this.#tail, count - 1);
    if (count === 1) {
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
    const fifo = this.#ring;
    let mask = 0;
    if (fifo) mask = this.#readyForTake();
    else this.#ready();
    const index = this.#index;
    const view = this.#view;
    const head = this.#control[this.#head]!;
    const count = fifo ? 0 : this.tail;
    out.reserveEntries(n);
    const entries = out.entries;
    let k = out.count;
    let freed = 0;
    // The run being gathered: arena bytes [runStart, runEnd), its items from `runFirst` in `entries`
    // (which hold their arena offsets until the run is copied out).
    let runStart = -1;
    let runEnd = -1;
    let runFirst = k;
    let position = fifo ? head : count - 1;
    for (let i = 0; i < n; i++) {
      const entry = index[fifo ? position & mask : position]!;
      if (fifo) position++;
      else position--;
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
    if (fifo) {
      // Frees the run (see the class's comment): the step's last write.
      this.#headMine = (head + n) | 0;
      Atomics.store(this.#control, this.#head, this.#headMine);
      return;
    }
    const left = count - n;
    Atomics.store(this.#control, this.#tail, left);
    if (left === 0) {
      this.#setCell(ARENA_USED, 0);
      this.#setCell(ARENA_LIVE, 0);
    } else {
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

  /** Drops every record; returns how many there were. With the getters kept out (both of a FIFO's locks held). */
  clear(): number {
    const count = this.countForPut;
    this.#setCell(ARENA_USED, 0);
    this.#setCell(ARENA_LIVE, 0);
    if (this.#ring) Atomics.store(this.#control, this.#head, this.tail);
    else Atomics.store(this.#control, this.#tail, 0);
    return count;
  }

  /**
   * Puts a FIFO or LIFO record that was just taken back where it was (the head of the ring, the top of
   * the stack), for an item this thread could not decode. The index must have room ({@link growIndexFor}).
   * @throws RangeError when the storage filled up meanwhile (the record is then not stored).
   */
  restore(record: TakenRecord): void {
    this.#ready();
    const entry = record.tag === ItemTag.Number && isInlineNumber(record.number) ? inlineEntry(record.number) : this.#storeRecord(record);
    if (this.#ring) {
      // With both locks held (see the class's comment); the entry takes the free slot before the head.
      const head = (this.#control[this.#head]! - 1) | 0;
      this.#index[head & (this.#cell(INDEX_CAPACITY) - 1)] = entry;
      this.#setCell(RESTORES, this.#cell(RESTORES) + 1);
      Atomics.store(this.#control, this.#head, head);
    } else {
      const count = this.tail;
      this.#index[count] = entry;
      Atomics.store(this.#control, this.#tail, count + 1);
    }
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
    const used = this.#cell(ARENA_USED);
    if (used + size > this.#arenaBytes) return this.#exclusive(() => this.#allocateSlow(size));
    this.#setCell(ARENA_USED, used + size);
    if (!this.#ring) this.#setCell(ARENA_LIVE, this.#cell(ARENA_LIVE) + size);
    return used;
  }

  /** {@link allocate} past the end of the arena as the views see it, with the getters kept out. */
  #allocateSlow(size: number): number {
    let used = this.#cell(ARENA_USED);
    // Another thread may have grown the arena since the views were made: look before growing it.
    this.#sync();
    const capacity = this.#arenaBytes;
    if (used + size > capacity) {
      const live = this.#ring ? this.#liveBytes() : this.#cell(ARENA_LIVE);
      if (live + size <= capacity / 2) {
        used = this.#compact();
      } else {
        const wanted = Math.max(capacity * 2, nextPowerOfTwo(used + size));
        const limit = this.#buffers.arena.maxByteLength;
        if (used + size <= limit) {
          this.#buffers.arena.grow(Math.min(wanted, limit));
          this.#sync();
          Atomics.add(this.#control, this.#growths, 1);
        } else if (live + size <= limit) {
          this.#buffers.arena.grow(Math.min(Math.max(wanted, live + size), limit));
          this.#sync();
          Atomics.add(this.#control, this.#growths, 1);
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
    if (!this.#ring) this.#setCell(ARENA_LIVE, this.#cell(ARENA_LIVE) + size);
    return used;
  }

  /** Bytes of the records still queued (a FIFO's, which keeps no count of them), with the getters kept out. */
  #liveBytes(): number {
    const count = this.countForPut;
    let live = 0;
    for (let i = 0; i < count; i++) {
      const entry = this.#index[this.#indexPosition(i)]!;
      if (!isInline(entry)) live += recordSize(this.#view.getUint32(entry, true));
    }
    return live;
  }

  /** Moves live records to the front of the arena, in address order so none is overwritten early. */
  #compact(): number {
    const count = this.countForPut;
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
    return this.#ring ? (this.#control[this.#head]! + i) & (this.#cell(INDEX_CAPACITY) - 1) : i;
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

function align8(n: number): number {
  return (n + 7) & ~7;
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}
