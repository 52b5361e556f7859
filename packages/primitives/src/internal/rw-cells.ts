import { waitBlocking, waitNonBlocking, type WaitResult } from './futex.js';
import { remaining, type Deadline } from './options.js';

/**
 * The reader–writer algorithm under `ReadWriteLock`: three cells.
 *
 * - STATE: bits 0–28 count the read holds; all of them set ({@link WRITE_LOCKED}) means one writer
 *   holds it. Bit 29 (READERS_WAITING): some reader sleeps, on this very cell. Bit 30
 *   (WRITERS_WAITING): some writer waits, which shuts new readers out (writer preference).
 * - WRITER_SEQ: writers sleep on it; waking one bumps it first, so a writer about to sleep on the
 *   value it read before looking at STATE does not miss the wake-up.
 * - OWNER: the writer's thread id + 1 (0 when no writer), for release checks and messages.
 * - WRITERS: how many writers are in their slow path, so that the last one to give up (timeout,
 *   abort) clears WRITERS_WAITING and lets the readers in at once instead of at the next release.
 *
 * Taking a read hold, uncontended, is one compare-exchange that adds 1; taking the write hold is one
 * that turns a zero count into WRITE_LOCKED. Releasing notifies only when a flag says someone waits.
 *
 * Who goes next. When the writer leaves, every reader asleep then is woken together and may enter
 * even while another writer waits ("privileged": they waited through a writer phase); newcomers may
 * not. When the last reader leaves, one writer is woken first. So a stream of readers cannot starve a
 * writer, and a stream of writers cannot starve the readers that already wait: phases alternate.
 *
 * The flags are hints: a reader that times out or is aborted leaves READERS_WAITING behind. Every
 * wake path therefore looks again after it wakes nobody, and a waiter that gives up calls
 * {@link RwCells.wakeIfFree}, so that a flag left over never strands a sleeper on a free lock.
 */
export const RW_CELLS = 4;

const STATE = 0;
const WRITER_SEQ = 1;
const OWNER = 2;
const WRITERS = 3;

const COUNT_MASK = 0x1fff_ffff;
/** The count field with every bit set: write-locked. */
const WRITE_LOCKED = COUNT_MASK;
/** Most read holds at once (one below {@link WRITE_LOCKED}). */
export const MAX_READ_HOLDS = COUNT_MASK - 1;
const READERS_WAITING = 1 << 29;
const WRITERS_WAITING = 1 << 30;
const FLAGS = READERS_WAITING | WRITERS_WAITING;

/** Loads before sleeping, to ride out a holder on another core that is about to leave. */
const SPIN_LIMIT = 64;

export class RwCells {
  readonly cells: Int32Array;

  constructor(cells: Int32Array) {
    this.cells = cells;
  }

  /** Read holds now (0 while the writer holds it). */
  get readHolds(): number {
    const count = Atomics.load(this.cells, STATE) & COUNT_MASK;
    return count === WRITE_LOCKED ? 0 : count;
  }

  get writeLocked(): boolean {
    return (Atomics.load(this.cells, STATE) & COUNT_MASK) === WRITE_LOCKED;
  }

  /** Thread id + 1 of the writer, 0 when none. */
  get ownerTag(): number {
    return Atomics.load(this.cells, OWNER);
  }

  /**
   * Adds a read hold if that needs no wait. `privileged`: the caller was woken by a writer's leaving
   * (or already holds a read hold), so a waiting writer does not shut it out; only a writer holding does.
   */
  tryRead(privileged: boolean): boolean {
    const cells = this.cells;
    for (;;) {
      const state = Atomics.load(cells, STATE);
      const count = state & COUNT_MASK;
      if (count === WRITE_LOCKED || (!privileged && (state & FLAGS) !== 0)) return false;
      if (count === MAX_READ_HOLDS) throw new RangeError(`ReadWriteLock: more than ${MAX_READ_HOLDS} read holds at once`);
      if (Atomics.compareExchange(cells, STATE, state, state + 1) === state) return true;
    }
  }

  /**
   * Takes the write hold if no one holds the lock. `waited`: the caller slept, so the flag may have
   * been cleared to wake it; set it again if other writers are in their slow path.
   */
  tryWrite(ownerTag: number, waited = false): boolean {
    const cells = this.cells;
    for (;;) {
      const state = Atomics.load(cells, STATE);
      if ((state & COUNT_MASK) !== 0) return false;
      const others = waited && Atomics.load(cells, WRITERS) > 1;
      const next = state | WRITE_LOCKED | (others ? WRITERS_WAITING : 0);
      if (Atomics.compareExchange(cells, STATE, state, next) === state) {
        Atomics.store(cells, OWNER, ownerTag);
        return true;
      }
    }
  }

  readBlocking(privileged: boolean, deadline: Deadline, method: string): boolean {
    if (this.#spinRead(privileged)) return true;
    for (;;) {
      if (this.tryRead(privileged)) return true;
      const timeout = remaining(deadline);
      if (timeout === 0) return this.#giveUp();
      const expected = this.#readerSleepValue(privileged);
      if (expected === undefined) continue;
      // Only a real wake-up (a writer left) makes a reader privileged, never a changed value.
      if (waitBlocking(this.cells, STATE, expected, timeout, method) === 'ok') privileged = true;
    }
  }

  async readAsync(privileged: boolean, deadline: Deadline, signal: AbortSignal | undefined): Promise<boolean> {
    for (;;) {
      if (this.tryRead(privileged)) return true;
      const timeout = remaining(deadline);
      if (timeout === 0) return this.#giveUp();
      const expected = this.#readerSleepValue(privileged);
      if (expected === undefined) continue;
      if ((await this.#sleepAsync(expected, timeout, signal)) === 'ok') privileged = true;
    }
  }

  writeBlocking(ownerTag: number, deadline: Deadline, method: string): boolean {
    if (this.#spinWrite(ownerTag)) return true;
    const cells = this.cells;
    Atomics.add(cells, WRITERS, 1);
    let waited = false;
    let held = false;
    try {
      for (;;) {
        const seq = Atomics.load(cells, WRITER_SEQ);
        if (this.tryWrite(ownerTag, waited)) return (held = true);
        const timeout = remaining(deadline);
        if (timeout === 0) return false;
        if (!this.#markWriterWaiting()) continue;
        waitBlocking(cells, WRITER_SEQ, seq, timeout, method);
        waited = true;
      }
    } finally {
      this.#writerLeaves(held);
    }
  }

  async writeAsync(ownerTag: number, deadline: Deadline, signal: AbortSignal | undefined): Promise<boolean> {
    const cells = this.cells;
    Atomics.add(cells, WRITERS, 1);
    let waited = false;
    let held = false;
    try {
      for (;;) {
        const seq = Atomics.load(cells, WRITER_SEQ);
        if (this.tryWrite(ownerTag, waited)) return (held = true);
        const timeout = remaining(deadline);
        if (timeout === 0) return false;
        if (!this.#markWriterWaiting()) continue;
        await waitNonBlocking(cells, WRITER_SEQ, seq, timeout, signal, this.#onAbandonedWriterWake);
        waited = true;
      }
    } finally {
      this.#writerLeaves(held);
    }
  }

  /**
   * A writer leaves its slow path. One that gives up (timeout, abort) and was the last writer waiting
   * takes WRITERS_WAITING down, so the readers it shut out go in now rather than at the next release.
   */
  #writerLeaves(held: boolean): void {
    const cells = this.cells;
    const last = Atomics.sub(cells, WRITERS, 1) === 1;
    if (held) return;
    if (!last) {
      this.wakeIfFree();
      return;
    }
    for (;;) {
      const state = Atomics.load(cells, STATE);
      if ((state & WRITERS_WAITING) === 0) break;
      if (Atomics.compareExchange(cells, STATE, state, state & ~WRITERS_WAITING) === state) break;
    }
    // A writer that came in meanwhile may already sleep, trusting the flag: put it back for it.
    if (Atomics.load(cells, WRITERS) > 0) Atomics.or(cells, STATE, WRITERS_WAITING);
    if (!this.writeLocked) this.#wakeReaders();
    this.wakeIfFree();
  }

  /** Drops one read hold; false (nothing changed) when there is none to drop. */
  releaseRead(): boolean {
    const cells = this.cells;
    for (;;) {
      const state = Atomics.load(cells, STATE);
      const count = state & COUNT_MASK;
      if (count === 0 || count === WRITE_LOCKED) return false;
      if (Atomics.compareExchange(cells, STATE, state, state - 1) !== state) continue;
      // The last reader out, with someone waiting: a writer first (the readers just had their turn).
      if (count === 1 && (state & FLAGS) !== 0) this.wakeIfFree();
      return true;
    }
  }

  /** Drops the write hold; false (nothing changed) when the lock is not write-locked. */
  releaseWrite(): boolean {
    const cells = this.cells;
    if ((Atomics.load(cells, STATE) & COUNT_MASK) !== WRITE_LOCKED) return false;
    Atomics.store(cells, OWNER, 0);
    // Only the writer changes the count while write-locked; flags may change under us, so subtract.
    const state = Atomics.sub(cells, STATE, WRITE_LOCKED) - WRITE_LOCKED;
    if ((state & FLAGS) !== 0) this.#wake(true);
    return true;
  }

  /** Turns the write hold into one read hold, letting in the readers that wait. False when not write-locked. */
  downgrade(): boolean {
    const cells = this.cells;
    if ((Atomics.load(cells, STATE) & COUNT_MASK) !== WRITE_LOCKED) return false;
    Atomics.store(cells, OWNER, 0);
    const state = Atomics.sub(cells, STATE, WRITE_LOCKED - 1) - (WRITE_LOCKED - 1);
    if ((state & READERS_WAITING) !== 0) this.#wakeReaders();
    return true;
  }

  /**
   * When no one holds the lock and a flag says someone waits: wakes one writer, or (none asleep) every
   * reader. Run by the last reader out, by a waiter that gives up, and on a wake-up lost to an abort.
   */
  wakeIfFree(): void {
    this.#wake(false);
  }

  /** Wakes the next phase of a free lock: readers first after a writer (`readersFirst`), else a writer first. */
  #wake(readersFirst: boolean): void {
    const cells = this.cells;
    for (;;) {
      const state = Atomics.load(cells, STATE);
      // Taken again meanwhile: its holder's release will wake the waiters.
      if ((state & COUNT_MASK) !== 0) return;
      if (readersFirst && (state & READERS_WAITING) !== 0) {
        if (Atomics.compareExchange(cells, STATE, state, state & ~READERS_WAITING) !== state) continue;
        if (Atomics.notify(cells, STATE, Infinity) > 0) return;
        continue; // none asleep after all: a writer, if one waits
      }
      if ((state & WRITERS_WAITING) !== 0) {
        if (Atomics.compareExchange(cells, STATE, state, state & ~WRITERS_WAITING) !== state) continue;
        Atomics.add(cells, WRITER_SEQ, 1);
        if (Atomics.notify(cells, WRITER_SEQ, 1) > 0) return;
        continue; // no writer asleep: the readers, if some wait
      }
      if ((state & READERS_WAITING) !== 0) {
        if (Atomics.compareExchange(cells, STATE, state, state & ~READERS_WAITING) !== state) continue;
        Atomics.notify(cells, STATE, Infinity);
      }
      return;
    }
  }

  #wakeReaders(): void {
    const cells = this.cells;
    for (;;) {
      const state = Atomics.load(cells, STATE);
      if ((state & READERS_WAITING) === 0) return;
      if (Atomics.compareExchange(cells, STATE, state, state & ~READERS_WAITING) === state) break;
    }
    Atomics.notify(cells, STATE, Infinity);
  }

  /**
   * A reader about to sleep: sets READERS_WAITING and returns the value to sleep on, or `undefined`
   * when the state changed so that it should try again first.
   */
  #readerSleepValue(privileged: boolean): number | undefined {
    const cells = this.cells;
    const state = Atomics.load(cells, STATE);
    const count = state & COUNT_MASK;
    if (count !== WRITE_LOCKED && (privileged || (state & FLAGS) === 0)) return undefined;
    if ((state & READERS_WAITING) !== 0) return state;
    const next = state | READERS_WAITING;
    return Atomics.compareExchange(cells, STATE, state, next) === state ? next : undefined;
  }

  /** A writer about to sleep: sets WRITERS_WAITING; false when the lock is free, to try again instead. */
  #markWriterWaiting(): boolean {
    const cells = this.cells;
    const state = Atomics.load(cells, STATE);
    if ((state & COUNT_MASK) === 0) return false;
    if ((state & WRITERS_WAITING) !== 0) return true;
    return Atomics.compareExchange(cells, STATE, state, state | WRITERS_WAITING) === state;
  }

  #spinRead(privileged: boolean): boolean {
    for (let i = 0; i < SPIN_LIMIT; i++) {
      const state = Atomics.load(this.cells, STATE);
      if ((state & COUNT_MASK) !== WRITE_LOCKED && (privileged || (state & FLAGS) === 0) && this.tryRead(privileged)) return true;
    }
    return false;
  }

  #spinWrite(ownerTag: number): boolean {
    for (let i = 0; i < SPIN_LIMIT; i++) {
      if ((Atomics.load(this.cells, STATE) & COUNT_MASK) === 0 && this.tryWrite(ownerTag)) return true;
    }
    return false;
  }

  /** A waiter leaves without the lock: a flag it left must not strand the others on a free lock. */
  #giveUp(): false {
    this.wakeIfFree();
    return false;
  }

  /** A reader sleeps without blocking; aborted, it leaves as one that gives up. */
  async #sleepAsync(expected: number, timeout: number, signal: AbortSignal | undefined): Promise<WaitResult> {
    try {
      return await waitNonBlocking(this.cells, STATE, expected, timeout, signal, this.#onAbandonedReaderWake, true);
    } catch (error) {
      this.wakeIfFree();
      throw error;
    }
  }

  /** Readers are woken all at once, so there is no one to pass the wake on to; but the lock may be free. */
  readonly #onAbandonedReaderWake = (): void => {
    this.wakeIfFree();
  };

  /** A writer was woken after its abort: pass the wake to another writer, or to whoever the lock suits. */
  readonly #onAbandonedWriterWake = (): void => {
    if (Atomics.notify(this.cells, WRITER_SEQ, 1) === 0) this.wakeIfFree();
  };
}
