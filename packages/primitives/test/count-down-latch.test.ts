import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { CountBelowZeroError, CountDownLatch, LockstepError, WaitGroup } from '@lockstep/primitives';
import { runInWorker, startWorker, terminateAll } from './support/workers.js';
import { rejectionOf, sharedInts, SLACK_MS, track, until } from './support/until.js';

afterEach(terminateAll);

describe('CountDownLatch (Java\'s)', () => {
  test('counts down to zero; wait() returns true at once from then on, for good', async () => {
    const latch = new CountDownLatch(3);
    expect(latch.count).toBe(3);
    expect(latch.wait({ timeout: 0 })).toBe(false);
    expect(await latch.waitAsync({ timeout: 0 })).toBe(false);
    expect(latch.countDown()).toBe(2);
    expect(latch.countDown(2)).toBe(0);
    expect(latch.count).toBe(0);
    expect(latch.wait()).toBe(true);
    expect(latch.wait({ timeout: 0 })).toBe(true);
    expect(await latch.waitAsync()).toBe(true);
    expect(new CountDownLatch(0).wait({ timeout: 0 })).toBe(true);
  });

  test('counting below zero throws CountBelowZeroError and leaves the count as it was', () => {
    const latch = new CountDownLatch(2);
    const error = (() => {
      try {
        latch.countDown(3);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CountBelowZeroError);
    expect(error).toBeInstanceOf(LockstepError);
    expect((error as Error).message).toMatch(/CountDownLatch\.countDown\(\) would take the count below zero \(it is 2/);
    expect(latch.count).toBe(2);
    latch.countDown(2);
    expect(() => latch.countDown()).toThrow(CountBelowZeroError);
    expect(latch.count).toBe(0);
  });

  test('bad counts and options are refused with RangeError / TypeError naming the call', async () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 31, '3' as unknown as number]) {
      expect(() => new CountDownLatch(bad)).toThrow(RangeError);
    }
    const latch = new CountDownLatch(1);
    expect(() => latch.countDown(-1)).toThrow(RangeError);
    expect(() => latch.countDown(0.5)).toThrow(/CountDownLatch\.countDown\(n\)/);
    expect(() => latch.wait({ timeout: -1 })).toThrow(RangeError);
    expect(await rejectionOf(latch.waitAsync({ signal: 'no' as unknown as AbortSignal }))).toBeInstanceOf(TypeError);
    expect(latch.count).toBe(1);
  });

  test('wait({ timeout }) returns false no earlier than the timeout, blocking and async', async () => {
    const latch = new CountDownLatch(1);
    let started = performance.now();
    expect(latch.wait({ timeout: 60 })).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(60 - SLACK_MS);
    started = performance.now();
    expect(await latch.waitAsync({ timeout: 60 })).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(60 - SLACK_MS);
    expect(latch.count).toBe(1);
  });

  test('workers counting down release waiters blocked in other workers and the main thread', async () => {
    const latch = new CountDownLatch(4);
    const ready = sharedInts(1);
    const waiters = [0, 1].map(() =>
      runInWorker(({ CountDownLatch }, { handle, ready }) => {
        const latch = CountDownLatch.from(handle);
        Atomics.add(ready, 0, 1);
        return { released: latch.wait({ timeout: 20_000 }), count: latch.count };
      }, { handle: latch.handle, ready }),
    );
    const asyncWaiter = runInWorker(async ({ CountDownLatch }, { handle, ready }) => {
      const waiting = CountDownLatch.from(handle).waitAsync({ timeout: 20_000 });
      Atomics.add(ready, 0, 1);
      return { released: await waiting, count: 0 };
    }, { handle: latch.handle, ready });
    const local = track(latch.waitAsync({ timeout: 20_000 }));
    await until(() => Atomics.load(ready, 0) === 3, 'the waiters to start');
    // Three of the four count-downs, one per worker: nobody may be released yet.
    await Promise.all([0, 1, 2].map(() => runInWorker(({ CountDownLatch }, { handle }) => CountDownLatch.from(handle).countDown(), { handle: latch.handle })));
    expect(latch.count).toBe(1);
    expect(local.settled).toBe(false);
    await runInWorker(({ CountDownLatch }, { handle }) => CountDownLatch.from(handle).countDown(), { handle: latch.handle });
    expect(await local.promise).toBe(true);
    expect(await Promise.all([...waiters, asyncWaiter])).toEqual([
      { released: true, count: 0 },
      { released: true, count: 0 },
      { released: true, count: 0 },
    ]);
  });

  test('8 workers × 1 000 count-downs of one latch end exactly at zero; one more throws', async () => {
    const latch = new CountDownLatch(8_000);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        runInWorker(({ CountDownLatch }, { handle }) => {
          const latch = CountDownLatch.from(handle);
          for (let i = 0; i < 1_000; i++) latch.countDown();
          return latch.wait({ timeout: 20_000 });
        }, { handle: latch.handle }),
      ),
    );
    expect(results).toEqual(Array(8).fill(true));
    expect(latch.count).toBe(0);
    const overdraw = await rejectionOf(runInWorker(({ CountDownLatch }, { handle }) => CountDownLatch.from(handle).countDown(), { handle: latch.handle }));
    expect((overdraw as Error).name).toBe('CountBelowZeroError');
  });

  test('an aborted waitAsync rejects with the signal\'s reason at once; the latch still releases the others', async () => {
    const latch = new CountDownLatch(1);
    const controller = new AbortController();
    const aborted = latch.waitAsync({ signal: controller.signal });
    const other = latch.waitAsync({ timeout: 20_000 });
    controller.abort(new Error('stop waiting'));
    expect(((await rejectionOf(aborted)) as Error).message).toBe('stop waiting');
    const already = new AbortController();
    already.abort();
    expect(((await rejectionOf(latch.waitAsync({ signal: already.signal }))) as Error).name).toBe('AbortError');
    latch.countDown();
    expect(await other).toBe(true);
  });

  test('from() rebuilds the same latch; handles of other kinds are refused', () => {
    const latch = new CountDownLatch(2);
    const rebuilt = CountDownLatch.from(structuredClone(latch.handle));
    rebuilt.countDown();
    expect(latch.count).toBe(1);
    expect(latch.handle.kind).toBe('CountDownLatch');
    expect(() => CountDownLatch.from(new WaitGroup().handle as never)).toThrow(/CountDownLatch\.from/);
    expect(() => WaitGroup.from(latch.handle as never)).toThrow(TypeError);
  });
});

describe('WaitGroup (Go\'s sync.WaitGroup)', () => {
  test('add(n), done() and wait(); starts at zero; done() below zero throws and changes nothing', () => {
    const group = new WaitGroup();
    expect(group.count).toBe(0);
    expect(group.wait({ timeout: 0 })).toBe(true);
    expect(group.add(3)).toBe(3);
    expect(group.wait({ timeout: 0 })).toBe(false);
    expect(group.done()).toBe(2);
    expect(group.add(-2)).toBe(0);
    expect(group.wait({ timeout: 0 })).toBe(true);
    expect(() => group.done()).toThrow(CountBelowZeroError);
    group.add(1);
    expect(() => group.add(-2)).toThrow(/WaitGroup\.add\(\) would take the count below zero/);
    expect(group.count).toBe(1);
    expect(() => group.add(1.5)).toThrow(RangeError);
    expect(() => group.add(2 ** 31)).toThrow(RangeError);
    expect(new WaitGroup(2).count).toBe(2);
  });

  test('is reusable: a second round waits again, and a waiter of a zero that was left at once still returns true', async () => {
    const group = new WaitGroup(1);
    const step = sharedInts(1);
    // waitAsync takes its snapshot synchronously, so "step 1" really means "waiting".
    const worker = startWorker(async ({ WaitGroup }, { handle, step }) => {
      const waiting = WaitGroup.from(handle).waitAsync({ timeout: 20_000 });
      Atomics.store(step, 0, 1);
      return await waiting;
    }, { handle: group.handle, step });
    await until(() => Atomics.load(step, 0) === 1, 'the worker to wait');
    const local = group.waitAsync({ timeout: 20_000 });
    // Zero, then at once a new round: both waiters were waiting for that zero, and are released.
    group.done();
    group.add(1);
    expect(await local).toBe(true);
    expect(await worker.result).toBe(true);
    expect(group.wait({ timeout: 0 })).toBe(false);
    group.done();
    expect(group.wait({ timeout: 0 })).toBe(true);
  });

  test('tasks handed to workers: the main thread\'s waitAsync returns once every worker called done()', async () => {
    const group = new WaitGroup();
    const results = sharedInts(6);
    const tasks = Array.from({ length: 6 }, (_, i) => {
      group.add(1); // before the task starts, as Go asks
      return runInWorker(({ WaitGroup }, { handle, results, i }) => {
        Atomics.store(results, i, i + 1);
        WaitGroup.from(handle).done();
      }, { handle: group.handle, results, i });
    });
    expect(await group.waitAsync({ timeout: 20_000 })).toBe(true);
    expect(Array.from(results)).toEqual([1, 2, 3, 4, 5, 6]);
    await Promise.all(tasks);
  });

  test('a worker\'s done() below zero throws CountBelowZeroError there', async () => {
    const group = new WaitGroup();
    const error = await rejectionOf(runInWorker(({ WaitGroup }, { handle }) => WaitGroup.from(handle).done(), { handle: group.handle }));
    expect((error as Error).name).toBe('CountBelowZeroError');
    expect(group.count).toBe(0);
  });
});

describe('a pending waitAsync keeps the process alive', () => {
  // A child Node process whose main thread's only work is one waitAsync on a latch (and on a wait
  // group) that an unref'd worker counts down about 200 ms later: it must print true and exit 0 by itself.
  const packageRoot = fileURLToPath(new URL('..', import.meta.url));
  const source = `
    import { Worker } from 'node:worker_threads';
    import { CountDownLatch, WaitGroup } from '@lockstep/primitives';
    const libUrl = import.meta.resolve('@lockstep/primitives');
    const latch = new CountDownLatch(1);
    const group = new WaitGroup(1);
    const worker = new Worker(
      "import { workerData } from 'node:worker_threads';" +
        'const lib = await import(workerData.libUrl);' +
        'await new Promise((resolve) => setTimeout(resolve, 200));' +
        'lib.CountDownLatch.from(workerData.latch).countDown();' +
        'await new Promise((resolve) => setTimeout(resolve, 100));' +
        'lib.WaitGroup.from(workerData.group).done();',
      { eval: true, execArgv: ['--input-type=module'], workerData: { libUrl, latch: latch.handle, group: group.handle } },
    );
    worker.unref();
    console.log(JSON.stringify([await latch.waitAsync(), await group.waitAsync({ timeout: 20_000 })]));
  `;

  test('and exits by itself once it settles', async () => {
    const outcome = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(killTimer);
        resolve({ code, stdout: stdout.trim(), stderr });
      });
    });
    expect(outcome).toEqual({ code: 0, stdout: '[true,true]', stderr: '' });
  });
});
