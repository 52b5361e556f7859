/**
 * The start line of the benchmarks whose workers loop for a fixed time (contended counter, read-heavy,
 * validator contended): a control block of three cells in shared memory. The main thread sends each
 * worker its command, waits until all of them stand at the line, starts them at once and, after the
 * round's length, tells them to stop; the workers count what they did and reply with it.
 */
import { nowMs } from './report.js';
import { sleep, waitUntilAtLeast, type BenchWorker } from './threads.js';

export const GO = 0; // generation number; bumped (and notified) to start a round
export const STOP = 1; // 1 ends the round
export const ARMED = 2; // how many workers are waiting at the start line
export const CONTROL_CELLS = 3;

/** A control block for one crew of workers. */
export function newStartLine(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_CELLS * 4));
}

/**
 * Main side: one round of `ms` on `control`. `send(generation)` gives each worker its command (with the
 * generation its wait at the line compares against) and returns their replies, one a worker; the round
 * starts when all of them stand at the line. Returns how long the workers ran and the replies, still
 * pending, for the caller to await as it sees fit.
 */
export async function timedRound<R>(control: Int32Array, send: (generation: number) => readonly Promise<R>[], ms: number): Promise<{ readonly elapsedMs: number; readonly replies: readonly Promise<R>[] }> {
  Atomics.store(control, STOP, 0);
  Atomics.store(control, ARMED, 0);
  const replies = send(Atomics.load(control, GO));
  await waitUntilAtLeast(control, ARMED, replies.length);
  const start = nowMs();
  Atomics.add(control, GO, 1);
  Atomics.notify(control, GO);
  await sleep(ms);
  Atomics.store(control, STOP, 1);
  return { elapsedMs: nowMs() - start, replies };
}

/** {@link timedRound} for workers served by {@link BenchWorker}: each is sent `command(generation)`. */
export async function runRound<R>(control: Int32Array, workers: readonly BenchWorker[], command: (generation: number) => object, ms: number): Promise<{ readonly elapsedMs: number; readonly results: R[] }> {
  const { elapsedMs, replies } = await timedRound(control, (generation) => workers.map((worker) => worker.call<R>(command(generation))), ms);
  return { elapsedMs, results: await Promise.all(replies) };
}

/** Worker side: stands at the line until the round of `generation` starts. */
export function waitAtStartLine(control: Int32Array, generation: number): void {
  Atomics.add(control, ARMED, 1);
  Atomics.wait(control, GO, generation); // returns at once if the start was already given
}

/** {@link waitAtStartLine} for a worker whose loop is asynchronous (it must not block its event loop). */
export async function waitAtStartLineAsync(control: Int32Array, generation: number): Promise<void> {
  Atomics.add(control, ARMED, 1);
  await Atomics.waitAsync(control, GO, generation).value;
}
