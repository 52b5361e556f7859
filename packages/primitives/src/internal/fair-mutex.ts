import { LockStateError } from '../errors.js';
import { assertCanBlock, waitBlocking, waitNonBlocking } from './futex.js';
import { remaining, type Deadline } from './options.js';
import { cancellableSlice, type WaitCancellation } from './wait-cancel.js';

/**
 * The mutex of `new Lock({ fair: true })`: strict FIFO, a ticket lock.
 *
 * NEXT is the next ticket to hand out, SERVING the ticket that holds the lock; the lock is free exactly
 * when they are equal, and taking it uncontended is one compare-exchange of NEXT from SERVING. A waiter
 * takes the next ticket and waits for SERVING to reach it, so its place in line is fixed the moment it
 * takes the ticket, however often it wakes: the engine's wait list (which a sleeper leaves on every
 * timed slice) plays no part in the order. A release moves SERVING on: the lock goes to the next
 * ticket, never to a newcomer, which can only take a ticket behind it.
 *
 * Why a ring of per-ticket slots rather than every waiter sleeping on SERVING: one release wakes one
 * thread (the next in line), not all of them, and a waiter can leave the line. A slot holds its
 * ticket's state, tagged with the ticket's round of the ring (so a slow releaser can never mistake a
 * later ticket's slot for the one it meant): WAITING (announced, maybe asleep), GRANTED (the releaser
 * moved SERVING to it and woke it) or ABANDONED (it gave up: timeout, abort, cancellation). A waiter
 * that gives up marks its slot ABANDONED and then looks at SERVING; the releaser moves SERVING and then
 * looks at the slot. Both then try the one compare-exchange ABANDONED → EMPTY, so exactly one of them
 * passes the lock on to the next ticket, and an abandoned place is skipped rather than left holding
 * the lock. A waiter that finds its slot GRANTED when it means to give up holds the lock: on a timeout
 * it keeps it (the acquisition succeeded at the last moment), on an abort or a cancellation it passes
 * it on before it throws.
 *
 * The ring bounds the line at {@link FAIR_RING} tickets (a slot is reused only once SERVING has passed
 * its previous ticket). Further waiters wait, ticketless, for SERVING to move and then queue: strict
 * FIFO holds among the first {@link FAIR_RING} waiters, and the others queue in the order they find
 * room. A ticketless waiter leaves freely on a timeout. `waitForUnlock()` callers sleep on SERVING too.
 *
 * The cost is the convoy that eventual fairness avoids: under contention every release hands the lock
 * to a sleeping thread, which must wake up before anyone can use it (see docs/primitives.md for figures).
 * Owner death is not detected (a fair lock cannot be robust): the owner would have to be in the word
 * that takes the lock, as in `RobustMutex`, and here that word is a ticket counter.
 */
export const FAIR_RING = 64;
const RING_SHIFT = 6;
const RING_MASK = FAIR_RING - 1;

const NEXT = 0;
const SERVING = 1;
/** Ticketless sleepers on SERVING (waitForUnlock, or no room in the ring): releases notify them. */
const WATCHERS = 2;
const SLOTS = 3;
export const FAIR_MUTEX_CELLS = SLOTS + FAIR_RING;

const EMPTY = 0;
const WAITING = 1;
const ABANDONED = 2;
const GRANTED = 3;

/** A slot's value for `ticket` in `state`: the ticket's round of the ring above the two state bits. */
function mark(ticket: number, state: number): number {
  return (((ticket >>> RING_SHIFT) << 2) | state) | 0;
}

/** Looks at SERVING a few times before sleeping: a short critical section ends before a sleep would. */
const SPIN_LIMIT = 64;


const ignoreWake = (): void => {};

export class FairMutex {
  readonly cells: Int32Array;
  readonly base: number;

  constructor(cells: Int32Array, base = 0) {
    this.cells = cells;
    this.base = base;
  }

  get isLocked(): boolean {
    return Atomics.load(this.cells, this.base + NEXT) !== Atomics.load(this.cells, this.base + SERVING);
  }

  /** Takes the lock only when nobody holds it or waits for it (there is no line to jump). */
  tryLock(): boolean {
    const serving = Atomics.load(this.cells, this.base + SERVING);
    return Atomics.compareExchange(this.cells, this.base + NEXT, serving, (serving + 1) | 0) === serving;
  }

  lockBlocking(deadline: Deadline, method: string, cancel?: WaitCancellation): boolean {
    if (this.tryLock()) return true;
    if (remaining(deadline) === 0) return false;
    const snapshot = cancel?.snapshot() ?? 0;
    assertCanBlock(method);
    const ticket = this.#enterLineBlocking(deadline, method, cancel, snapshot);
    if (ticket === undefined) return false;
    if (this.#serving() === ticket || this.#spinFor(ticket)) return true;
    const slot = this.#slot(ticket);
    const waiting = mark(ticket, WAITING);
    Atomics.store(this.cells, slot, waiting);
    try {
      for (;;) {
        if (cancel?.cancelledSince(snapshot) === true) throw cancel.error(snapshot, method);
        if (this.#serving() === ticket) return this.#taken(slot);
        const timeout = remaining(deadline);
        if (timeout === 0) return this.#giveUp(ticket);
        waitBlocking(this.cells, slot, waiting, cancellableSlice(timeout, cancel), method);
      }
    } catch (error) {
      if (this.#giveUp(ticket)) this.#advanceFrom(ticket);
      throw error;
    }
  }

  async lockAsync(deadline: Deadline, signal: AbortSignal | undefined, method: string, cancel?: WaitCancellation): Promise<boolean> {
    if (this.tryLock()) return true;
    if (remaining(deadline) === 0) return false;
    const snapshot = cancel?.snapshot() ?? 0;
    const ticket = await this.#enterLineAsync(deadline, signal, method, cancel, snapshot);
    if (ticket === undefined) return false;
    if (this.#serving() === ticket) return true;
    const slot = this.#slot(ticket);
    const waiting = mark(ticket, WAITING);
    Atomics.store(this.cells, slot, waiting);
    try {
      for (;;) {
        if (cancel?.cancelledSince(snapshot) === true) throw cancel.error(snapshot, method);
        if (this.#serving() === ticket) return this.#taken(slot);
        const timeout = remaining(deadline);
        if (timeout === 0) return this.#giveUp(ticket);
        // A grant to an aborted waiter is handled by the catch below, not by the late wake-up.
        await waitNonBlocking(this.cells, slot, waiting, cancellableSlice(timeout, cancel), signal, ignoreWake, true);
      }
    } catch (error) {
      if (this.#giveUp(ticket)) this.#advanceFrom(ticket);
      throw error;
    }
  }

  /**
   * Releases: the lock goes to the next live ticket, or becomes free when there is none.
   * @throws LockStateError when the lock is not held (and changes nothing).
   */
  unlock(describe: () => string): void {
    const { cells, base } = this;
    for (;;) {
      const serving = Atomics.load(cells, base + SERVING);
      if (Atomics.load(cells, base + NEXT) === serving) throw new LockStateError(`release() of an unlocked ${describe()}`);
      // A compare-exchange, not an add: two racing wrong releases must not move SERVING past NEXT.
      if (Atomics.compareExchange(cells, base + SERVING, serving, (serving + 1) | 0) === serving) {
        this.#grant((serving + 1) | 0);
        return;
      }
    }
  }

  /** `Lock.waitForUnlock()`: until nobody holds the lock or waits in line for it; takes nothing. */
  waitUnlockedBlocking(deadline: Deadline, method: string, cancel: WaitCancellation): boolean {
    if (!this.isLocked) return true;
    if (remaining(deadline) === 0) return false;
    // Read before anything that could sleep (even the probe of canBlock): see wait-cancel.ts.
    const snapshot = cancel.snapshot();
    assertCanBlock(method);
    const { cells, base } = this;
    Atomics.add(cells, base + WATCHERS, 1);
    try {
      for (;;) {
        const serving = Atomics.load(cells, base + SERVING);
        if (Atomics.load(cells, base + NEXT) === serving) return true;
        const timeout = remaining(deadline);
        if (timeout === 0) return false;
        waitBlocking(cells, base + SERVING, serving, cancellableSlice(timeout, cancel), method);
        if (cancel.cancelledSince(snapshot)) throw cancel.error(snapshot, method);
      }
    } finally {
      Atomics.sub(cells, base + WATCHERS, 1);
    }
  }

  async waitUnlockedAsync(deadline: Deadline, signal: AbortSignal | undefined, method: string, cancel: WaitCancellation): Promise<boolean> {
    const snapshot = cancel.snapshot();
    const { cells, base } = this;
    Atomics.add(cells, base + WATCHERS, 1);
    try {
      for (;;) {
        const serving = Atomics.load(cells, base + SERVING);
        if (Atomics.load(cells, base + NEXT) === serving) return true;
        const timeout = remaining(deadline);
        if (timeout === 0) return false;
        // Releases notify every watcher: a wake-up reaching an aborted one is nobody else's.
        await waitNonBlocking(cells, base + SERVING, serving, cancellableSlice(timeout, cancel), signal, ignoreWake, true);
        if (cancel.cancelledSince(snapshot)) throw cancel.error(snapshot, method);
      }
    } finally {
      Atomics.sub(cells, base + WATCHERS, 1);
    }
  }

  /** For `cancelWaiters()`: wakes every sleeper (each slot's and SERVING's), which then looks at the generation. */
  wakeAll(): void {
    const { cells, base } = this;
    for (let i = 0; i < FAIR_RING; i++) Atomics.notify(cells, base + SLOTS + i);
    Atomics.notify(cells, base + SERVING);
  }

  #serving(): number {
    return Atomics.load(this.cells, this.base + SERVING);
  }

  #slot(ticket: number): number {
    return this.base + SLOTS + (ticket & RING_MASK);
  }

  #spinFor(ticket: number): boolean {
    for (let i = 0; i < SPIN_LIMIT; i++) if (this.#serving() === ticket) return true;
    return false;
  }

  /** SERVING reached our ticket: the slot is ours to clear (a grant may have landed there meanwhile). */
  #taken(slot: number): true {
    Atomics.store(this.cells, slot, EMPTY);
    return true;
  }

  /** A ticket while there is room in the ring, else `undefined` (the line is full). */
  #tryTicket(): number | undefined {
    const { cells, base } = this;
    for (;;) {
      const next = Atomics.load(cells, base + NEXT);
      // SERVING read after NEXT can only be newer, so the room seen here is never more than there is.
      if (((next - Atomics.load(cells, base + SERVING)) | 0) >= FAIR_RING) return undefined;
      if (Atomics.compareExchange(cells, base + NEXT, next, (next + 1) | 0) === next) return next;
    }
  }

  #enterLineBlocking(deadline: Deadline, method: string, cancel: WaitCancellation | undefined, snapshot: number): number | undefined {
    const { cells, base } = this;
    let ticket = this.#tryTicket();
    if (ticket !== undefined) return ticket;
    Atomics.add(cells, base + WATCHERS, 1);
    try {
      for (;;) {
        const serving = Atomics.load(cells, base + SERVING);
        ticket = this.#tryTicket();
        if (ticket !== undefined) return ticket;
        const timeout = remaining(deadline);
        if (timeout === 0) return undefined;
        waitBlocking(cells, base + SERVING, serving, cancellableSlice(timeout, cancel), method);
        if (cancel?.cancelledSince(snapshot) === true) throw cancel.error(snapshot, method);
      }
    } finally {
      Atomics.sub(cells, base + WATCHERS, 1);
    }
  }

  async #enterLineAsync(
    deadline: Deadline,
    signal: AbortSignal | undefined,
    method: string,
    cancel: WaitCancellation | undefined,
    snapshot: number,
  ): Promise<number | undefined> {
    const { cells, base } = this;
    let ticket = this.#tryTicket();
    if (ticket !== undefined) return ticket;
    Atomics.add(cells, base + WATCHERS, 1);
    try {
      for (;;) {
        const serving = Atomics.load(cells, base + SERVING);
        ticket = this.#tryTicket();
        if (ticket !== undefined) return ticket;
        const timeout = remaining(deadline);
        if (timeout === 0) return undefined;
        await waitNonBlocking(cells, base + SERVING, serving, cancellableSlice(timeout, cancel), signal, ignoreWake, true);
        if (cancel?.cancelledSince(snapshot) === true) throw cancel.error(snapshot, method);
      }
    } finally {
      Atomics.sub(cells, base + WATCHERS, 1);
    }
  }

  /**
   * Leaves the line. `true` when the caller turns out to hold the lock (granted meanwhile, or served
   * and the pass-on fell to it): it then keeps it or passes it on. `false`: the place is abandoned, and
   * whoever serves it skips it.
   */
  #giveUp(ticket: number): boolean {
    const { cells } = this;
    const slot = this.#slot(ticket);
    const abandoned = mark(ticket, ABANDONED);
    const seen = Atomics.compareExchange(cells, slot, mark(ticket, WAITING), abandoned);
    if (seen === mark(ticket, GRANTED)) return this.#taken(slot);
    if (seen !== mark(ticket, WAITING)) return false;
    // Served before the releaser looked at the slot: one of us passes the lock on.
    return this.#serving() === ticket && Atomics.compareExchange(cells, slot, abandoned, EMPTY) === abandoned;
  }

  /** The holder of `ticket` lets go (an abandoned place it turned out to hold). */
  #advanceFrom(ticket: number): void {
    Atomics.store(this.cells, this.base + SERVING, (ticket + 1) | 0);
    this.#grant((ticket + 1) | 0);
  }

  /** SERVING was just moved to `ticket`: wake its waiter, or skip it when it left the line. */
  #grant(ticket: number): void {
    const { cells, base } = this;
    let serving = ticket;
    for (;;) {
      // Nobody has this ticket: the lock is free. A later taker of it finds SERVING already there.
      if (Atomics.load(cells, base + NEXT) === serving) break;
      const slot = this.#slot(serving);
      const waiting = mark(serving, WAITING);
      const seen = Atomics.compareExchange(cells, slot, waiting, mark(serving, GRANTED));
      if (seen === waiting) {
        // Every sleeper of the slot: an aborted async waiter of an earlier round may still be listed.
        Atomics.notify(cells, slot);
        break;
      }
      const abandoned = mark(serving, ABANDONED);
      if (seen !== abandoned || Atomics.compareExchange(cells, slot, abandoned, EMPTY) !== abandoned) {
        // EMPTY: its taker has not announced itself yet, and will find SERVING at its ticket.
        // Otherwise the waiter that abandoned it passes the lock on itself.
        break;
      }
      serving = (serving + 1) | 0;
      Atomics.store(cells, base + SERVING, serving);
    }
    if (Atomics.load(cells, base + WATCHERS) > 0) Atomics.notify(cells, base + SERVING);
  }
}
