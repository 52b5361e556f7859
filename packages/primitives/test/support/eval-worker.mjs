// Runs one function, sent as source text, inside a real worker thread with the built package loaded.
// The function gets the package's exports and the test's data (primitives travel as their handles).
import { parentPort, workerData } from 'node:worker_threads';

const lib = await import('@lockstep/primitives');
try {
  const fn = (0, eval)(`(${workerData.source})`);
  const result = await fn(lib, workerData.data);
  parentPort.postMessage({ ok: true, result });
} catch (error) {
  parentPort.postMessage({
    ok: false,
    error: { name: error?.name, message: error?.message, stack: error?.stack, constructor: error?.constructor?.name },
  });
}
