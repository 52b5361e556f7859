import { LockStateError, LockTimeoutError } from './errors.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { deadlineFrom, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { RESOLVED_TRUE } from './internal/resolved.js';
import { giveName, hook, nameFromHandle, nameOption, withName, VALIDATION_RECORD, type Validated } from './internal/validation-hook.js';
import { nodeBuiltin } from './internal/runtime.js';
import { RW_CELLS, RwCells } from './internal/rw-cells.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';
import { currentThreadIdent } from './internal/thread-context.js';

/** Structured-clonable reference to a {@link ReadWriteLock}; rebuild it with {@link ReadWriteLock.from}. */
export type ReadWriteLockHandle = CellsHandle<'ReadWriteLock'>;

const selfTag = currentThreadIdent() + 1;

/**
 * What this thread holds of one lock (its cells), whichever `ReadWriteLock` object of this thread took
 * it: counted here, in plain memory, so that checking for an upgrade costs no shared access. Keyed by
 * the buffer object: a handle that arrives in another message brings another buffer object over the
 * same memory, which JavaScript cannot tell apart, so its locks count their holds apart (documented).
 */
class ThreadHolds {
  reads = 0;
  write = false;
}

const holdsByBuffer = new WeakMap<SharedArrayBuffer, Map<number, ThreadHolds>>();

function threadHoldsOf(cells: Int32Array): ThreadHolds {
  const buffer = cells.buffer as SharedArrayBuffer;
  let byOffset = holdsByBuffer.get(buffer);
  if (byOffset === undefined) holdsByBuffer.set(buffer, (byOffset = new Map<number, ThreadHolds>()));
  let holds = byOffset.get(cells.byteOffset);
  if (holds === undefined) byOffset.set(cells.byteOffset, (holds = new ThreadHolds()));
  return holds;
}

/**
 * The holds an async task took through `runRead`/`runWrite`, visible to everything that task runs
 * (and starts) while they last. Its own `AsyncLocalStorage`, not `RLock`'s task scopes: each
 * `runRead` call is a task of its own here, so two concurrent `runRead`s never pass for one task.
 */
interface TaskHold {
  readonly holds: ThreadHolds;
  readonly mode: 'read' | 'write';
  active: boolean;
}

interface HoldStorage {
  getStore(): readonly TaskHold[] | undefined;
  run<R>(store: readonly TaskHold[], fn: () => R): R;
}

function createHoldStorage(): HoldStorage | undefined {
  const AsyncLocalStorage = nodeBuiltin<{ AsyncLocalStorage?: new () => HoldStorage }>('node:async_hooks')?.AsyncLocalStorage
    ?? (globalThis as { readonly AsyncLocalStorage?: new () => HoldStorage }).AsyncLocalStorage;
  return typeof AsyncLocalStorage === 'function' ? new AsyncLocalStorage() : undefined;
}

const taskHolds = createHoldStorage();

/** The mode the calling async task holds `holds` in through `runRead`/`runWrite`, if any. */
function taskModeOf(holds: ThreadHolds): 'read' | 'write' | undefined {
  const store = taskHolds?.getStore();
  if (store === undefined) return undefined;
  for (const hold of store) if (hold.active && hold.holds === holds) return hold.mode;
  return undefined;
}

/**
 * A reader–writer lock shared by every thread that holds its handle: any number of readers at once, or
 * one writer. **Writer-preferring**: once a writer waits, new readers wait too, so readers arriving
 * without pause never starve it. When the writer leaves, the readers waiting then go in together,
 * before the next writer; so writers do not starve waiting readers either.
 *
 * Holds belong to threads: a read hold or the write hold is released by the thread that took it
 * (else {@link LockStateError}). Rebuild the lock once per thread and share that object: hold counts
 * are kept per buffer object, and a handle from another message brings a new one. It is not re-entrant for writers, and **cannot be upgraded**: asking
 * for the write hold while this thread holds a read hold would wait for itself for ever, so
 * `acquireWrite()` throws {@link LockStateError} instead (release the read hold first, or take the
 * write hold from the start). Going the other way is atomic: {@link downgrade} turns the write hold
 * into a read hold. A thread that holds a read hold takes more without waiting, even while a writer
 * waits, so nested reads cannot deadlock.
 *
 * Async tasks are not threads: an async task that holds a read hold and awaits the write hold waits
 * for itself. Inside {@link runRead} and {@link runWrite} the task is known, and such a call throws
 * `LockStateError` as the blocking one does (where the runtime has `AsyncLocalStorage`: Node, Deno, Bun).
 *
 * @example
 * ```ts
 * const table = new ReadWriteLock();
 * new Worker(url, { workerData: table.handle });
 *
 * // worker: many readers at once
 * const table = ReadWriteLock.from(workerData);
 * { using _ = table.holdRead(); lookup(key); }
 *
 * // any thread, the main one included: one writer, alone
 * await table.runWrite(() => { rebuild(); });
 * {
 *   await using _ = await table.holdWriteAsync({ timeout: 100 });
 *   rebuild();
 * }
 * ```
 */
export class ReadWriteLock {
  readonly #rw: RwCells;
  readonly #holds: ThreadHolds;

  /** `name`: the lock's class for the run-time validator, as {@link LockOptions.name}. */
  constructor(options?: { readonly name?: string | undefined }) {
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('new ReadWriteLock(options): options must be an object like { name: "src/db.ts#table" }');
    giveName(this, nameOption(options, 'new ReadWriteLock(options)'));
    const adopted = takeAdopted<Int32Array>();
    const cells = adopted ?? allocateCells(RW_CELLS);
    this.#rw = new RwCells(cells);
    this.#holds = threadHoldsOf(cells);
    hook?.created(this, 'ReadWriteLock', adopted !== undefined);
  }

  // The validator's ways in (one function each, not a closure per call). Read and write holds are one
  // lock class for the order graph, as for `lockstep`; this class refuses its own self-deadlocks.
  static readonly #attemptRead = (lock: ReadWriteLock, options: WaitOptions | undefined): boolean => lock.#acquireRead(options);
  static readonly #attemptWrite = (lock: ReadWriteLock, options: WaitOptions | undefined): boolean => lock.#acquireWrite(options);
  static readonly #attemptReadAsync = (lock: ReadWriteLock, options: AsyncWaitOptions | undefined): Promise<boolean> => lock.#acquireReadAsync(options);
  static readonly #attemptWriteAsync = (lock: ReadWriteLock, options: AsyncWaitOptions | undefined): Promise<boolean> => lock.#acquireWriteAsync(options);

  /** Rebuilds, in this thread, the lock a handle refers to: the same lock, not a copy. */
  static from(handle: ReadWriteLockHandle): ReadWriteLock {
    return nameFromHandle(constructAdopting(cellsFromHandle(handle, 'ReadWriteLock', RW_CELLS), () => new ReadWriteLock()), handle, 'ReadWriteLock.from(handle)');
  }

  get handle(): ReadWriteLockHandle {
    return withName(this, handleOf('ReadWriteLock', this.#rw.cells));
  }

  /** How many read holds all threads have now (0 while the writer holds it). */
  get readHolds(): number {
    return this.#rw.readHolds;
  }

  /** Whether a writer holds the lock now. */
  get writeLocked(): boolean {
    return this.#rw.writeLocked;
  }

  /** Whether anyone holds the lock now, readers or the writer. */
  get locked(): boolean {
    return this.#rw.writeLocked || this.#rw.readHolds > 0;
  }

  /** Read holds the calling thread has now, taken by any form. */
  get readHoldsOfThisThread(): number {
    return this.#holds.reads;
  }

  /** Whether the calling thread holds the write hold. */
  get writeHeldByThisThread(): boolean {
    return this.#holds.write;
  }

  /**
   * Blocks until this thread holds a read hold; `false` when `timeout` ran out first. Does not wait when
   * this thread already holds one. For workers.
   * @throws LockStateError when this thread holds the write hold (it would wait for itself).
   */
  acquireRead(options?: WaitOptions): boolean {
    const validator = hook;
    // A thread's nested read hold never waits: recorded, not checked.
    if (validator !== undefined) return validator.acquire(this, (this as Validated)[VALIDATION_RECORD], options, ReadWriteLock.#attemptRead, this.#holds.reads > 0, 1);
    return this.#acquireRead(options);
  }

  #acquireRead(options: WaitOptions | undefined): boolean {
    const deadline = deadlineFrom(options, 'ReadWriteLock.acquireRead()');
    const holds = this.#holds;
    if (holds.write) throw selfDeadlock('acquireRead()', 'a read hold');
    const nested = holds.reads > 0;
    if (!this.#rw.tryRead(nested) && !this.#rw.readBlocking(nested, deadline, 'ReadWriteLock.acquireRead()')) return false;
    holds.reads += 1;
    return true;
  }

  /** Takes a read hold only if that needs no wait (a thread that already holds one always can). */
  tryAcquireRead(): boolean {
    const holds = this.#holds;
    if (!this.#rw.tryRead(holds.reads > 0 || taskModeOf(holds) === 'read')) return false;
    holds.reads += 1;
    hook?.tryAcquired(this, (this as Validated)[VALIDATION_RECORD], false, 1);
    return true;
  }

  /**
   * Waits, without blocking the thread, for a read hold; resolves `false` on timeout, rejects with the
   * signal's reason on abort (holding nothing). Inside {@link runRead} it does not wait.
   * @throws LockStateError inside {@link runWrite} of this lock.
   */
  acquireReadAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const validator = hook;
    if (validator !== undefined) return validator.acquireAsync(this, (this as Validated)[VALIDATION_RECORD], options, ReadWriteLock.#attemptReadAsync, taskModeOf(this.#holds) === 'read', 1);
    return this.#acquireReadAsync(options);
  }

  #acquireReadAsync(options: AsyncWaitOptions | undefined): Promise<boolean> {
    if (options === undefined && this.#rw.tryRead(false)) {
      this.#holds.reads += 1;
      return RESOLVED_TRUE;
    }
    return this.#acquireReadAsyncSlow(options);
  }

  async #acquireReadAsyncSlow(options: AsyncWaitOptions | undefined): Promise<boolean> {
    const method = 'ReadWriteLock.acquireReadAsync()';
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    const holds = this.#holds;
    const mode = taskModeOf(holds);
    if (mode === 'write') throw selfDeadlock('acquireReadAsync()', 'a read hold', 'this async task');
    if (!(await this.#rw.readAsync(mode === 'read', deadline, signal))) return false;
    holds.reads += 1;
    return true;
  }

  /**
   * Gives back one read hold of this thread.
   * @throws LockStateError when this thread holds none (nothing changes).
   */
  releaseRead(): void {
    const holds = this.#holds;
    if (holds.reads === 0) {
      throw new LockStateError(`ReadWriteLock.releaseRead(): this thread holds no read hold of this lock${this.#heldBy()}`);
    }
    if (!this.#rw.releaseRead()) throw new LockStateError('ReadWriteLock.releaseRead(): the lock holds no read hold');
    holds.reads -= 1;
    hook?.released(this, (this as Validated)[VALIDATION_RECORD], 1);
  }

  /**
   * Blocks until this thread holds the write hold, alone; `false` when `timeout` ran out first. For
   * workers.
   * @throws LockStateError when this thread holds a read hold (an upgrade, which would wait for
   * itself) or the write hold already (not re-entrant).
   */
  acquireWrite(options?: WaitOptions): boolean {
    const validator = hook;
    if (validator !== undefined) return validator.acquire(this, (this as Validated)[VALIDATION_RECORD], options, ReadWriteLock.#attemptWrite, false, 1);
    return this.#acquireWrite(options);
  }

  #acquireWrite(options: WaitOptions | undefined): boolean {
    const deadline = deadlineFrom(options, 'ReadWriteLock.acquireWrite()');
    const holds = this.#holds;
    this.#refuseWriteFromThread(holds, 'acquireWrite()');
    if (!this.#rw.tryWrite(selfTag) && !this.#rw.writeBlocking(selfTag, deadline, 'ReadWriteLock.acquireWrite()')) return false;
    holds.write = true;
    return true;
  }

  /** Takes the write hold only if no one holds the lock. `false` also when this thread holds a read hold. */
  tryAcquireWrite(): boolean {
    if (!this.#rw.tryWrite(selfTag)) return false;
    this.#holds.write = true;
    hook?.tryAcquired(this, (this as Validated)[VALIDATION_RECORD], false, 1);
    return true;
  }

  /**
   * Waits, without blocking the thread, for the write hold; resolves `false` on timeout, rejects with
   * the signal's reason on abort (holding nothing).
   * @throws LockStateError inside {@link runRead} or {@link runWrite} of this lock (an upgrade or a
   * re-entry, which would wait for itself).
   */
  acquireWriteAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const validator = hook;
    if (validator !== undefined) return validator.acquireAsync(this, (this as Validated)[VALIDATION_RECORD], options, ReadWriteLock.#attemptWriteAsync, false, 1);
    return this.#acquireWriteAsync(options);
  }

  #acquireWriteAsync(options: AsyncWaitOptions | undefined): Promise<boolean> {
    if (options === undefined && this.#rw.tryWrite(selfTag)) {
      this.#holds.write = true;
      return RESOLVED_TRUE;
    }
    return this.#acquireWriteAsyncSlow(options);
  }

  async #acquireWriteAsyncSlow(options: AsyncWaitOptions | undefined): Promise<boolean> {
    const method = 'ReadWriteLock.acquireWriteAsync()';
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    const holds = this.#holds;
    const mode = taskModeOf(holds);
    if (mode === 'read') throw upgradeError('acquireWriteAsync()', 'this async task (inside runRead)');
    if (mode === 'write') throw selfDeadlock('acquireWriteAsync()', 'the write hold', 'this async task');
    if (!(await this.#rw.writeAsync(selfTag, deadline, signal))) return false;
    holds.write = true;
    return true;
  }

  /**
   * Gives back the write hold; the readers waiting go in together, else the next writer.
   * @throws LockStateError when this thread does not hold it (nothing changes).
   */
  releaseWrite(): void {
    this.#checkWriteHeld('releaseWrite()');
    this.#rw.releaseWrite();
    this.#holds.write = false;
    hook?.released(this, (this as Validated)[VALIDATION_RECORD], 1);
  }

  /**
   * Turns this thread's write hold into a read hold, atomically: no writer can come in between, and the
   * readers waiting go in with it. Release the read hold with {@link releaseRead} afterwards.
   * @throws LockStateError when this thread does not hold the write hold.
   */
  downgrade(): void {
    this.#checkWriteHeld('downgrade()');
    this.#rw.downgrade();
    this.#holds.write = false;
    this.#holds.reads += 1;
  }

  /** Takes a read hold and returns a guard that gives it back on dispose: `using _ = rw.holdRead();`. */
  holdRead(options?: WaitOptions): Disposable {
    if (!this.acquireRead(options)) throw timeoutError('read', options);
    return new ReadHold(this);
  }

  /** Async twin of {@link holdRead}: `await using _ = await rw.holdReadAsync();`. */
  holdReadAsync(options?: AsyncWaitOptions): Promise<AsyncDisposable & Disposable> {
    // Whoever awaits the hold holds the lock, not only this helper (the validator carries it over).
    const validator = hook;
    if (validator !== undefined) return validator.carry(() => this.#holdReadAsync(options));
    return this.#holdReadAsync(options);
  }

  async #holdReadAsync(options: AsyncWaitOptions | undefined): Promise<AsyncDisposable & Disposable> {
    if (!(await this.acquireReadAsync(options))) throw timeoutError('read', options);
    return new ReadHold(this);
  }

  /** Takes the write hold and returns a guard that gives it back on dispose (or turns into a read hold: {@link WriteHold.downgrade}). */
  holdWrite(options?: WaitOptions): WriteHold {
    if (!this.acquireWrite(options)) throw timeoutError('write', options);
    return new WriteHold(this);
  }

  /** Async twin of {@link holdWrite}: `await using _ = await rw.holdWriteAsync();`. */
  holdWriteAsync(options?: AsyncWaitOptions): Promise<WriteHold> {
    const validator = hook;
    if (validator !== undefined) return validator.carry(() => this.#holdWriteAsync(options));
    return this.#holdWriteAsync(options);
  }

  async #holdWriteAsync(options: AsyncWaitOptions | undefined): Promise<WriteHold> {
    if (!(await this.acquireWriteAsync(options))) throw timeoutError('write', options);
    return new WriteHold(this);
  }

  /**
   * Runs `fn` holding a read hold, released however `fn` ends (Lock's `runExclusive`, for readers).
   * Everything `fn` runs knows it holds the read hold: a nested `runRead` or `acquireReadAsync` does
   * not wait, and asking for the write hold throws `LockStateError` instead of waiting for ever.
   * Throws {@link LockTimeoutError} when `timeout` runs out first.
   */
  runRead<T>(fn: () => T | Promise<T>, options?: AsyncWaitOptions): Promise<T> {
    return this.#runHolding('read', fn, options);
  }

  /**
   * Runs `fn` holding the write hold, released however `fn` ends. Inside it, any further acquisition
   * of this lock by the same task throws `LockStateError` instead of waiting for ever.
   * Throws {@link LockTimeoutError} when `timeout` runs out first.
   */
  runWrite<T>(fn: () => T | Promise<T>, options?: AsyncWaitOptions): Promise<T> {
    return this.#runHolding('write', fn, options);
  }

  async #runHolding<T>(mode: 'read' | 'write', fn: () => T | Promise<T>, options: AsyncWaitOptions | undefined): Promise<T> {
    await using _held = mode === 'read' ? await this.holdReadAsync(options) : await this.holdWriteAsync(options);
    if (taskHolds === undefined) return await fn();
    const hold: TaskHold = { holds: this.#holds, mode, active: true };
    try {
      return await taskHolds.run([...(taskHolds.getStore() ?? []), hold], fn);
    } finally {
      // Work `fn` started and left running must not think it still holds the lock.
      hold.active = false;
    }
  }

  #refuseWriteFromThread(holds: ThreadHolds, method: string): void {
    if (holds.write) throw selfDeadlock(method, 'the write hold');
    if (holds.reads > 0) throw upgradeError(method, `this thread (${holds.reads} read hold${holds.reads === 1 ? '' : 's'})`);
  }

  #checkWriteHeld(method: string): void {
    if (this.#holds.write && this.#rw.ownerTag === selfTag) return;
    throw new LockStateError(`ReadWriteLock.${method}: this thread does not hold the write hold${this.#heldBy()}`);
  }

  /** How the lock is held now, for messages: `' (held by 2 readers)'`. */
  #heldBy(): string {
    const owner = this.#rw.ownerTag;
    if (owner !== 0) return ` (the write hold is held by thread ${owner - 1})`;
    const reads = this.#rw.readHolds;
    if (reads > 0) return ` (${reads} read hold${reads === 1 ? '' : 's'} held by other threads)`;
    return ' (it is not held)';
  }
}

/**
 * What {@link ReadWriteLock.holdWrite} returns: gives the write hold back when disposed, or turns it into
 * a read hold with {@link downgrade}, after which disposing gives the read hold back.
 */
export class WriteHold implements Disposable, AsyncDisposable {
  #lock: ReadWriteLock | undefined;
  #downgraded = false;

  constructor(lock: ReadWriteLock) {
    this.#lock = lock;
  }

  /** Turns the write hold into a read hold ({@link ReadWriteLock.downgrade}); this guard then releases that. */
  downgrade(): void {
    if (this.#lock === undefined || this.#downgraded) {
      throw new LockStateError('WriteHold.downgrade(): this guard no longer holds the write hold');
    }
    this.#lock.downgrade();
    this.#downgraded = true;
  }

  [Symbol.dispose](): void {
    const lock = this.#lock;
    if (lock === undefined) return;
    this.#lock = undefined;
    if (this.#downgraded) lock.releaseRead();
    else lock.releaseWrite();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
    return Promise.resolve();
  }
}

/** What `holdRead()` returns: gives the read hold back once, when disposed. */
class ReadHold implements Disposable, AsyncDisposable {
  #lock: ReadWriteLock | undefined;

  constructor(lock: ReadWriteLock) {
    this.#lock = lock;
  }

  [Symbol.dispose](): void {
    const lock = this.#lock;
    if (lock === undefined) return;
    this.#lock = undefined;
    lock.releaseRead();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
    return Promise.resolve();
  }
}

function upgradeError(method: string, holder: string): LockStateError {
  return new LockStateError(
    `ReadWriteLock.${method}: ${holder} holds a read hold of this lock, and a write hold cannot be added to it ` +
      '(an upgrade would wait for itself for ever); release the read hold first, or take the write hold from the start',
  );
}

function selfDeadlock(method: string, wanted: string, holder = 'this thread'): LockStateError {
  return new LockStateError(
    `ReadWriteLock.${method}: ${holder} holds the write hold of this lock, so ${wanted} would wait for itself for ever ` +
      '(the write hold is not re-entrant; downgrade() turns it into a read hold)',
  );
}

function timeoutError(mode: 'read' | 'write', options: WaitOptions | undefined): LockTimeoutError {
  return new LockTimeoutError(`ReadWriteLock (${mode}) was not acquired within ${String(options?.timeout)} ms`);
}

