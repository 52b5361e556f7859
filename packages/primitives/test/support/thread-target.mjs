// Target module for the Thread tests: what it does is chosen by workerData.mode; it reports through a
// Queue (workerData.out), so the test sees what happened inside the thread.
import { threadId, workerData } from 'node:worker_threads';
import { currentThread, Event, Lock, Queue } from '@lockstep/primitives';

const { mode } = workerData;
const out = workerData.out === undefined ? undefined : Queue.from(workerData.out);

switch (mode) {
  case 'report':
    out.put({ current: currentThread(), threadId });
    break;
  case 'error-info':
    try {
      new Queue().getNowait();
      out.put({ name: 'none' });
    } catch (error) {
      out.put({ name: error.name, thread: error.thread, message: error.message, threadId });
    }
    break;
  case 'throw':
    throw new Error('boom from the thread');
  case 'wait':
    if (!Event.from(workerData.event).wait({ timeout: 30_000 })) throw new Error('never released');
    out?.put('released');
    break;
  case 'count': {
    const lock = Lock.from(workerData.lock);
    const counter = workerData.counter;
    for (let i = 0; i < workerData.times; i++) {
      lock.acquire();
      try {
        counter[0] = counter[0] + 1;
      } finally {
        lock.release();
      }
    }
    break;
  }
  default:
    throw new Error(`unknown mode ${String(mode)}`);
}
