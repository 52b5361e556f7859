// The threads of the worker-death tests. A victim works on a primitive in a tight loop, counting its
// progress in shared memory, until the test terminates it at a random point; a prober then calls every
// method that promises a timeout or no wait on what the victim left behind and reports each outcome.
import { parentPort, workerData } from 'node:worker_threads';
import * as lib from '@lockstep/primitives';

const { Barrier, Queue, PriorityQueue } = lib;

/** Items are numbers (the fast path) or `{ id }` objects (the serializer); a PriorityQueue of objects orders by id. */
const byId = (a, b) => a.id - b.id;
const idOf = (item) => (typeof item === 'number' ? item : item.id);

function openQueue({ handle, objects }) {
  return handle.kind === 'PriorityQueue' && objects ? PriorityQueue.from(handle, { compare: byId }) : Queue.from(handle);
}

const victims = {
  /** Takes items with a rotation of get forms; `seen[id] = 1` once it holds one, `progress[0]` counts. */
  async queueConsumer({ queue, seen, progress, useAsync }) {
    const q = openQueue(queue);
    for (let n = 0; ; n++) {
      let item;
      if (useAsync) item = await q.getAsync({ timeout: 10_000 });
      else if (n % 3 === 0) item = q.get();
      else if (n % 3 === 1) item = q.getNowait();
      else item = q.get({ timeout: 10_000 });
      Atomics.store(seen, idOf(item), 1);
      q.taskDone();
      Atomics.add(progress, 0, 1);
    }
  },

  /** Puts ids 0, 1, 2, … in order; `progress[0]` is how many puts have returned. */
  async queuePut({ queue, progress, useAsync, limit }) {
    const q = openQueue(queue);
    for (let id = 0; id < limit; id++) {
      const item = queue.objects ? { id } : id;
      if (useAsync) await q.putAsync(item, { timeout: 10_000 });
      else if (id % 2 === 0 || q.maxSize > 0) q.put(item);
      else q.putNowait(item);
      Atomics.add(progress, 0, 1);
    }
  },

  /** Waits on the barrier round after round; `progress[0]` counts the rounds it got through. */
  async barrierParty({ barrier, progress, useAsync }) {
    const b = Barrier.from(barrier);
    for (;;) {
      if (useAsync) await b.waitAsync({ timeout: 10_000 });
      else b.wait({ timeout: 10_000 });
      Atomics.add(progress, 0, 1);
    }
  },
};

/** What a call did: `ok` (with its value) or the error's class, and its cause's class if any. */
async function outcome(call) {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: error?.name ?? String(error), cause: error?.cause?.name };
  }
}

const TIMED = { timeout: 20 };
/** Sentinels the prober puts; far above any victim's id. */
const SENTINEL = 1_000_000;

async function probeQueue(job) {
  const q = openQueue(job.queue);
  const make = (id) => (job.queue.objects ? { id } : id);
  const calls = {};
  const taken = [];
  let sentinelsPut = 0;
  const record = (name, result) => {
    calls[name] = result;
    if (result.ok && name.startsWith('get')) taken.push(idOf(result.value));
    if (result.ok && name.startsWith('put')) sentinelsPut++;
  };
  const say = (name) => parentPort.postMessage({ type: 'probing', job: job.id, call: name });
  // The blocking forms, one by one; then the async forms, all pending at once.
  const blocking = {
    get: () => q.get(TIMED),
    getNowait: () => q.getNowait(),
    put: () => q.put(make(SENTINEL), TIMED),
    putNowait: () => q.putNowait(make(SENTINEL + 1)),
    join: () => q.join(TIMED),
  };
  for (const [name, call] of Object.entries(blocking)) {
    say(name);
    record(name, await outcome(call));
  }
  say('async forms');
  const pending = {
    getAsync: outcome(() => q.getAsync(TIMED)),
    getAsyncNoWait: outcome(() => q.getAsync({ timeout: 0 })),
    putAsync: outcome(() => q.putAsync(make(SENTINEL + 2), TIMED)),
    joinAsync: outcome(() => q.joinAsync(TIMED)),
  };
  for (const [name, result] of Object.entries(pending)) record(name, await result);
  // Shut down, drain what is left, and mark every item the prober holds as done.
  say('shutdown');
  calls.shutdown = await outcome(() => q.shutdown());
  say('drain');
  // On a queue left locked, draining would only repeat getNowait's outcome (the same call).
  const locked = calls.getNowait.error === 'InternalStateLockedError';
  for (;;) {
    if (locked) {
      calls.drainEnd = calls.getNowait;
      break;
    }
    const result = await outcome(() => q.getNowait());
    if (!result.ok) {
      calls.drainEnd = result;
      break;
    }
    taken.push(idOf(result.value));
  }
  say('taskDone');
  let doneCalls = 0;
  for (let i = 0; i < taken.length && !locked; i++) {
    calls.taskDone = await outcome(() => q.taskDone());
    if (!calls.taskDone.ok) break;
    doneCalls++;
  }
  if (taken.length === 0 && !locked) calls.taskDone = await outcome(() => q.taskDone());
  if (locked) calls.taskDone = await outcome(() => q.taskDone());
  // Tasks left unfinished once everything reachable is done: at most the victim's item in flight.
  let unfinished = 0;
  if (calls.taskDone.ok) {
    while (unfinished < 3 && !q.join({ timeout: 0 })) {
      q.taskDone();
      unfinished++;
    }
  }
  return { calls, taken, sentinelsPut, doneCalls, unfinished };
}

async function probeBarrier(job) {
  const b = Barrier.from(job.barrier);
  const say = (name) => parentPort.postMessage({ type: 'probing', job: job.id, call: name });
  const calls = {};
  say('wait');
  calls.wait = await outcome(() => b.wait(TIMED));
  say('waitAsync');
  calls.waitAsync = await outcome(() => b.waitAsync(TIMED));
  calls.waitNoWait = await outcome(() => b.wait({ timeout: 0 }));
  say('abort');
  calls.abort = await outcome(() => b.abort());
  calls.brokenAfterAbort = b.broken;
  say('reset');
  calls.reset = await outcome(() => b.reset());
  calls.after = { broken: b.broken, nWaiting: b.nWaiting };
  // Repaired? A full round of this thread's async parties must go through.
  if (!calls.reset.ok) return { calls: { ...calls, round: ['skipped'] } };
  say('full round');
  const round = await Promise.all(Array.from({ length: b.parties }, () => outcome(() => b.waitAsync({ timeout: 5_000 }))));
  calls.round = round.map((r) => (r.ok ? r.value : r.error)).sort();
  return { calls };
}

if (workerData.role === 'prober') {
  parentPort.on('message', async (job) => {
    const result = job.queue !== undefined ? await probeQueue(job) : await probeBarrier(job);
    parentPort.postMessage({ type: 'result', job: job.id, result });
  });
} else {
  await victims[workerData.role](workerData);
}
