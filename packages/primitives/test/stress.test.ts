import { afterEach, describe, expect, test } from 'vitest';
import { Condition, Lock, RLock, Semaphore } from '@lockstep/primitives';
import { contendedIncrements } from './support/contention.js';
import { terminateAll } from './support/workers.js';

afterEach(terminateAll);

const WORKERS = 4;
const ITERATIONS = 100_000;

describe('4 workers x 100 000 guarded increments end at exactly 400 000', () => {
  test.each([
    ['Lock', () => new Lock().handle],
    ['RLock', () => new RLock().handle],
    ['Semaphore', () => new Semaphore(1).handle],
    ['Condition', () => new Condition().handle],
  ] as const)('%s', async (kind, makeHandle) => {
    const { total, tallies } = await contendedIncrements(kind, makeHandle(), WORKERS, ITERATIONS);
    expect(tallies).toEqual([ITERATIONS, ITERATIONS, ITERATIONS, ITERATIONS]);
    expect(total).toBe(WORKERS * ITERATIONS);
  });

  test('control: without a guard the same harness loses updates', async () => {
    // Overlap is forced by the start gate, and a few hundred thousand racy increments on two cores
    // collide whenever two workers run at once. On a machine busy enough to run the workers one after
    // the other an attempt may lose nothing, so up to five attempts are made: a harness that never
    // races would pass none of them, and the guarded results above would prove nothing.
    const totals: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const { total, tallies } = await contendedIncrements('none', undefined, WORKERS, ITERATIONS * 5);
      expect(tallies.every((n) => n === ITERATIONS * 5)).toBe(true);
      totals.push(total);
      if (total < WORKERS * ITERATIONS * 5) break;
    }
    expect(totals.at(-1)).toBeLessThan(WORKERS * ITERATIONS * 5);
  });
});
