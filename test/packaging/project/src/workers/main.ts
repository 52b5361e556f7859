// A TypeScript main thread starting a TypeScript worker under tsx, as docs/install.md shows.
import { Lock, Thread } from '@lockstep/primitives';

const lock = new Lock();
const counter = new Int32Array(new SharedArrayBuffer(4));
const thread = new Thread(new URL('./worker.ts', import.meta.url), {
  workerData: { lock: lock.handle, counter },
  workerOptions: { execArgv: [...process.execArgv, '--import', new URL('./register-tsx.mjs', import.meta.url).href] },
});
thread.start();
await thread.join();
console.log(Atomics.load(counter, 0));
