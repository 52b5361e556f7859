/**
 * The `multithreading` package's channel between two of its own pool workers, the way its README uses
 * it: `spawn(move(rx), fn)` and `spawn(move(tx), fn)`. The package runs `fn` in a worker from its source
 * text, so the functions below must be self-contained: they may use only their arguments and globals
 * (no imports, no helpers from this file). They use the blocking `blockingSend`/`blockingRecv`, the
 * counterpart of our blocking `put`/`get`.
 */
import type { Receiver, Sender } from 'multithreading';
import type { ItemKind } from '../workers/queue-protocol.js';
import { waitUntilAtLeast } from './threads.js';

type Multithreading = typeof import('multithreading');

interface Box {
  readonly ctl: Int32Array;
  readonly n: number;
  readonly kind: ItemKind;
}

export interface Timing {
  readonly start: number;
  readonly end: number;
  readonly checksum: number;
}

/**
 * Why the channel keeps its defaults: in our trials, larger capacities with the default 64 KiB buffer
 * delivered wrong items (checksum mismatch) at 256 and ran out of buffer memory at 1024 when the two
 * ends were in different workers.
 */
export const CHANNEL_NOTE =
  'multithreading channel at its defaults (capacity 32, 64 KiB buffer): with capacity 256 or 1024 and the default buffer, items came out wrong or the buffer ran out across workers in our trials';

let initialized = false;

function init(mt: Multithreading): void {
  if (initialized) return;
  // Two workers: one per end of the channel (the pool starts them on first use).
  mt.initRuntime({ maxWorkers: 2 });
  initialized = true;
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: Error }): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** One-way: one worker sends `n` items, the other receives them. */
export async function channelOneWay(mt: Multithreading, kind: ItemKind, n: number): Promise<Timing> {
  init(mt);
  const [tx, rx] = mt.channel<unknown>(); // the default capacity, 32 (see CHANNEL_NOTE)
  const box: Box = { ctl: new Int32Array(new SharedArrayBuffer(4)), n, kind };
  const consumer = mt.spawn(mt.move(rx, box), (receiver: Receiver<unknown>, b: Box) => {
    let checksum = 0;
    Atomics.add(b.ctl, 0, 1);
    for (let i = 0; i < b.n; i++) {
      const r = receiver.blockingRecv();
      if (!r.ok) throw r.error;
      checksum += typeof r.value === 'number' ? r.value : (r.value as { id: number }).id;
    }
    return { end: Number(process.hrtime.bigint()) / 1e6, checksum };
  });
  await waitUntilAtLeast(box.ctl, 0, 1);
  const producer = mt.spawn(mt.move(tx, box), (sender: Sender<unknown>, b: Box) => {
    const start = Number(process.hrtime.bigint()) / 1e6;
    for (let i = 0; i < b.n; i++) {
      const r = sender.blockingSend(b.kind === 'number' ? i : { id: i, name: 'widget' });
      if (!r.ok) throw r.error;
    }
    return start;
  });
  const [consumed, started] = await Promise.all([consumer.join(), producer.join()]);
  const { end, checksum } = unwrap(consumed);
  return { start: unwrap(started), end, checksum };
}

/** Round trips: one worker sends an item and waits for it to come back, `n` times. */
export async function channelPingPong(mt: Multithreading, kind: ItemKind, n: number): Promise<Timing> {
  init(mt);
  const [outTx, outRx] = mt.channel<unknown>();
  const [backTx, backRx] = mt.channel<unknown>();
  const box: Box = { ctl: new Int32Array(new SharedArrayBuffer(4)), n, kind };
  const ponger = mt.spawn(mt.move(outRx, backTx, box), (inbox: Receiver<unknown>, reply: Sender<unknown>, b: Box) => {
    Atomics.add(b.ctl, 0, 1);
    for (let i = 0; i < b.n; i++) {
      const r = inbox.blockingRecv();
      if (!r.ok) throw r.error;
      const s = reply.blockingSend(r.value);
      if (!s.ok) throw s.error;
    }
    return null;
  });
  await waitUntilAtLeast(box.ctl, 0, 1);
  const pinger = mt.spawn(mt.move(outTx, backRx, box), (out: Sender<unknown>, back: Receiver<unknown>, b: Box) => {
    let checksum = 0;
    const start = Number(process.hrtime.bigint()) / 1e6;
    for (let i = 0; i < b.n; i++) {
      const s = out.blockingSend(b.kind === 'number' ? i : { id: i, name: 'widget' });
      if (!s.ok) throw s.error;
      const r = back.blockingRecv();
      if (!r.ok) throw r.error;
      checksum += typeof r.value === 'number' ? r.value : (r.value as { id: number }).id;
    }
    return { start, end: Number(process.hrtime.bigint()) / 1e6, checksum };
  });
  const [timing] = await Promise.all([pinger.join(), ponger.join()]);
  return unwrap(timing);
}

export function shutdownChannels(mt: Multithreading): void {
  if (initialized) mt.shutdown();
}
