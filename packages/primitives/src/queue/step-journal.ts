import { STORE_CELLS, type RecordStore } from './record-store.js';

/**
 * The undo journal of a queue's internal step, in the queue's control block, so that a thread that
 * dies in the middle of one (holding the internal lock) leaves a state the next holder can roll back:
 * the step begins by saving the control cells it may change ({@link JOURNAL_SAVED} cells from
 * `saved`: the task count, the shut-down flag, TAIL and the store's cells) and marking the journal
 * active; the store logs each heap index entry before overwriting it; the step ends by marking it
 * inactive. Found active by the next holder, it is undone: index entries restored newest first, then
 * the saved cells. Records written into the arena past its used part are dropped with the cells that
 * counted them; the index and arena buffers may have grown, which is harmless.
 *
 * A FIFO's put step publishes with its last write, one store of TAIL (see `RecordStore`), and its
 * getters may have taken what it published before the undo runs: that journal is a `ring` one, which
 * never takes TAIL back. Found TAIL moved, the step had published: the task count is made to count
 * what it published. The index's capacity and the arena's used bytes are left as they are, since
 * every layout the step can leave is whole (see `growIndexFor`, `#compact`; bytes allocated and never
 * published are only unused until the arena is next compacted).
 */
export const JOURNAL_SAVED = 3 + STORE_CELLS;
// The saved cells, in this order: the task count, the shut-down flag, TAIL, then the store's.
const SAVED_UNFINISHED = 0;
const SAVED_SHUT_DOWN = 1;
const SAVED_TAIL = 2;
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
  readonly #saved: Int32Array;
  readonly #ring: boolean;

  /** @param saved The cells a step saves, {@link JOURNAL_SAVED} of them in the order documented there. */
  constructor(cells: Int32Array, base: number, saved: readonly number[], ring: boolean) {
    if (saved.length !== JOURNAL_SAVED) throw new Error(`queue journal: ${JOURNAL_SAVED} cells to save, got ${saved.length}`);
    this.#cells = cells;
    this.#base = base;
    this.#saved = Int32Array.from(saved);
    this.#ring = ring;
  }

  /**
   * Under the lock, before the step changes anything. `tail` is TAIL as the store knows it (see
   * `RecordStore.tail`: a FIFO's putter does not read that cell).
   */
  begin(tail: number): void {
    const cells = this.#cells;
    const base = this.#base;
    const saved = this.#saved;
    if (this.#ring) {
      // All a ring journal's undo reads.
      cells[base + SAVED + SAVED_UNFINISHED] = cells[saved[SAVED_UNFINISHED]!]!;
      cells[base + SAVED + SAVED_SHUT_DOWN] = cells[saved[SAVED_SHUT_DOWN]!]!;
      cells[base + SAVED + SAVED_TAIL] = tail;
      cells[base + ACTIVE] = 1;
      return;
    }
    for (let i = 0; i < JOURNAL_SAVED; i++) cells[base + SAVED + i] = cells[saved[i]!]!;
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
    const saved = this.#saved;
    if (this.#ring) {
      const published = (cells[saved[SAVED_TAIL]!]! - cells[base + SAVED + SAVED_TAIL]!) | 0;
      Atomics.store(cells, saved[SAVED_UNFINISHED]!, cells[base + SAVED + SAVED_UNFINISHED]! + published);
      // The shut-down flag: a put step never sets it, and a shutdown that died did not happen.
      Atomics.store(cells, saved[SAVED_SHUT_DOWN]!, cells[base + SAVED + SAVED_SHUT_DOWN]!);
      cells[base + LOG_LENGTH] = 0;
      cells[base + ACTIVE] = 0;
      return;
    }
    for (let i = Math.min(cells[base + LOG_LENGTH]!, LOG_CAPACITY) - 1; i >= 0; i--) {
      store.undoIndexWrite(cells[base + LOG + 2 * i]!, cells[base + LOG + 2 * i + 1]!);
    }
    for (let i = 0; i < JOURNAL_SAVED; i++) Atomics.store(cells, saved[i]!, cells[base + SAVED + i]!);
    cells[base + LOG_LENGTH] = 0;
    cells[base + ACTIVE] = 0;
  }
}
