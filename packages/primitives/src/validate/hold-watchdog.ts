/**
 * go-deadlock's watchdog: a lock held longer than a limit is reported while it is still held. Timing
 * every acquisition would cost a clock read each (more than the rest of the steady state), so time is
 * counted in ticks instead: a timer (unref'd: it never keeps a process alive) advances `holdEpoch`
 * eight times per limit, an acquisition stamps its entry with the epoch (a variable read), and each
 * tick looks at the held entries of this thread's locks for one stamped more than eight ticks ago.
 * So a lock is reported once it has been held between one limit and one limit and an eighth.
 *
 * The timer is the runtime's own (real-timers.ts), not a test's fake one. It runs on the thread's
 * event loop: a thread blocked in a wait (or in a long synchronous loop) is not looked at until it
 * returns to it.
 */
import { HELD, type HeldEntry } from './held-contexts.js';
import type { LockRecord } from './lock-records.js';
import { realClearInterval, realSetInterval } from './real-timers.js';

/** The ticks seen by this thread's watchdog so far: what an acquisition stamps its entry with. */
export let holdEpoch = 0;

const TICKS_PER_LIMIT = 8;
/** Timers take at most 2^31 - 1 ms (longer ones fire after 1 ms): a longer tick is split into more ticks. */
const LONGEST_TICK_MS = 2 ** 31 - 1;

interface Timer {
  unref?(): void;
}

export class HoldWatchdog {
  readonly #records: WeakRef<LockRecord>[] = [];
  readonly #timer: ReturnType<typeof realSetInterval>;
  /** Ticks an entry must be older than to be overdue. */
  readonly #ticks: number;

  constructor(
    readonly limitMs: number,
    readonly overdue: (entry: HeldEntry) => void,
  ) {
    const tickMs = Math.min(LONGEST_TICK_MS, Math.max(1, limitMs / TICKS_PER_LIMIT));
    this.#ticks = Math.max(TICKS_PER_LIMIT, Math.ceil(limitMs / tickMs));
    this.#timer = realSetInterval(() => {
      this.tick();
    }, tickMs);
    (this.#timer as Timer).unref?.();
  }

  /** Watches a lock of this thread from now on (it is let go of when the lock is collected). */
  track(record: LockRecord): void {
    this.#records.push(new WeakRef(record));
  }

  stop(): void {
    realClearInterval(this.#timer);
  }

  /** One tick: advance the epoch, report entries held for more than the limit, drop collected locks. */
  tick(): void {
    holdEpoch += 1;
    const records = this.#records;
    let kept = 0;
    for (const reference of records) {
      const record = reference.deref();
      if (record === undefined) continue;
      records[kept++] = reference;
      for (const entry of record.held) {
        if (entry.state === HELD && !entry.overdue && holdEpoch - entry.epoch > this.#ticks) {
          entry.overdue = true;
          this.overdue(entry);
        }
      }
    }
    records.length = kept;
  }
}
