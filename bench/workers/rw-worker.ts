/**
 * Worker of bench/contended-read-heavy.ts: on each command it waits at the start line, then until told to
 * stop does nine reads and one write in ten: a read sums the table under a read hold, a write bumps
 * every cell under a write hold. Reports how many operations it made and whether a read ever saw a torn
 * table (cells differing: a write overlapping a read).
 */
import '../lib/node20-shims.js'; // before multithreading, which needs them at import time
import { workerData } from 'node:worker_threads';
import { Lock, ReadWriteLock, type LockHandle, type ReadWriteLockHandle } from '@lockstep/primitives';
import { RwLock } from 'multithreading';
import { serve } from '../lib/threads.js';
import { STOP, waitAtStartLine } from '../lib/start-line.js';
import { readTable, WRITE_EVERY, writeTable, type RwVariant } from './rw-protocol.js';

interface Data {
  readonly control: Int32Array;
  readonly table: Int32Array;
  readonly rw: ReadWriteLockHandle;
  readonly lock: LockHandle;
  readonly mtState: SharedArrayBuffer;
}

const { control, table, rw: rwHandle, lock: lockHandle, mtState } = workerData as Data;
const rw = ReadWriteLock.from(rwHandle);
const lock = Lock.from(lockHandle);
const mtRw = new RwLock(undefined, mtState);

type Result = readonly [ops: number, torn: number];

function withReadWriteLock(): Result {
  let ops = 0;
  let torn = 0;
  while (Atomics.load(control, STOP) === 0) {
    if (ops % WRITE_EVERY === 0) {
      rw.acquireWrite();
      writeTable(table);
      rw.releaseWrite();
    } else {
      rw.acquireRead();
      if (!readTable(table)) torn++;
      rw.releaseRead();
    }
    ops++;
  }
  return [ops, torn];
}

function withLock(): Result {
  let ops = 0;
  let torn = 0;
  while (Atomics.load(control, STOP) === 0) {
    lock.acquire();
    if (ops % WRITE_EVERY === 0) writeTable(table);
    else if (!readTable(table)) torn++;
    lock.release();
    ops++;
  }
  return [ops, torn];
}

function withMultithreading(): Result {
  let ops = 0;
  let torn = 0;
  while (Atomics.load(control, STOP) === 0) {
    if (ops % WRITE_EVERY === 0) {
      const guard = mtRw.blockingWrite();
      writeTable(table);
      guard.dispose();
    } else {
      const guard = mtRw.blockingRead();
      if (!readTable(table)) torn++;
      guard.dispose();
    }
    ops++;
  }
  return [ops, torn];
}

const loops: Record<RwVariant, () => Result> = {
  'lockstep-rw': withReadWriteLock,
  'lockstep-lock': withLock,
  'multithreading-rw': withMultithreading,
};

serve((command) => {
  const loop = loops[command.variant as RwVariant];
  const generation = command.generation as number;
  waitAtStartLine(control, generation);
  return loop();
});
