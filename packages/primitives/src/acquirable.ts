import { LockTimeoutError } from './errors.js';
import type { AsyncWaitOptions, WaitOptions } from './internal/options.js';
import { hook } from './internal/validation-hook.js';

/**
 * The surface shared by `Lock`, `RLock`, `Semaphore` and `Condition`: the JS form of Python's
 * "acquire/release and use it in a `with` block".
 */
export abstract class Acquirable {
  /** Blocks until acquired; `false` when `timeout` ran out first. For workers (`Atomics.wait`). */
  abstract acquire(options?: WaitOptions): boolean;
  /** Waits without blocking the thread; resolves `false` on timeout, rejects on `signal` abort. */
  abstract acquireAsync(options?: AsyncWaitOptions): Promise<boolean>;
  /** Acquires only if that needs no wait. */
  abstract tryAcquire(): boolean;
  abstract release(): void;

  /** Used by `hold`/`holdAsync` error messages, e.g. `"Lock"`. */
  protected abstract get displayName(): string;

  /**
   * Acquires and returns a guard that releases on dispose: `using _ = lock.hold();`, Python's
   * `with lock:`. Throws {@link LockTimeoutError} when `timeout` runs out.
   */
  hold(options?: WaitOptions): Disposable {
    if (!this.acquire(options)) throw this.timeoutError(options);
    return this.guard();
  }

  /** Async twin of {@link hold}: `await using _ = await lock.holdAsync();`. */
  holdAsync(options?: AsyncWaitOptions): Promise<AsyncDisposable & Disposable> {
    const validator = hook;
    if (validator !== undefined) return validator.carry(() => this.#guardAsync(options));
    return this.#guardAsync(options);
  }

  async #guardAsync(options: AsyncWaitOptions | undefined): Promise<AsyncDisposable & Disposable> {
    if (!(await this.acquireAsync(options))) throw this.timeoutError(options);
    return this.guard();
  }

  /**
   * Runs `fn` holding the lock and releases it however `fn` ends, like async-mutex's `runExclusive`.
   * Throws {@link LockTimeoutError} when `timeout` runs out before the lock is taken.
   */
  async runExclusive<T>(fn: () => T | Promise<T>, options?: AsyncWaitOptions): Promise<T> {
    await using _held = await this.holdAsync(options);
    return await fn();
  }

  private guard(): AsyncDisposable & Disposable {
    return new HeldGuard(this);
  }

  private timeoutError(options: WaitOptions | undefined): LockTimeoutError {
    return new LockTimeoutError(`${this.displayName} was not acquired within ${String(options?.timeout)} ms`);
  }
}

/**
 * What `hold()` returns. A class rather than an object literal with closures: `hold()` sits on hot
 * paths, and prototype methods cost no allocation per call.
 */
class HeldGuard implements Disposable, AsyncDisposable {
  #held: Acquirable | undefined;

  constructor(held: Acquirable) {
    this.#held = held;
  }

  [Symbol.dispose](): void {
    const held = this.#held;
    // A guard releases once: disposing twice must not release a lock someone else took since.
    if (held === undefined) return;
    this.#held = undefined;
    held.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
    return Promise.resolve();
  }
}
