/**
 * go-deadlock's watchdog: a lock held longer than a limit is reported while it is still held. Timing
 * every acquisition would cost a clock read each (more than the rest of the steady state), so time is
 * counted in ticks instead: a timer (unref'd: it never keeps a process alive) advances `holdEpoch`
 * eight times per limit, an acquisition stamps its entry with the epoch (a variable read), and each
 * tick looks at the held entries of this thread's locks for one stamped more than eight ticks ago.
 * So a lock is reported once it has been held between one limit and one limit and an eighth.
 *
 * The locks looked at are held strongly, not through `WeakRef`s: V8 keeps a `WeakRef`'s target alive
 * until the current job ends, and a loop of awaits that never yields to the event loop (creating a
 * lock per iteration) kept every lock it made. Instead a lock is looked at from its first
 * acquisition, and let go of, once it holds nothing, by the tick or when the list has doubled; its
 * next acquisition puts it back (`LockRecord.watched`).
 *
 * The timer is the runtime's own (real-timers.ts), not a test's fake one. It runs on the thread's
 * event loop: a thread blocked in a wait (or in a long synchronous loop) is not looked at until it
 * returns to it.
 */
import { HELD, type HeldEntry } from './held-contexts.js';
import type { LockRecord } from './lock-records.js';
import { LONGEST_TIMER_MS } from '../internal/long-timeout.js';
import { realClearInterval, realSetInterval } from './real-timers.js';

/** The ticks seen by this thread's watchdog so far: what an acquisition stamps its entry with. */
export let holdEpoch = 0;

const TICKS_PER_LIMIT = 8;

interface Timer {
  unref?(): void;
}

/** The list's length at which it is first pruned between ticks. */
const FIRST_PRUNE = 1024;

export class HoldWatchdog {
  readonly #records: LockRecord[] = [];
  #pruneAt = FIRST_PRUNE;
  readonly #timer: ReturnType<typeof realSetInterval>;
  /** Ticks an entry must be older than to be overdue. */
  readonly #ticks: number;

  constructor(
    readonly limitMs: number,
    readonly overdue: (entry: HeldEntry) => void,
  ) {
    // Timers take at most 2^31 - 1 ms (longer ones fire after 1 ms): a longer tick is split into more ticks.
    const tickMs = Math.min(LONGEST_TIMER_MS, Math.max(1, limitMs / TICKS_PER_LIMIT));
    this.#ticks = Math.max(TICKS_PER_LIMIT, Math.ceil(limitMs / tickMs));
    this.#timer = realSetInterval(() => {
      this.tick();
    }, tickMs);
    (this.#timer as Timer).unref?.();
  }

  /** Watches a lock of this thread from now on, until it holds nothing at a prune. */
  track(record: LockRecord): void {
    // Pruned before the push: the lock being acquired holds nothing yet.
    if (this.#records.length >= this.#pruneAt) this.#prune();
    record.watched = true;
    this.#records.push(record);
  }

  stop(): void {
    realClearInterval(this.#timer);
  }

  /** One tick: advance the epoch, report entries held for more than the limit, let go of locks holding nothing. */
  tick(): void {
    holdEpoch += 1;
    for (const record of this.#records) {
      for (const entry of record.held) {
        if (entry.state === HELD && !entry.overdue && holdEpoch - entry.epoch > this.#ticks) {
          entry.overdue = true;
          this.overdue(entry);
        }
      }
    }
    this.#prune();
  }

  /** Drops the locks that hold nothing now (their next acquisition tracks them again). */
  #prune(): void {
    const records = this.#records;
    let kept = 0;
    for (const record of records) {
      if (holdsSomething(record)) records[kept++] = record;
      else record.watched = false;
    }
    records.length = kept;
    this.#pruneAt = Math.max(FIRST_PRUNE, 2 * kept);
  }
}

function holdsSomething(record: LockRecord): boolean {
  for (const entry of record.held) if (entry.state === HELD) return true;
  return false;
}
