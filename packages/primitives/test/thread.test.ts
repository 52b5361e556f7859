import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { currentThread, Event, Lock, LockstepError, Queue, QueueEmpty, Thread, ThreadStateError, Timer } from '@lockstep/primitives';
import { runInWorker, sleep, terminateAll } from './support/workers.js';
import { sharedInts, SLACK_MS, until } from './support/until.js';

const target = new URL('./support/thread-target.mjs', import.meta.url);

const started: Thread[] = [];
const timers: Timer[] = [];

/** A Thread that afterEach terminates, so a failing test never leaves one running. */
function thread(options: ConstructorParameters<typeof Thread>[1]): Thread {
  const t = new Thread(target, options);
  started.push(t);
  return t;
}

function timer(ms: number, fn: () => void): Timer {
  const t = new Timer(ms, fn);
  timers.push(t);
  return t;
}

afterEach(async () => {
  for (const t of timers.splice(0)) t.cancel();
  await Promise.all(started.splice(0).map((t) => t.terminate()));
  await terminateAll();
});

describe('Thread (Python threading.Thread over worker_threads)', () => {
  test('name, ident, isAlive through start and join; the thread ends with exit code 0', async () => {
    const out = new Queue<unknown>();
    const t = thread({ name: 'worker-a', workerData: { mode: 'report', out: out.handle } });
    expect(t.name).toBe('worker-a');
    expect(t.ident).toBeUndefined();
    expect(t.isAlive).toBe(false);
    t.start();
    expect(typeof t.ident).toBe('number');
    expect(t.ident).toBeGreaterThan(0);
    expect(t.ident).not.toBe(threadId);
    expect(await t.join({ timeout: 30_000 })).toBe(true);
    expect(t.isAlive).toBe(false);
    expect(t.exitCode).toBe(0);
    expect(t.error).toBeUndefined();
    expect(await t.join()).toBe(true); // joining an ended thread returns at once
  });

  test('currentThread() inside the thread gives its ident and name; on the main thread MainThread and 0', async () => {
    expect(currentThread()).toEqual({ ident: 0, name: 'MainThread' });
    const out = new Queue<{ current: { ident: number; name: string }; threadId: number }>();
    const t = thread({ name: 'reporter', workerData: { mode: 'report', out: out.handle } });
    t.start();
    const report = await out.getAsync({ timeout: 30_000 });
    expect(report.current).toEqual({ ident: t.ident, name: 'reporter' });
    expect(report.threadId).toBe(t.ident);
    await t.join({ timeout: 30_000 });
  });

  test('threads without a name get distinct Thread-<n> names, which they see inside too', async () => {
    const out = new Queue<{ current: { ident: number; name: string } }>();
    const a = thread({ workerData: { mode: 'report', out: out.handle } });
    const b = thread({ workerData: { mode: 'report', out: out.handle } });
    expect(a.name).toMatch(/^Thread-\d+$/);
    expect(b.name).toMatch(/^Thread-\d+$/);
    expect(a.name).not.toBe(b.name);
    a.start();
    b.start();
    const reports = [await out.getAsync({ timeout: 30_000 }), await out.getAsync({ timeout: 30_000 })];
    const byIdent = new Map(reports.map((r) => [r.current.ident, r.current.name]));
    expect(byIdent.get(a.ident!)).toBe(a.name);
    expect(byIdent.get(b.ident!)).toBe(b.name);
    await Promise.all([a.join({ timeout: 30_000 }), b.join({ timeout: 30_000 })]);
  });

  test('errors raised by primitives inside a thread name that thread (ident and name)', async () => {
    const out = new Queue<{ name: string; thread: { ident: number; name: string }; message: string; threadId: number }>();
    const t = thread({ name: 'queue-reader', workerData: { mode: 'error-info', out: out.handle } });
    t.start();
    const info = await out.getAsync({ timeout: 30_000 });
    expect(info.name).toBe('QueueEmpty');
    expect(info.thread).toEqual({ ident: t.ident, name: 'queue-reader' });
    expect(info.message).toContain('queue-reader');
    await t.join({ timeout: 30_000 });
  });

  test('in a plain worker (not a Thread) errors carry its threadId and the name Thread-<threadId>; on main, MainThread', async () => {
    const info = await runInWorker(({ Queue }) => {
      try {
        new Queue().getNowait();
        return undefined;
      } catch (error) {
        return { thread: (error as { thread: unknown }).thread, message: (error as Error).message };
      }
    }, undefined);
    expect(info).toBeDefined();
    const { ident, name } = info!.thread as { ident: number; name: string };
    expect(ident).toBeGreaterThan(0);
    expect(name).toBe(`Thread-${ident}`);
    try {
      new Queue().getNowait();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(QueueEmpty);
      expect(error).toBeInstanceOf(LockstepError);
      expect((error as LockstepError).thread).toEqual({ ident: 0, name: 'MainThread' });
    }
  });

  test('join({ timeout }) returns false no earlier than the timeout while the thread runs, then true once it ends', async () => {
    const release = new Event();
    const out = new Queue<string>();
    const t = thread({ name: 'waiter', workerData: { mode: 'wait', event: release.handle, out: out.handle } });
    t.start();
    const began = performance.now();
    expect(await t.join({ timeout: 100 })).toBe(false);
    expect(performance.now() - began).toBeGreaterThanOrEqual(100 - SLACK_MS);
    expect(t.isAlive).toBe(true);
    release.set();
    expect(await t.join({ timeout: 30_000 })).toBe(true);
    expect(t.isAlive).toBe(false);
    expect(out.getNowait()).toBe('released');
  });

  test('join({ timeout }) past what setTimeout keeps (2^31 ms and more) waits for the thread, not 1 ms', async () => {
    const release = new Event();
    const t = thread({ name: 'long-join', workerData: { mode: 'wait', event: release.handle } });
    t.start();
    const joined = t.join({ timeout: 2 ** 31 });
    const early = await Promise.race([joined, sleep(100).then(() => 'still waiting')]);
    expect(early).toBe('still waiting');
    release.set();
    expect(await joined).toBe(true);
  });

  test('start() twice throws ThreadStateError; join() before start() rejects with ThreadStateError', async () => {
    const t = thread({ workerData: { mode: 'report', out: new Queue().handle } });
    await expect(t.join()).rejects.toThrow(ThreadStateError);
    t.start();
    expect(() => t.start()).toThrow(ThreadStateError);
    expect(await t.join({ timeout: 30_000 })).toBe(true);
  });

  test('an uncaught error in the thread is kept in .error and join() still resolves (Python excepthook)', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const t = thread({ name: 'crasher', workerData: { mode: 'throw' } });
      t.start();
      expect(await t.join({ timeout: 30_000 })).toBe(true);
      expect(t.isAlive).toBe(false);
      expect(t.error).toBeInstanceOf(Error);
      expect((t.error as Error).message).toContain('boom from the thread');
      expect(t.exitCode).not.toBe(0);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('crasher');
    } finally {
      stderr.mockRestore();
    }
  });

  test('primitives travel in workerData: 3 threads x 20 000 guarded increments end at exactly 60 000', async () => {
    const lock = new Lock();
    const counter = sharedInts(1);
    const threads = [1, 2, 3].map((n) => thread({ name: `counter-${n}`, workerData: { mode: 'count', lock: lock.handle, counter, times: 20_000 } }));
    threads.forEach((t) => t.start());
    expect(await Promise.all(threads.map((t) => t.join({ timeout: 60_000 })))).toEqual([true, true, true]);
    expect(threads.map((t) => t.error)).toEqual([undefined, undefined, undefined]);
    expect(counter[0]).toBe(60_000);
    expect(lock.locked).toBe(false);
  });

  test('terminate() ends a thread blocked in a wait; join() then resolves', async () => {
    const never = new Event();
    const t = thread({ workerData: { mode: 'wait', event: never.handle } });
    t.start();
    expect(await t.join({ timeout: 50 })).toBe(false);
    await t.terminate();
    expect(await t.join({ timeout: 30_000 })).toBe(true);
    expect(t.isAlive).toBe(false);
  });

  test('the constructor validates its arguments', () => {
    expect(() => new Thread(42 as unknown as string)).toThrow(TypeError);
    expect(() => new Thread(target, { name: 7 as unknown as string })).toThrow(TypeError);
    expect(new Thread(target, { daemon: true }).daemon).toBe(true);
    expect(new Thread(target).daemon).toBe(false);
  });
});

describe('Timer (Python threading.Timer)', () => {
  test('calls the function once, no earlier than its interval', async () => {
    const calls: number[] = [];
    const began = performance.now();
    const t = timer(60, () => calls.push(performance.now() - began));
    expect(t.interval).toBe(60);
    expect(t.isAlive).toBe(false);
    t.start();
    expect(t.isAlive).toBe(true);
    expect(t.finished).toBe(false);
    await until(() => calls.length > 0, 'the timer to fire');
    expect(calls[0]).toBeGreaterThanOrEqual(60 - SLACK_MS);
    expect(t.finished).toBe(true);
    expect(t.isAlive).toBe(false);
    await sleep(50);
    expect(calls.length).toBe(1);
  });

  test('cancel() before it fires: the function never runs', async () => {
    let called = false;
    const t = timer(40, () => {
      called = true;
    });
    t.start();
    t.cancel();
    expect(t.isAlive).toBe(false);
    await sleep(150);
    expect(called).toBe(false);
    expect(t.finished).toBe(false);
  });

  test('cancel() before start(): start() then does nothing, as in Python; a second start() throws', async () => {
    let called = false;
    const t = timer(10, () => {
      called = true;
    });
    t.cancel();
    t.start();
    expect(t.isAlive).toBe(false);
    expect(() => t.start()).toThrow(ThreadStateError);
    await sleep(80);
    expect(called).toBe(false);
    expect(t.finished).toBe(false);
  });

  test('an interval past what setTimeout keeps (2^31 ms, Infinity) is waited out, not cut to 1 ms', async () => {
    let calls = 0;
    const long = [timer(2 ** 31, () => calls++), timer(30 * 24 * 3600 * 1000, () => calls++), timer(Infinity, () => calls++)];
    for (const t of long) t.start();
    await sleep(100);
    expect(calls).toBe(0);
    expect(long.map((t) => t.isAlive)).toEqual([true, true, true]);
    for (const t of long) t.cancel();
    expect(long.map((t) => t.isAlive)).toEqual([false, false, false]);
  });

  test('a function that throws: the error is printed and kept in .error, the program goes on (Python’s excepthook)', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const boom = new Error('boom in a timer');
      const t = timer(0, () => {
        throw boom;
      });
      t.start();
      await until(() => t.finished, 'the timer to fire');
      expect(t.error).toBe(boom);
      expect(printed).toHaveBeenCalledWith('Exception in Timer function:', boom);
      expect(timer(0, () => undefined).error).toBeUndefined();
    } finally {
      printed.mockRestore();
    }
  });

  test('cancel() after it fired does nothing; start() twice throws ThreadStateError', async () => {
    let calls = 0;
    const t = timer(0, () => {
      calls += 1;
    });
    t.start();
    expect(() => t.start()).toThrow(ThreadStateError);
    await until(() => calls === 1, 'the timer to fire');
    t.cancel();
    expect(t.finished).toBe(true);
    expect(calls).toBe(1);
  });

  test('the constructor validates interval and function', () => {
    expect(() => new Timer(-1, () => {})).toThrow(RangeError);
    expect(() => new Timer(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => new Timer(10, 'fn' as unknown as () => void)).toThrow(TypeError);
  });

  test('a Timer started in a worker fires on that worker and can wake the main thread through an Event', async () => {
    const fired = new Event();
    const waiting = fired.waitAsync({ timeout: 30_000 });
    const elapsed = await runInWorker(async ({ Timer, Event }, handle) => {
      const event = Event.from(handle);
      const began = performance.now();
      const result = new Promise<number>((resolve) => {
        new Timer(50, () => {
          event.set();
          resolve(performance.now() - began);
        }).start();
      });
      return await result;
    }, fired.handle);
    expect(await waiting).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(50 - SLACK_MS);
  });

  test('a Timer cancelled in a worker never fires there', async () => {
    const fired = new Event();
    const result = await runInWorker(async ({ Timer, Event }, handle) => {
      const event = Event.from(handle);
      const t = new Timer(30, () => event.set());
      t.start();
      t.cancel();
      await new Promise((resolve) => setTimeout(resolve, 120));
      return { isSet: event.isSet, finished: t.finished };
    }, fired.handle);
    expect(result).toEqual({ isSet: false, finished: false });
    expect(fired.isSet).toBe(false);
  });
});
