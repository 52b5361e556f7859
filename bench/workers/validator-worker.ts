/**
 * Worker of bench/validator.ts's contended rows: on each command it switches the validator on or off
 * in its own thread, waits at the start line, then increments the shared counter under the shared
 * lock until told to stop, and reports how many times. Started while the main thread's validator was
 * on, so switched on it joins the process's shared order graph, and its blocking acquisitions publish
 * their waits in the wait-for table, as in a validated test run with workers.
 */
import { workerData } from 'node:worker_threads';
import { Lock, type LockHandle } from '@lockstep/primitives';
import { disableLockValidation, enableLockValidation, lockValidationReports } from '@lockstep/primitives/validate';
import { STOP, waitAtStartLine } from '../lib/start-line.js';
import { serve } from '../lib/threads.js';
import type { ContendedCommand } from './validator-protocol.js';

interface Data {
  readonly control: Int32Array;
  readonly counter: Int32Array;
  readonly lock: LockHandle;
}

const { control, counter, lock: lockHandle } = workerData as Data;
disableLockValidation();
const lock = Lock.from(lockHandle);

function blocking(): number {
  let ops = 0;
  while (Atomics.load(control, STOP) === 0) {
    lock.acquire();
    counter[0] = counter[0]! + 1;
    lock.release();
    ops++;
  }
  return ops;
}

async function async(): Promise<number> {
  let ops = 0;
  while (Atomics.load(control, STOP) === 0) {
    await lock.acquireAsync();
    counter[0] = counter[0]! + 1;
    lock.release();
    ops++;
  }
  return ops;
}

serve(async (command) => {
  const { form, on, generation } = command as unknown as ContendedCommand;
  if (on) enableLockValidation({ onReport: 'throw' });
  else disableLockValidation();
  waitAtStartLine(control, generation);
  try {
    const ops = form === 'blocking' ? blocking() : await async();
    if (lockValidationReports().length > 0) throw new Error('the validator reported something on one lock taken alone');
    return ops;
  } finally {
    disableLockValidation();
  }
});
