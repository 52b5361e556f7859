// The middle thread of the owner-death grandchild tests: it starts a registered worker of its own,
// which takes an RLock and sleeps holding it, then either kills that child itself (`kill-child`) or
// waits to be killed with it (`die-with-child`).
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { registerWorker } from '@lockstep/primitives';

const { mode, handle, flag } = workerData;
const child = new Worker(
  `import('@lockstep/primitives').then((lib) => {
     const { workerData } = require('node:worker_threads');
     lib.RLock.from(workerData.handle).acquire();
     Atomics.store(workerData.flag, 0, 1);
     Atomics.notify(workerData.flag, 0);
     Atomics.wait(workerData.flag, 0, 1);
   });`,
  { eval: true, workerData: { handle, flag } },
);
registerWorker(child);
child.on('error', () => {});
while (Atomics.load(flag, 0) !== 1) await new Promise((resolve) => setTimeout(resolve, 2));
if (mode === 'kill-child') {
  await child.terminate();
  parentPort.postMessage('child killed');
} else {
  parentPort.postMessage('child holds the lock');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
