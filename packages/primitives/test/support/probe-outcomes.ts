import { expect } from 'vitest';

// What the prober of fault-worker.mjs reports, and the outcomes each probed call may have.

export const ISLE = 'InternalStateLockedError';

export interface Outcome {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
  readonly cause?: string | undefined;
}

export interface QueueProbe {
  readonly calls: Record<string, Outcome>;
  readonly taken: number[];
  readonly sentinelsPut: number;
  readonly unfinished: number;
}

export function outcomeName(outcome: Outcome): string {
  if (outcome.ok) return 'ok';
  return outcome.cause === undefined ? outcome.error! : `${outcome.error!}(${outcome.cause})`;
}

/**
 * Which of a queue's internal locks the probe found held by the dead victim: a FIFO `Queue` has two
 * (puts hold one, gets the other), a LIFO or priority queue one for everything (`'both'`).
 */
export type LockedSide = 'none' | 'put' | 'take' | 'both';

export function lockedSide(calls: Record<string, Outcome>): LockedSide {
  const put = calls.putNowait!.error === ISLE;
  const take = calls.getNowait!.error === ISLE;
  return put && take ? 'both' : put ? 'put' : take ? 'take' : 'none';
}

/** The outcomes a queue's probes may have, by which of its internal locks was left held. */
export function checkQueueCalls(calls: Record<string, Outcome>, locked: LockedSide): void {
  const names = Object.fromEntries(Object.entries(calls).map(([name, outcome]) => [name, outcomeName(outcome)]));
  if (locked === 'both') {
    expect(names).toEqual({
      get: `QueueEmpty(${ISLE})`,
      getNowait: ISLE,
      put: `QueueFull(${ISLE})`,
      putNowait: ISLE,
      join: 'ok',
      getAsync: `QueueEmpty(${ISLE})`,
      getAsyncNoWait: ISLE,
      putAsync: `QueueFull(${ISLE})`,
      joinAsync: 'ok',
      shutdown: ISLE,
      drainEnd: ISLE,
      taskDone: ISLE,
    });
    expect([calls.join!.value, calls.joinAsync!.value]).toEqual([false, false]);
    return;
  }
  if (locked === 'take') {
    // Gets wait for the lock and give up; puts go on (one that must grow the storage, which moves
    // what getters read, waits for the take lock too: QueueFull by its timeout); so do join and
    // taskDone, which need only the put lock; shutdown needs both.
    const { put, putNowait, putAsync, join, joinAsync, taskDone, ...rest } = names;
    expect(rest).toEqual({
      get: `QueueEmpty(${ISLE})`,
      getNowait: ISLE,
      getAsync: `QueueEmpty(${ISLE})`,
      getAsyncNoWait: ISLE,
      shutdown: ISLE,
      drainEnd: ISLE,
    });
    for (const name of [put, putAsync]) expect(['ok', 'QueueFull', `QueueFull(${ISLE})`]).toContain(name);
    expect(['ok', 'QueueFull', ISLE]).toContain(putNowait);
    expect([join, joinAsync]).toEqual(['ok', 'ok']);
    expect(['ok', 'RangeError']).toContain(taskDone);
    return;
  }
  if (locked === 'put') {
    // The other way round: gets go on, puts, join, taskDone and shutdown give up.
    const { get, getNowait, getAsync, getAsyncNoWait, drainEnd, ...rest } = names;
    expect(rest).toEqual({
      put: `QueueFull(${ISLE})`,
      putNowait: ISLE,
      join: 'ok',
      putAsync: `QueueFull(${ISLE})`,
      joinAsync: 'ok',
      shutdown: ISLE,
      taskDone: ISLE,
    });
    for (const name of [get, getNowait, getAsync, getAsyncNoWait]) expect(['ok', 'QueueEmpty']).toContain(name);
    expect(drainEnd).toBe('QueueEmpty');
    expect([calls.join!.value, calls.joinAsync!.value]).toEqual([false, false]);
    return;
  }
  for (const [name, outcome] of Object.entries(names)) expect(outcome, name).not.toContain(ISLE);
  for (const name of ['get', 'getNowait', 'getAsync', 'getAsyncNoWait']) expect(['ok', 'QueueEmpty']).toContain(names[name]);
  for (const name of ['put', 'putNowait', 'putAsync']) expect(['ok', 'QueueFull']).toContain(names[name]);
  expect(names.shutdown).toBe('ok');
  expect(names.drainEnd).toBe('QueueShutDown');
}
