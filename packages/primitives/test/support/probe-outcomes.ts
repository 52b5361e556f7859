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

/** The outcomes a queue's probes may have: one set when its internal lock was left held, one when not. */
export function checkQueueCalls(calls: Record<string, Outcome>, locked: boolean): void {
  const names = Object.fromEntries(Object.entries(calls).map(([name, outcome]) => [name, outcomeName(outcome)]));
  if (locked) {
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
  for (const [name, outcome] of Object.entries(names)) expect(outcome, name).not.toContain(ISLE);
  for (const name of ['get', 'getNowait', 'getAsync', 'getAsyncNoWait']) expect(['ok', 'QueueEmpty']).toContain(names[name]);
  for (const name of ['put', 'putNowait', 'putAsync']) expect(['ok', 'QueueFull']).toContain(names[name]);
  expect(names.shutdown).toBe('ok');
  expect(names.drainEnd).toBe('QueueShutDown');
}

