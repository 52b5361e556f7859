/**
 * Worker of bench/contended-counter.ts: on each `run` command it waits at the start line, then
 * increments the shared counter under the chosen lock until told to stop, and reports how many times.
 * The loop is the C reference's: `while (!stop) { lock; counter++; unlock; ops++; }`.
 */
import '../lib/node20-shims.js'; // before multithreading, which needs them at import time
import { workerData } from 'node:worker_threads';
import { Lock, type LockHandle } from '@lockstep/primitives';
import { Mutex } from 'multithreading';
import { STOP, waitAtStartLine } from '../lib/start-line.js';
import { serve } from '../lib/threads.js';
import type { CounterVariant } from './counter-protocol.js';

interface Data {
  readonly control: Int32Array;
  readonly counter: Int32Array;
  readonly lock: LockHandle;
  readonly spin: Int32Array;
  readonly mutexBuffer: SharedArrayBuffer;
}

const { control, counter, lock: lockHandle, spin, mutexBuffer } = workerData as Data;
const lock = Lock.from(lockHandle);
const mutex = new Mutex(undefined, mutexBuffer);

function withLockstep(): number {
  let ops = 0;
  while (Atomics.load(control, STOP) === 0) {
    lock.acquire();
    counter[0] = counter[0]! + 1;
    lock.release();
    ops++;
  }
  return ops;
}

/** The naive spin lock: compare-exchange until it succeeds, never sleeping or yielding. */
function withSpin(): number {
  let ops = 0;
  while (Atomics.load(control, STOP) === 0) {
    while (Atomics.compareExchange(spin, 0, 0, 1) !== 0);
    counter[0] = counter[0]! + 1;
    Atomics.store(spin, 0, 0);
    ops++;
  }
  return ops;
}

function withMultithreading(): number {
  let ops = 0;
  while (Atomics.load(control, STOP) === 0) {
    const guard = mutex.blockingLock();
    counter[0] = counter[0]! + 1;
    guard.dispose();
    ops++;
  }
  return ops;
}

const loops: Record<CounterVariant, () => number> = {
  lockstep: withLockstep,
  spin: withSpin,
  multithreading: withMultithreading,
};

serve((command) => {
  const loop = loops[command.variant as CounterVariant];
  const generation = command.generation as number;
  waitAtStartLine(control, generation);
  return loop();
});
