// The run-time validator instrumenting Web Locks (navigator.locks), on a runtime that has them (Node 24;
// Node 20, which runs the rest of the suite, does not). Run by test/runtimes/web-locks-validation.test.ts
// with `--import @lockstep/primitives/validate` and LOCKSTEP_VALIDATE_INSTRUMENT=web-locks, so that a
// worker started here validates too and joins this thread's lock-order graph. Prints one line per
// check, `ok <name>` or `not ok <name>: <error>`, then `done <passed>/<total>`.
/* global navigator -- Node 24's Web Locks; the lint config knows Node 20's globals */
import { Worker } from 'node:worker_threads';
import {
  clearLockValidationReports,
  disableLockValidation,
  enableLockValidation,
  fingerprintLockFinding,
  LockValidationError,
  lockValidationReports,
} from '@lockstep/primitives/validate';

function assert(condition, what) {
  if (!condition) throw new Error(what);
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const kinds = () => lockValidationReports().map((report) => report.kind);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const held = async () => (await navigator.locks.query()).held.map((lock) => lock.name).sort();

const checks = {
  async 'an inversion of two names across async contexts is one lock-order cycle with lockstep ids and fingerprint'() {
    await navigator.locks.request('orders', async () => navigator.locks.request('inventory', async () => pause(1)));
    await navigator.locks.request('inventory', async () => navigator.locks.request('orders', async () => pause(1)));
    const [report] = lockValidationReports();
    assert(same(kinds(), ['lock-order-cycle']), `kinds ${kinds()}`);
    assert(same(report.locks, ['web-lock:inventory', 'web-lock:orders']), `locks ${report.locks}`);
    assert(report.fingerprint === fingerprintLockFinding('lock-order-cycle', ['web-lock:inventory', 'web-lock:orders']), 'fingerprint');
    assert(same(report.lockInfo.map((lock) => lock.name), ['navigator.locks "inventory"', 'navigator.locks "orders"']), 'names');
    assert(report.steps.every((step) => step.acquired.form === 'request'), 'form');
  },
  async 'an exclusive name requested again inside its own callback is refused instead of hanging'() {
    let inner = false;
    const error = await navigator.locks
      .request('ledger', async () => {
        await navigator.locks.request('ledger', async () => {
          inner = true;
        });
      })
      .then(
        () => undefined,
        (thrown) => thrown,
      );
    assert(error instanceof LockValidationError, `threw ${error}`);
    assert(error.report.kind === 'self-deadlock' && same(error.report.locks, ['web-lock:ledger']), `report ${JSON.stringify(error.report.locks)}`);
    assert(!inner, 'the inner callback ran');
    assert(same(await held(), []), `still held: ${await held()}`);
  },
  async 'shared holds of one name nest without a finding; the callback result and errors come through'() {
    const value = await navigator.locks.request('config', { mode: 'shared' }, async () => navigator.locks.request('config', { mode: 'shared' }, async () => 42));
    assert(value === 42, `value ${value}`);
    const error = await navigator.locks
      .request('config', async () => {
        throw new RangeError('boom');
      })
      .then(
        () => undefined,
        (thrown) => thrown,
      );
    assert(error instanceof RangeError && error.message === 'boom', `error ${error}`);
    assert(same(kinds(), []), `kinds ${kinds()}`);
    assert(same(await held(), []), `still held: ${await held()}`);
  },
  async 'ifAvailable: not available, the callback gets null and holds nothing; granted, it orders like any hold'() {
    let release;
    const holder = navigator.locks.request('cache', () => new Promise((resolve) => (release = resolve)));
    await pause(5);
    const got = await navigator.locks.request('cache', { ifAvailable: true }, async (lock) => lock);
    assert(got === null, `got ${got}`);
    release();
    await holder;
    await navigator.locks.request('cache', { ifAvailable: true }, async () => navigator.locks.request('index', async () => pause(1)));
    await navigator.locks.request('index', async () => navigator.locks.request('cache', async () => pause(1)));
    assert(same(lockValidationReports().map((report) => report.locks), [['web-lock:cache', 'web-lock:index']]), `reports ${JSON.stringify(lockValidationReports().map((r) => r.locks))}`);
  },
  async 'a request aborted before its grant rejects with the abort reason and holds nothing'() {
    let release;
    const holder = navigator.locks.request('queue', () => new Promise((resolve) => (release = resolve)));
    await pause(5);
    const controller = new AbortController();
    const waiting = navigator.locks.request('queue', { signal: controller.signal }, async () => 'ran');
    controller.abort(new Error('gave up'));
    const error = await waiting.then(
      () => undefined,
      (thrown) => thrown,
    );
    assert(error?.message === 'gave up' || error?.name === 'AbortError', `error ${error}`);
    release();
    await holder;
    assert(same(kinds(), []), `kinds ${kinds()}`);
  },
  async 'an inversion split between this thread and a worker is reported by the worker'() {
    await navigator.locks.request('left', async () => navigator.locks.request('right', async () => pause(1)));
    const worker = new Worker(
      `const v = await import('@lockstep/primitives/validate');
       await navigator.locks.request('right', async () => navigator.locks.request('left', async () => undefined));
       (await import('node:worker_threads')).parentPort.postMessage(v.lockValidationReports().map((r) => ({ kind: r.kind, locks: r.locks, threads: r.steps.map((s) => s.acquired.context.thread.ident) })));`,
      { eval: true, type: 'module' },
    );
    const seen = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert(seen.length === 1 && seen[0].kind === 'lock-order-cycle' && same(seen[0].locks, ['web-lock:left', 'web-lock:right']), `worker saw ${JSON.stringify(seen)}`);
    assert(seen[0].threads.includes(0) && seen[0].threads.some((ident) => ident > 0), `threads ${seen[0].threads}`);
    assert(same(kinds(), []), `main saw ${kinds()}`);
  },
  async 'switched off, LockManager.prototype.request is its own again'() {
    const patched = Object.getPrototypeOf(navigator.locks).request;
    disableLockValidation();
    const own = Object.getPrototypeOf(navigator.locks).request;
    assert(own !== patched, 'still patched');
    enableLockValidation({ onReport: 'record', instrument: [navigator.locks] });
    assert(Object.getPrototypeOf(navigator.locks).request !== own, 'not patched again');
  },
};

let passed = 0;
const names = Object.keys(checks);
for (const name of names) {
  // Each check starts afresh (a new graph) in 'record' mode, Web Locks instrumented.
  enableLockValidation({ onReport: 'record', instrument: [navigator.locks] });
  clearLockValidationReports();
  try {
    await checks[name]();
    passed++;
    console.log(`ok ${name}`);
  } catch (error) {
    console.log(`not ok ${name}: ${error instanceof Error ? error.stack : String(error)}`);
  }
}
disableLockValidation();
console.log(`done ${passed}/${names.length}`);
