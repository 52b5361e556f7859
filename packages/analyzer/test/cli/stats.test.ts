/**
 * The report says what it saw: locks recognised (by library, typed or guessed) and lock operations,
 * apart from the locks that are in edges, so a project full of locks never reads "0 locks".
 */
import { afterAll, expect, it } from 'vitest';
import type { Report } from '../../src/report/report-model.js';
import { runLockstep } from '../support/run-cli.js';
import { tempProject } from '../support/temp-project.js';

const project = tempProject({
  'store.ts': `import { Mutex } from 'async-mutex';
import { Lock } from '@lockstep/primitives';
export class Store {
  readonly #mutex = new Mutex();
  readonly lock = new Lock();
  async save(): Promise<void> {
    const release = await this.#mutex.acquire();
    try { await Promise.resolve(); } finally { release(); }
  }
  flush(): void {
    using _held = this.lock.hold();
  }
}`,
  'legacy.js': `export function touch(cacheLock) { cacheLock.acquire(); cacheLock.release(); }`,
});
afterAll(() => project.remove());

it('counts every lock recognised and every lock operation, though no lock is in an edge', async () => {
  const run = await runLockstep([project.dir, '--format', 'json']);
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout) as Report;
  expect(report.stats.locks).toBe(0);
  expect(report.stats.edges).toBe(0);
  expect(report.stats.locksRecognised).toEqual({ total: 3, typed: 2, guessed: 1, bySource: { 'async-mutex': 1, lockstep: 1, 'name-fallback': 1 } });
  // acquire + release function call are one operation (the release function is not a lock method), hold, acquire, release.
  expect(report.stats.lockOperations).toBe(4);

  const text = await runLockstep([project.dir]);
  expect(text.stdout).toMatch(/3 locks recognised \(1 async-mutex, 1 lockstep, 1 guessed by name\), 4 lock operations; 0 locks in 0 lock-order edges/);
});
