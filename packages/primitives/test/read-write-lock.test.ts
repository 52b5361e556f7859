import { afterEach, describe, expect, test } from 'vitest';
import { LockStateError, LockTimeoutError, ReadWriteLock } from '@lockstep/primitives';
import { rejectionOf, sharedInts, track, until } from './support/until.js';
import { runInWorker, sleep, startWorker, terminateAll } from './support/workers.js';

afterEach(terminateAll);

/**
 * Shared control cells of one test: [0] a step the test sets to let workers go on, [1] the next free
 * slot of `order`, [2..] who got the lock, in order (worker ids). Workers wait for steps with
 * `Atomics.wait` under a generous guard: no outcome depends on how long anything takes.
 */
const STEP = 0;
const NEXT = 1;
const FIRST = 2;

function control(): Int32Array {
  return sharedInts(16);
}

function setStep(cells: Int32Array, step: number): void {
  Atomics.store(cells, STEP, step);
  Atomics.notify(cells, STEP);
}

function orderOf(cells: Int32Array): number[] {
  return Array.from(cells.subarray(FIRST, FIRST + Atomics.load(cells, NEXT)));
}

function record(cells: Int32Array, id: number): void {
  cells[FIRST + Atomics.add(cells, NEXT, 1)] = id;
}

describe('ReadWriteLock', () => {
  describe('on one thread', () => {
    test('many read holds, or one write hold', () => {
      const rw = new ReadWriteLock();
      expect(rw.locked).toBe(false);
      expect(rw.acquireRead()).toBe(true);
      expect(rw.tryAcquireRead()).toBe(true);
      expect(rw.readHolds).toBe(2);
      expect(rw.readHoldsOfThisThread).toBe(2);
      expect(rw.tryAcquireWrite()).toBe(false);
      rw.releaseRead();
      rw.releaseRead();
      expect(rw.locked).toBe(false);
      expect(rw.tryAcquireWrite()).toBe(true);
      expect(rw.writeLocked).toBe(true);
      expect(rw.writeHeldByThisThread).toBe(true);
      expect(rw.readHolds).toBe(0);
      expect(rw.tryAcquireRead()).toBe(false);
      expect(rw.tryAcquireWrite()).toBe(false);
      rw.releaseWrite();
      expect(rw.locked).toBe(false);
    });

    test('releasing what is not held throws LockStateError and changes nothing', () => {
      const rw = new ReadWriteLock();
      expect(() => rw.releaseRead()).toThrow(LockStateError);
      expect(() => rw.releaseRead()).toThrow(/releaseRead\(\): this thread holds no read hold.*not held/);
      expect(() => rw.releaseWrite()).toThrow(/releaseWrite\(\): this thread does not hold the write hold/);
      rw.acquireWrite();
      expect(() => rw.releaseRead()).toThrow(/write hold is held by thread 0/);
      expect(rw.writeLocked).toBe(true);
      rw.releaseWrite();
      expect(() => rw.releaseWrite()).toThrow(LockStateError);
      rw.acquireRead();
      expect(() => rw.releaseWrite()).toThrow(LockStateError);
      expect(rw.readHolds).toBe(1);
      rw.releaseRead();
      expect(rw.locked).toBe(false);
    });

    test('an upgrade (write asked while holding read) throws instead of deadlocking; the read hold stays', () => {
      const rw = new ReadWriteLock();
      rw.acquireRead();
      expect(() => rw.acquireWrite()).toThrow(LockStateError);
      expect(() => rw.acquireWrite({ timeout: 10 })).toThrow(/upgrade would wait for itself/);
      expect(() => rw.holdWrite()).toThrow(/release the read hold first/);
      expect(rw.tryAcquireWrite()).toBe(false);
      expect(rw.readHolds).toBe(1);
      rw.releaseRead();
      expect(rw.acquireWrite()).toBe(true);
      rw.releaseWrite();
    });

    test('the write hold is not re-entrant: asking again, or for a read hold, throws', () => {
      const rw = new ReadWriteLock();
      rw.acquireWrite();
      expect(() => rw.acquireWrite()).toThrow(/holds the write hold of this lock.*not re-entrant/);
      expect(() => rw.acquireRead()).toThrow(/downgrade\(\)/);
      expect(rw.writeLocked).toBe(true);
      rw.releaseWrite();
    });

    test('every handle of one lock on one thread shares that thread\'s holds', () => {
      const rw = new ReadWriteLock();
      const again = ReadWriteLock.from(rw.handle);
      rw.acquireRead();
      expect(again.readHoldsOfThisThread).toBe(1);
      expect(() => again.acquireWrite()).toThrow(LockStateError);
      again.releaseRead();
      expect(rw.locked).toBe(false);
    });

    test('downgrade turns the write hold into a read hold, atomically', () => {
      const rw = new ReadWriteLock();
      expect(() => rw.downgrade()).toThrow(LockStateError);
      rw.acquireWrite();
      rw.downgrade();
      expect(rw.writeLocked).toBe(false);
      expect(rw.readHolds).toBe(1);
      expect(rw.tryAcquireRead()).toBe(true);
      rw.releaseRead();
      rw.releaseRead();
      expect(rw.locked).toBe(false);
    });

    test('invalid options and handles throw TypeError/RangeError naming the call', () => {
      const rw = new ReadWriteLock();
      expect(() => rw.acquireRead({ timeout: -1 })).toThrow(/ReadWriteLock\.acquireRead\(\).*timeout/);
      expect(() => rw.acquireWrite({ timeout: Number.NaN })).toThrow(TypeError);
      expect(() => ReadWriteLock.from({ kind: 'Lock', buffer: new SharedArrayBuffer(16), byteOffset: 0 } as never)).toThrow(
        /belongs to a Lock, not a ReadWriteLock/,
      );
      expect(() => ReadWriteLock.from(null as never)).toThrow(TypeError);
      expect(rw.locked).toBe(false);
    });
  });

  describe('using and await using', () => {
    test('holdRead and holdWrite release at the end of the block, exceptions included', () => {
      const rw = new ReadWriteLock();
      {
        using _a = rw.holdRead();
        using _b = rw.holdRead();
        expect(rw.readHolds).toBe(2);
      }
      expect(rw.locked).toBe(false);
      expect(() => {
        using _w = rw.holdWrite();
        expect(rw.writeLocked).toBe(true);
        throw new Error('boom');
      }).toThrow('boom');
      expect(rw.locked).toBe(false);
    });

    test('await using with the async forms; a guard disposed twice releases once', async () => {
      const rw = new ReadWriteLock();
      {
        await using _r = await rw.holdReadAsync();
        expect(rw.readHolds).toBe(1);
      }
      const guard = await rw.holdWriteAsync({ timeout: 1000 });
      expect(rw.writeLocked).toBe(true);
      guard[Symbol.dispose]();
      guard[Symbol.dispose]();
      expect(rw.locked).toBe(false);
    });

    test('a write guard downgraded releases the read hold it became', () => {
      const rw = new ReadWriteLock();
      {
        using held = rw.holdWrite();
        held.downgrade();
        expect(rw.readHolds).toBe(1);
        expect(() => held.downgrade()).toThrow(LockStateError);
      }
      expect(rw.locked).toBe(false);
    });

    test('holds with a timeout throw LockTimeoutError; runRead and runWrite release however fn ends', async () => {
      const rw = new ReadWriteLock();
      rw.acquireWrite();
      await expect(rw.holdReadAsync({ timeout: 5 })).rejects.toThrow(LockTimeoutError);
      await expect(rw.runRead(() => 1, { timeout: 5 })).rejects.toThrow(/ReadWriteLock \(read\) was not acquired within 5 ms/);
      rw.releaseWrite();
      expect(await rw.runRead(() => rw.readHolds)).toBe(1);
      expect(await rw.runWrite(async () => rw.writeLocked)).toBe(true);
      await expect(rw.runWrite(() => Promise.reject(new Error('fn failed')))).rejects.toThrow('fn failed');
      expect(rw.locked).toBe(false);
    });
  });

  describe('async tasks (runRead, runWrite)', () => {
    test('inside runRead, asking for the write hold throws instead of waiting for itself', async () => {
      const rw = new ReadWriteLock();
      const error = await rw.runRead(async () => rejectionOf(rw.acquireWriteAsync()));
      expect(error).toBeInstanceOf(LockStateError);
      expect((error as Error).message).toMatch(/inside runRead.*upgrade/);
      await expect(rw.runRead(() => rw.runWrite(() => 0))).rejects.toThrow(LockStateError);
      expect(rw.locked).toBe(false);
    });

    test('inside runWrite, any further acquisition of the lock throws', async () => {
      const rw = new ReadWriteLock();
      await rw.runWrite(async () => {
        await expect(rw.acquireReadAsync()).rejects.toThrow(/this async task holds the write hold/);
        await expect(rw.holdWriteAsync()).rejects.toThrow(LockStateError);
      });
      expect(rw.locked).toBe(false);
    });

    test('a nested runRead does not wait behind a waiting writer', async () => {
      const rw = new ReadWriteLock();
      let letGo = (): void => {};
      const go = new Promise<void>((resolve) => (letGo = resolve));
      const box: { writer?: ReturnType<typeof track<boolean>> } = {};
      // runRead takes its read hold before it returns its promise (the lock is free).
      const reading = rw.runRead(async () => {
        await go;
        const result = await rw.runRead(() => rw.readHolds);
        return { result, writerSettled: box.writer?.settled };
      });
      const writer = track(rw.acquireWriteAsync()); // outside the task: it waits
      box.writer = writer;
      expect(await rw.acquireReadAsync({ timeout: 0 })).toBe(false); // newcomers are shut out
      letGo();
      expect(await reading).toEqual({ result: 2, writerSettled: false });
      expect(await writer.promise).toBe(true);
      rw.releaseWrite();
    });

    test('work started inside runRead and still running after it does not count as holding', async () => {
      const rw = new ReadWriteLock();
      let later: Promise<boolean> | undefined;
      let open = (): void => {};
      const gate = new Promise<void>((resolve) => (open = resolve));
      await rw.runRead(() => {
        later = gate.then(() => rw.acquireWriteAsync());
      });
      open();
      expect(await later).toBe(true);
      rw.releaseWrite();
    });
  });

  describe('across workers', () => {
    test('readers on several workers hold the lock at the same time', async () => {
      const rw = new ReadWriteLock();
      const inside = sharedInts(1);
      const readers = [0, 1, 2].map(() =>
        startWorker(({ ReadWriteLock }, { handle, inside }) => {
          const rw = ReadWriteLock.from(handle);
          rw.acquireRead();
          Atomics.add(inside, 0, 1);
          // Wait, holding the read hold, until all three hold it: only possible if they hold it at once.
          for (let seen = Atomics.load(inside, 0); seen < 3; seen = Atomics.load(inside, 0)) Atomics.wait(inside, 0, seen, 50);
          const holds = rw.readHolds;
          rw.releaseRead();
          return holds;
        }, { handle: rw.handle, inside }),
      );
      const seen = await Promise.all(readers.map((reader) => reader.result));
      expect(seen.every((holds) => holds >= 1)).toBe(true);
      expect(Atomics.load(inside, 0)).toBe(3);
      expect(rw.locked).toBe(false);
    });

    test('a writer excludes readers and writers until it leaves', async () => {
      const rw = new ReadWriteLock();
      const cells = control();
      const writer = startWorker(({ ReadWriteLock }, { handle, cells }) => {
        const rw = ReadWriteLock.from(handle);
        rw.acquireWrite();
        Atomics.store(cells, 0, 1);
        Atomics.notify(cells, 0);
        while (Atomics.load(cells, 0) !== 2) Atomics.wait(cells, 0, 1, 50);
        rw.releaseWrite();
      }, { handle: rw.handle, cells });
      await until(() => Atomics.load(cells, STEP) === 1, 'the writer to hold the lock');
      expect(rw.tryAcquireRead()).toBe(false);
      expect(rw.tryAcquireWrite()).toBe(false);
      expect(await rw.acquireReadAsync({ timeout: 0 })).toBe(false);
      const reader = track(rw.acquireReadAsync());
      const other = track(rw.acquireWriteAsync());
      await sleep(20);
      expect(reader.settled || other.settled).toBe(false);
      setStep(cells, 2);
      await writer.result;
      // The readers waiting go in when the writer leaves, before the next writer.
      expect(await reader.promise).toBe(true);
      expect(other.settled).toBe(false);
      rw.releaseRead();
      expect(await other.promise).toBe(true);
      rw.releaseWrite();
    });

    test('writer preference: once a writer waits, new readers wait too, and the writer goes first', async () => {
      const rw = new ReadWriteLock();
      const cells = control();
      const WRITER = 1;
      const LATE_READER = 2;
      const MAIN_READER = 3;
      // A worker holds a read hold until step 1.
      const firstReader = startWorker(({ ReadWriteLock }, { handle, cells }) => {
        const rw = ReadWriteLock.from(handle);
        rw.acquireRead();
        Atomics.store(cells, 15, 1);
        while (Atomics.load(cells, 0) < 1) Atomics.wait(cells, 0, 0, 50);
        rw.releaseRead();
      }, { handle: rw.handle, cells });
      await until(() => Atomics.load(cells, 15) === 1, 'the first reader to hold the lock');
      const writer = startWorker(({ ReadWriteLock }, { handle, cells, id }) => {
        const rw = ReadWriteLock.from(handle);
        rw.acquireWrite();
        cells[2 + Atomics.add(cells, 1, 1)] = id;
        rw.releaseWrite();
      }, { handle: rw.handle, cells, id: WRITER });
      // Readers still get in until the writer waits; from then on they may not.
      await until(() => {
        if (!rw.tryAcquireRead()) return true;
        rw.releaseRead();
        return false;
      }, 'the writer to wait');
      const lateReader = startWorker(({ ReadWriteLock }, { handle, cells, id }) => {
        const rw = ReadWriteLock.from(handle);
        const refused = !rw.acquireRead({ timeout: 0 });
        Atomics.store(cells, 14, 1);
        rw.acquireRead();
        cells[2 + Atomics.add(cells, 1, 1)] = id;
        rw.releaseRead();
        return refused;
      }, { handle: rw.handle, cells, id: LATE_READER });
      const mainReader = rw.acquireReadAsync().then((ok) => {
        record(cells, MAIN_READER);
        rw.releaseRead();
        return ok;
      });
      await until(() => Atomics.load(cells, 14) === 1, 'the late reader to try');
      // Nobody got past the first reader while the writer waited.
      expect(orderOf(cells)).toEqual([]);
      setStep(cells, 1);
      await Promise.all([firstReader.result, writer.result, lateReader.result, mainReader]);
      expect(await lateReader.result).toBe(true);
      const order = orderOf(cells);
      expect(order[0]).toBe(WRITER);
      expect(order.slice(1).sort()).toEqual([LATE_READER, MAIN_READER]);
      expect(rw.locked).toBe(false);
    });

    test('when the last reader leaves, a waiting writer goes before readers that came after it', async () => {
      const rw = new ReadWriteLock();
      const cells = control();
      const reader = startWorker(({ ReadWriteLock }, { handle, cells }) => {
        const rw = ReadWriteLock.from(handle);
        rw.acquireRead();
        Atomics.store(cells, 0, 1);
        while (Atomics.load(cells, 0) !== 2) Atomics.wait(cells, 0, 1, 50);
        rw.releaseRead();
      }, { handle: rw.handle, cells });
      await until(() => Atomics.load(cells, STEP) === 1, 'the reader to hold the lock');
      // Both are asleep in the engine once these calls return (an async wait registers synchronously).
      const writer = track(rw.acquireWriteAsync());
      const lateReader = track(rw.acquireReadAsync());
      setStep(cells, 2);
      await reader.result;
      expect(await writer.promise).toBe(true);
      expect(lateReader.settled).toBe(false);
      rw.releaseWrite();
      expect(await lateReader.promise).toBe(true);
      rw.releaseRead();
    });

    test('a write hold is released by the thread that took it; another thread gets LockStateError', async () => {
      const rw = new ReadWriteLock();
      rw.acquireWrite();
      const message = await runInWorker(({ ReadWriteLock }, handle) => {
        try {
          ReadWriteLock.from(handle).releaseWrite();
          return 'released';
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        }
      }, rw.handle);
      expect(message).toMatch(/^LockStateError: .*does not hold the write hold \(the write hold is held by thread 0\)/);
      expect(rw.writeLocked).toBe(true);
      rw.releaseWrite();
    });

    test('a read hold of another thread cannot be released here, and a worker sees this thread\'s holds', async () => {
      const rw = new ReadWriteLock();
      rw.acquireRead();
      const seen = await runInWorker(({ ReadWriteLock }, handle) => {
        const rw = ReadWriteLock.from(handle);
        let error = '';
        try {
          rw.releaseRead();
        } catch (e) {
          error = (e as Error).name;
        }
        return { error, holds: rw.readHolds, mine: rw.readHoldsOfThisThread, write: rw.tryAcquireWrite() };
      }, rw.handle);
      expect(seen).toEqual({ error: 'LockStateError', holds: 1, mine: 0, write: false });
      rw.releaseRead();
    });

    test('a worker\'s nested read does not wait behind a waiting writer (nested reads cannot deadlock)', async () => {
      const rw = new ReadWriteLock();
      const cells = control();
      const reader = startWorker(({ ReadWriteLock }, { handle, cells }) => {
        const rw = ReadWriteLock.from(handle);
        rw.acquireRead();
        Atomics.store(cells, 0, 1);
        while (Atomics.load(cells, 0) !== 2) Atomics.wait(cells, 0, 1, 50);
        const nested = rw.acquireRead({ timeout: 0 });
        rw.releaseRead();
        rw.releaseRead();
        return nested;
      }, { handle: rw.handle, cells });
      await until(() => Atomics.load(cells, STEP) === 1, 'the reader to hold the lock');
      const writer = track(rw.acquireWriteAsync());
      expect(rw.tryAcquireRead()).toBe(false); // the writer waits: newcomers are shut out
      setStep(cells, 2);
      expect(await reader.result).toBe(true);
      expect(await writer.promise).toBe(true);
      rw.releaseWrite();
    });
  });

  describe('timeouts and abort', () => {
    test('blocking acquisitions time out in a worker, holding nothing', async () => {
      const rw = new ReadWriteLock();
      rw.acquireWrite();
      const outcome = await runInWorker(({ ReadWriteLock }, handle) => {
        const rw = ReadWriteLock.from(handle);
        return { read: rw.acquireRead({ timeout: 20 }), write: rw.acquireWrite({ timeout: 20 }), mine: rw.readHoldsOfThisThread };
      }, rw.handle);
      expect(outcome).toEqual({ read: false, write: false, mine: 0 });
      rw.releaseWrite();
      rw.acquireRead();
      const write = await runInWorker(({ ReadWriteLock }, handle) => ReadWriteLock.from(handle).acquireWrite({ timeout: 20 }), rw.handle);
      expect(write).toBe(false);
      rw.releaseRead();
      expect(rw.locked).toBe(false);
    });

    test('a writer that times out lets the readers it shut out in at once', async () => {
      const rw = new ReadWriteLock();
      const cells = control();
      const reader = startWorker(({ ReadWriteLock }, { handle, cells }) => {
        const rw = ReadWriteLock.from(handle);
        rw.acquireRead();
        Atomics.store(cells, 0, 1);
        while (Atomics.load(cells, 0) !== 2) Atomics.wait(cells, 0, 1, 50);
        rw.releaseRead();
      }, { handle: rw.handle, cells });
      await until(() => Atomics.load(cells, STEP) === 1, 'the reader to hold the lock');
      const writer = rw.acquireWriteAsync({ timeout: 30 });
      const shutOut = track(rw.acquireReadAsync()); // waits behind the writer
      expect(await writer).toBe(false);
      expect(await shutOut.promise).toBe(true); // while the worker still reads
      expect(rw.readHolds).toBe(2);
      expect(rw.tryAcquireRead()).toBe(true);
      rw.releaseRead();
      rw.releaseRead();
      setStep(cells, 2);
      await reader.result;
      expect(rw.locked).toBe(false);
    });

    test('abort rejects with the signal reason, holding nothing, and the next waiter still gets the lock', async () => {
      const rw = new ReadWriteLock();
      rw.acquireWrite();
      const controller = new AbortController();
      const reason = new Error('stop waiting');
      const abortedRead = rw.acquireReadAsync({ signal: controller.signal });
      const abortedWrite = rw.acquireWriteAsync({ signal: controller.signal });
      const reader = rw.acquireReadAsync({ timeout: 5000 });
      controller.abort(reason);
      await expect(abortedRead).rejects.toBe(reason);
      await expect(abortedWrite).rejects.toBe(reason);
      rw.releaseWrite();
      expect(await reader).toBe(true);
      expect(rw.readHoldsOfThisThread).toBe(1);
      rw.releaseRead();
      expect(rw.locked).toBe(false);
    });

    test('an aborted writer lets readers in; an already aborted signal rejects at once', async () => {
      const rw = new ReadWriteLock();
      rw.acquireRead();
      const controller = new AbortController();
      const writer = rw.acquireWriteAsync({ signal: controller.signal });
      expect(await rw.acquireReadAsync({ timeout: 0 })).toBe(false); // outside runRead, async reads queue
      expect(rw.tryAcquireRead()).toBe(true); // this thread holds one: a blocking-family read joins it
      rw.releaseRead();
      const worker = startWorker(({ ReadWriteLock }, handle) => ReadWriteLock.from(handle).acquireRead({ timeout: 10_000 }), rw.handle);
      await sleep(20);
      controller.abort();
      await expect(writer).rejects.toThrow();
      expect(await worker.result).toBe(true);
      await expect(rw.acquireWriteAsync({ signal: AbortSignal.abort() })).rejects.toBeDefined();
      rw.releaseRead();
    });

    test('a wake-up that reaches an aborted writer is passed on to a writer on a worker', async () => {
      const rw = new ReadWriteLock();
      rw.acquireRead();
      const controller = new AbortController();
      const aborted = rw.acquireWriteAsync({ signal: controller.signal }).catch(() => 'aborted');
      const worker = startWorker(({ ReadWriteLock }, handle) => {
        const rw = ReadWriteLock.from(handle);
        const ok = rw.acquireWrite({ timeout: 10_000 });
        if (ok) rw.releaseWrite();
        return ok;
      }, rw.handle);
      await sleep(30);
      controller.abort();
      expect(await aborted).toBe('aborted');
      rw.releaseRead();
      expect(await worker.result).toBe(true);
    });
  });

  test('stress: readers on workers always see the invariant writers keep, and no write is lost', async () => {
    const rw = new ReadWriteLock();
    const WIDTH = 8;
    const WRITES = 3_000;
    const READS = 10_000;
    const data = sharedInts(WIDTH);
    const start = sharedInts(1);
    const writers = [0, 1].map(() =>
      startWorker(({ ReadWriteLock }, { handle, data, start, writes }) => {
        const rw = ReadWriteLock.from(handle);
        while (Atomics.load(start, 0) === 0) Atomics.wait(start, 0, 0, 50);
        for (let i = 0; i < writes; i++) {
          rw.acquireWrite();
          // Plain, non-atomic writes, each cell in turn: only exclusion keeps them equal for readers.
          for (let c = 0; c < data.length; c++) data[c] = data[c]! + 1;
          rw.releaseWrite();
        }
      }, { handle: rw.handle, data, start, writes: WRITES }),
    );
    const readers = [0, 1].map(() =>
      startWorker(({ ReadWriteLock }, { handle, data, start, reads }) => {
        const rw = ReadWriteLock.from(handle);
        while (Atomics.load(start, 0) === 0) Atomics.wait(start, 0, 0, 50);
        let torn = 0;
        for (let i = 0; i < reads; i++) {
          rw.acquireRead();
          const first = data[0];
          for (let c = 1; c < data.length; c++) if (data[c] !== first) torn += 1;
          rw.releaseRead();
        }
        return torn;
      }, { handle: rw.handle, data, start, reads: READS }),
    );
    let mainTorn = 0;
    const mainReads = (async () => {
      for (let i = 0; i < 500; i++) {
        await rw.runRead(() => {
          for (let c = 1; c < WIDTH; c++) if (data[c] !== data[0]) mainTorn += 1;
        });
      }
    })();
    Atomics.store(start, 0, 1);
    Atomics.notify(start, 0);
    await Promise.all(writers.map((writer) => writer.result));
    const torn = await Promise.all(readers.map((reader) => reader.result));
    await mainReads;
    expect(torn).toEqual([0, 0]);
    expect(mainTorn).toBe(0);
    expect(Array.from(data)).toEqual(new Array(WIDTH).fill(2 * WRITES));
    expect(rw.locked).toBe(false);
  });
});
