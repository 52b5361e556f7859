import { workerData } from 'node:worker_threads';
import { Lock, type LockHandle } from '@lockstep/primitives';

const { lock: handle, counter } = workerData as { lock: LockHandle; counter: Int32Array };
const lock = Lock.from(handle);
for (let i = 0; i < 1000; i++) {
  lock.acquire();
  try {
    Atomics.add(counter, 0, 1);
  } finally {
    lock.release();
  }
}
