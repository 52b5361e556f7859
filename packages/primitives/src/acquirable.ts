import { LockTimeoutError } from './errors.js';
import type { AsyncWaitOptions, WaitOptions } from './internal/options.js';

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
  async holdAsync(options?: AsyncWaitOptions): Promise<AsyncDisposable & Disposable> {
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
    let released = false;
    const release = (): void => {
      // A guard releases once: disposing twice must not release a lock someone else took since.
      if (released) return;
      released = true;
      this.release();
    };
    return {
      [Symbol.dispose]: release,
      [Symbol.asyncDispose]: () => {
        release();
        return Promise.resolve();
      },
    };
  }

  private timeoutError(options: WaitOptions | undefined): LockTimeoutError {
    return new LockTimeoutError(`${this.displayName} was not acquired within ${String(options?.timeout)} ms`);
  }
}
