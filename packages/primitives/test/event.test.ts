import { afterEach, describe, expect, test } from 'vitest';
import { Event } from '@lockstep/primitives';
import { runInWorker, sleep, startWorker, terminateAll } from './support/workers.js';
import { rejectionOf, sharedInts, SLACK_MS, track, until } from './support/until.js';

afterEach(terminateAll);

describe('Event (Python threading.Event)', () => {
  test('starts cleared; set() raises the flag, clear() lowers it; set() is idempotent', () => {
    const event = new Event();
    expect(event.isSet).toBe(false);
    event.set();
    expect(event.isSet).toBe(true);
    event.set();
    expect(event.isSet).toBe(true);
    event.clear();
    expect(event.isSet).toBe(false);
    event.clear();
    expect(event.isSet).toBe(false);
  });

  test('wait() returns the flag: true at once while set, false on timeout once cleared', async () => {
    const event = new Event();
    event.set();
    expect(event.wait()).toBe(true);
    expect(event.wait({ timeout: 0 })).toBe(true);
    expect(await event.waitAsync()).toBe(true);
    expect(await event.waitAsync({ timeout: 0 })).toBe(true);
    event.clear();
    expect(event.wait({ timeout: 0 })).toBe(false);
    expect(await event.waitAsync({ timeout: 0 })).toBe(false);
  });

  test('wait({ timeout }) returns false no earlier than the timeout and leaves the event usable', async () => {
    const event = new Event();
    let started = performance.now();
    expect(event.wait({ timeout: 80 })).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(80 - SLACK_MS);
    started = performance.now();
    expect(await event.waitAsync({ timeout: 80 })).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(80 - SLACK_MS);
    expect(event.isSet).toBe(false);
    event.set();
    expect(event.wait({ timeout: 1000 })).toBe(true);
    expect(await event.waitAsync({ timeout: 1000 })).toBe(true);
  });

  test('a worker\'s wait({ timeout }) times out, then the same event still wakes it', async () => {
    const event = new Event();
    const step = sharedInts(1);
    const worker = startWorker(({ Event }, { handle, step }) => {
      const event = Event.from(handle);
      const started = performance.now();
      const first = event.wait({ timeout: 100 });
      const elapsed = performance.now() - started;
      Atomics.store(step, 0, 1);
      const second = event.wait({ timeout: 20_000 });
      return { first, elapsed, second };
    }, { handle: event.handle, step });
    await until(() => Atomics.load(step, 0) === 1, 'the first wait to time out');
    event.set();
    const { first, elapsed, second } = await worker.result;
    expect(first).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(100 - SLACK_MS);
    expect(second).toBe(true);
  });

  test('set() on the main thread wakes every waiter in several workers, blocking and async', async () => {
    const event = new Event();
    const ready = sharedInts(1);
    const blocking = [0, 1, 2].map(() =>
      runInWorker(({ Event }, { handle, ready }) => {
        const event = Event.from(handle);
        Atomics.add(ready, 0, 1);
        return event.wait({ timeout: 20_000 });
      }, { handle: event.handle, ready }),
    );
    const asyncWaiters = [0, 1].map(() =>
      runInWorker(async ({ Event }, { handle, ready }) => {
        const event = Event.from(handle);
        const waiting = event.waitAsync({ timeout: 20_000 });
        Atomics.add(ready, 0, 1);
        return await waiting;
      }, { handle: event.handle, ready }),
    );
    const local = event.waitAsync({ timeout: 20_000 });
    await until(() => Atomics.load(ready, 0) === 5, 'all workers to wait');
    await sleep(30); // let the blocking ones reach Atomics.wait; a late one returns true from the flag anyway
    event.set();
    expect(await Promise.all([...blocking, ...asyncWaiters, local])).toEqual([true, true, true, true, true, true]);
  });

  test('a worker\'s set() wakes the main thread; its clear() is seen too', async () => {
    const event = new Event();
    const go = new Event();
    const done = new Event();
    const waiting = event.waitAsync({ timeout: 20_000 });
    const worker = runInWorker(async ({ Event }, { event, go, done }) => {
      const e = Event.from(event);
      e.set();
      if (!(await Event.from(go).waitAsync({ timeout: 20_000 }))) throw new Error('no go');
      e.clear();
      Event.from(done).set();
    }, { event: event.handle, go: go.handle, done: done.handle });
    expect(await waiting).toBe(true);
    expect(event.isSet).toBe(true);
    go.set();
    expect(await done.waitAsync({ timeout: 20_000 })).toBe(true);
    expect(event.isSet).toBe(false);
    await worker;
  });

  test('set() then clear() at once still releases every waiter already waiting, with true (as in Python)', async () => {
    const event = new Event();
    const ready = sharedInts(1);
    // waitAsync registers its waiter synchronously, so "ready" really means "waiting".
    const workers = [0, 1, 2].map(() =>
      runInWorker(async ({ Event }, { handle, ready }) => {
        const waiting = Event.from(handle).waitAsync({ timeout: 20_000 });
        Atomics.add(ready, 0, 1);
        return await waiting;
      }, { handle: event.handle, ready }),
    );
    const local = event.waitAsync({ timeout: 20_000 });
    await until(() => Atomics.load(ready, 0) === 3, 'all workers to wait');
    event.set();
    event.clear();
    expect(await Promise.all([...workers, local])).toEqual([true, true, true, true]);
    expect(event.isSet).toBe(false);
  });

  test('ping-pong between two events over many rounds loses no wake-up', async () => {
    const ping = new Event();
    const pong = new Event();
    const rounds = 300;
    const worker = runInWorker(({ Event }, { ping, pong, rounds }) => {
      const pingE = Event.from(ping);
      const pongE = Event.from(pong);
      for (let i = 0; i < rounds; i++) {
        if (!pingE.wait({ timeout: 20_000 })) throw new Error(`ping ${i} never came`);
        pingE.clear();
        pongE.set();
      }
      return rounds;
    }, { ping: ping.handle, pong: pong.handle, rounds });
    for (let i = 0; i < rounds; i++) {
      ping.set();
      expect(await pong.waitAsync({ timeout: 20_000 })).toBe(true);
      pong.clear();
    }
    expect(await worker).toBe(rounds);
  });

  describe('AbortSignal on waitAsync', () => {
    test('an already aborted signal rejects at once with its reason; the event is unchanged', async () => {
      const event = new Event();
      const reason = new Error('stop');
      await expect(event.waitAsync({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(event.isSet).toBe(false);
      event.set();
      await expect(event.waitAsync({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(event.isSet).toBe(true);
    });

    test('aborting a pending wait rejects with the reason, and the others still get the next set()', async () => {
      const event = new Event();
      const ready = sharedInts(1);
      const controller = new AbortController();
      const aborted = event.waitAsync({ signal: controller.signal, timeout: 20_000 });
      const other = track(event.waitAsync({ timeout: 20_000 }));
      const worker = runInWorker(({ Event }, { handle, ready }) => {
        const event = Event.from(handle);
        Atomics.add(ready, 0, 1);
        return event.wait({ timeout: 20_000 });
      }, { handle: event.handle, ready });
      await until(() => Atomics.load(ready, 0) === 1, 'the worker to wait');
      const reason = { why: 'user cancelled' };
      controller.abort(reason);
      expect(await rejectionOf(aborted)).toBe(reason);
      expect(event.isSet).toBe(false);
      await sleep(20);
      expect(other.settled).toBe(false);
      event.set();
      expect(await other.promise).toBe(true);
      expect(await worker).toBe(true);
    });

    test('AbortSignal.timeout() rejects a pending wait with a TimeoutError, no earlier than its delay', async () => {
      const event = new Event();
      const started = performance.now();
      const error = await rejectionOf(event.waitAsync({ signal: AbortSignal.timeout(60) }));
      expect((error as Error).name).toBe('TimeoutError');
      expect(performance.now() - started).toBeGreaterThanOrEqual(60 - SLACK_MS);
      expect(event.isSet).toBe(false);
    });

    test('the default abort reason is an AbortError', async () => {
      const event = new Event();
      const controller = new AbortController();
      const waiting = event.waitAsync({ signal: controller.signal });
      controller.abort();
      const error = await rejectionOf(waiting);
      expect((error as Error).name).toBe('AbortError');
      expect(event.isSet).toBe(false);
    });
  });

  test('invalid options are rejected with TypeError/RangeError', async () => {
    const event = new Event();
    expect(() => event.wait({ timeout: -1 })).toThrow(RangeError);
    expect(() => event.wait({ timeout: Number.NaN })).toThrow(TypeError);
    await expect(event.waitAsync({ timeout: -1 })).rejects.toThrow(RangeError);
    await expect(event.waitAsync({ signal: {} as AbortSignal })).rejects.toThrow(TypeError);
  });
});
