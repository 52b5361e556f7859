/**
 * An async wait given up through its AbortSignal leaves the engine's waiter behind (Atomics.waitAsync
 * cannot be withdrawn). It must not take the one wake-up meant for a live waiter: here the live waiter
 * is the same worker, blocked in the blocking form right after its abort, so its event loop (where a
 * wake-up reaching the abandoned waiter could be passed on) does not run until it returns. Each test
 * wakes exactly once; a lost wake-up shows as the blocking call running to its (long) timeout.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Condition, Queue, Semaphore } from '@lockstep/primitives';
import { sharedInts, until } from './support/until.js';
import { sleep, startWorker, terminateAll } from './support/workers.js';

afterEach(async () => {
  await terminateAll();
});

/** The worker's blocking call runs until this long: far past the wake-up, which comes ~50 ms after it starts. */
const LONG_MS = 20_000;
/** Set by the worker just before it blocks. */
const BLOCKING = 0;

describe('an aborted async wait does not swallow a later wake-up', () => {
  test('Semaphore: acquireAsync aborted, then acquire() in the same worker, gets the one release', async () => {
    const semaphore = new Semaphore(0);
    const flags = sharedInts(1);
    const worker = startWorker(
      async ({ Semaphore }, { handle, flags, longMs }) => {
        const permits = Semaphore.from(handle);
        const controller = new AbortController();
        const waiting = permits.acquireAsync({ signal: controller.signal }).catch((error: unknown) => (error as Error).name);
        await new Promise((resolve) => setTimeout(resolve, 20));
        controller.abort();
        const aborted = await waiting;
        Atomics.store(flags, 0, 1);
        const started = performance.now();
        const taken = permits.acquire({ timeout: longMs });
        return { aborted, taken, waitedLong: performance.now() - started > longMs / 2 };
      },
      { handle: semaphore.handle, flags, longMs: LONG_MS },
    );
    await until(() => Atomics.load(flags, BLOCKING) === 1, 'the worker to block');
    await sleep(50);
    semaphore.release();
    expect(await worker.result).toEqual({ aborted: 'AbortError', taken: true, waitedLong: false });
    expect(semaphore.value).toBe(0);
  });

  test('Condition: waitAsync aborted, then wait() in the same worker, gets the one notify', async () => {
    const condition = new Condition();
    const flags = sharedInts(1);
    const worker = startWorker(
      async ({ Condition }, { handle, flags, longMs }) => {
        const ready = Condition.from(handle);
        const controller = new AbortController();
        await ready.acquireAsync();
        const waiting = ready.waitAsync({ signal: controller.signal }).catch((error: unknown) => (error as Error).name);
        await new Promise((resolve) => setTimeout(resolve, 20));
        controller.abort();
        const aborted = await waiting;
        const started = performance.now();
        Atomics.store(flags, 0, 1);
        const notified = ready.wait({ timeout: longMs });
        ready.release();
        return { aborted, notified, waitedLong: performance.now() - started > longMs / 2 };
      },
      { handle: condition.handle, flags, longMs: LONG_MS },
    );
    await until(() => Atomics.load(flags, BLOCKING) === 1, 'the worker to block');
    await sleep(50);
    await condition.acquireAsync();
    condition.notify();
    condition.release();
    expect(await worker.result).toEqual({ aborted: 'AbortError', notified: true, waitedLong: false });
  });

  test('Condition: another waiter’s abort does not return a blocked wait() as if notified', async () => {
    const condition = new Condition();
    // [0]: the worker is about to wait; [1]: set when the notify is made.
    const flags = sharedInts(2);
    const worker = startWorker(
      ({ Condition }, { handle, flags, longMs }) => {
        const ready = Condition.from(handle);
        ready.acquire();
        Atomics.store(flags, 0, 1);
        const notified = ready.wait({ timeout: longMs });
        const afterNotify = Atomics.load(flags, 1) === 1;
        ready.release();
        return { notified, afterNotify };
      },
      { handle: condition.handle, flags, longMs: LONG_MS },
    );
    await until(() => Atomics.load(flags, BLOCKING) === 1, 'the worker to wait');
    await sleep(50);
    await condition.acquireAsync();
    const controller = new AbortController();
    const aborted = condition.waitAsync({ signal: controller.signal }).catch((error: unknown) => (error as Error).name);
    await sleep(20);
    controller.abort();
    expect(await aborted).toBe('AbortError');
    // The abort woke every sleeper of the condition's word; the worker must go back to sleep.
    condition.release();
    await sleep(100);
    await condition.acquireAsync();
    Atomics.store(flags, 1, 1);
    condition.notify();
    condition.release();
    expect(await worker.result).toEqual({ notified: true, afterNotify: true });
  });

  test('Queue: getAsync aborted, then get() in the same worker, gets the one item', async () => {
    const queue = new Queue<string>();
    const flags = sharedInts(1);
    const worker = startWorker(
      async ({ Queue }, { handle, flags, longMs }) => {
        const jobs = Queue.from(handle);
        const controller = new AbortController();
        const waiting = jobs.getAsync({ signal: controller.signal }).catch((error: unknown) => (error as Error).name);
        await new Promise((resolve) => setTimeout(resolve, 20));
        controller.abort();
        const aborted = await waiting;
        const started = performance.now();
        Atomics.store(flags, 0, 1);
        const item = jobs.get({ timeout: longMs });
        return { aborted, item, waitedLong: performance.now() - started > longMs / 2 };
      },
      { handle: queue.handle, flags, longMs: LONG_MS },
    );
    await until(() => Atomics.load(flags, BLOCKING) === 1, 'the worker to block');
    await sleep(50);
    queue.putNowait('job');
    expect(await worker.result).toEqual({ aborted: 'AbortError', item: 'job', waitedLong: false });
  });

  test('across threads: an abort on this thread does not keep a release from a worker blocked in acquire()', async () => {
    const semaphore = new Semaphore(0);
    const controller = new AbortController();
    const aborted = semaphore.acquireAsync({ signal: controller.signal }).catch((error: unknown) => (error as Error).name);
    await sleep(10);
    controller.abort();
    expect(await aborted).toBe('AbortError');
    // [0]: the waiter is about to block; [1]: the releaser may release.
    const flags = sharedInts(2);
    const waiter = startWorker(
      ({ Semaphore }, { handle, flags, longMs }) => {
        Atomics.store(flags, 0, 1);
        const taken = Semaphore.from(handle).acquire({ timeout: longMs });
        Atomics.store(flags, 0, 2);
        return taken;
      },
      { handle: semaphore.handle, flags, longMs: LONG_MS },
    );
    const releaser = startWorker(
      ({ Semaphore }, { handle, flags }) => {
        while (Atomics.load(flags, 1) === 0) Atomics.wait(flags, 1, 0, 100);
        Semaphore.from(handle).release();
      },
      { handle: semaphore.handle, flags },
    );
    await until(() => Atomics.load(flags, BLOCKING) === 1, 'the worker to block');
    await sleep(50);
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    // From the go to the end of the wait this thread never runs its event loop, where the abandoned
    // waiter could pass a wake-up on. (The bound only keeps a failure short.)
    const busyUntil = performance.now() + 5_000;
    while (performance.now() < busyUntil && Atomics.load(flags, BLOCKING) !== 2);
    const takenWhileBusy = Atomics.load(flags, BLOCKING) === 2;
    await releaser.result;
    expect(await waiter.result).toBe(true);
    expect(takenWhileBusy).toBe(true);
  });
});
