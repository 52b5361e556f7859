/**
 * Worker of bench/queue-throughput.ts and bench/queue-round-trip.ts. One worker produces (or pings),
 * the other consumes (or pongs), over one transport per round:
 *
 * - `lockstep`: our Queue, blocking put/get; `lockstep-async`: putAsync/getAsync; `lockstep-batch`:
 *   putMany of 256 items at a time, getMany(256) (`lockstep-batch-async`: their async forms);
 *   `lockstep-select`: two queues, the producer putting to each in turn, the consumer taking with
 *   `Queue.select` over both;
 * - `postMessage`: a MessagePort of a fresh MessageChannel;
 * - `ringbuf`: ringbuf.js's single-producer single-consumer ring of float64, one number per push/pop,
 *   busy-waiting when full or empty (the package has no way to sleep); `ringbuf-batch`: 256 per push;
 * - `atomics` (round trips only): one shared cell, `Atomics.wait`/`Atomics.notify` by hand: the cost
 *   of putting a thread to sleep and waking it, which any blocking hand-off pays.
 *
 * Each side reports its own timestamps on the shared monotonic clock; the consumer (or pinger) returns
 * a checksum so a lost or garbled item shows.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { Queue, type QueueHandle } from '@lockstep/primitives';
import { RingBuffer } from 'ringbuf.js';
import { nowMs } from '../lib/report.js';
import { serve } from '../lib/threads.js';
import { ARMED, BATCH, makeItem, type ItemKind, type Transport } from './queue-protocol.js';

const { control } = workerData as { control: Int32Array };

interface Command {
  readonly op: 'produce' | 'consume' | 'ping' | 'pong';
  readonly transport: Transport;
  readonly kind: ItemKind;
  readonly n: number;
  readonly queues?: readonly QueueHandle[];
  readonly port?: MessagePort;
  readonly rings?: readonly SharedArrayBuffer[];
  readonly cell?: Int32Array;
}

/** What an item contributes to the checksum: the number, or the object's id. */
function weight(item: unknown): number {
  return typeof item === 'number' ? item : (item as { id: number }).id;
}

function arm(): void {
  Atomics.add(control, ARMED, 1);
}

// ---- one-way --------------------------------------------------------------------------------------

function produceQueue(queue: Queue<unknown>, kind: ItemKind, n: number): number {
  const start = nowMs();
  for (let i = 0; i < n; i++) queue.put(makeItem(kind, i));
  return start;
}

function consumeQueue(queue: Queue<unknown>, n: number): { end: number; checksum: number } {
  let checksum = 0;
  arm();
  for (let i = 0; i < n; i++) checksum += weight(queue.get());
  return { end: nowMs(), checksum };
}

function produceQueueBatched(queue: Queue<unknown>, kind: ItemKind, n: number): number {
  const batch: unknown[] = [];
  const start = nowMs();
  for (let sent = 0; sent < n; ) {
    const size = Math.min(BATCH, n - sent);
    batch.length = size;
    for (let j = 0; j < size; j++) batch[j] = makeItem(kind, sent + j);
    queue.putMany(batch);
    sent += size;
  }
  return start;
}

function consumeQueueBatched(queue: Queue<unknown>, n: number): { end: number; checksum: number } {
  let checksum = 0;
  arm();
  for (let received = 0; received < n; ) {
    const items = queue.getMany(BATCH);
    for (const item of items) checksum += weight(item);
    received += items.length;
  }
  return { end: nowMs(), checksum };
}

async function produceQueueBatchedAsync(queue: Queue<unknown>, kind: ItemKind, n: number): Promise<number> {
  const batch: unknown[] = [];
  const start = nowMs();
  for (let sent = 0; sent < n; ) {
    const size = Math.min(BATCH, n - sent);
    batch.length = size;
    for (let j = 0; j < size; j++) batch[j] = makeItem(kind, sent + j);
    await queue.putManyAsync(batch);
    sent += size;
  }
  return start;
}

async function consumeQueueBatchedAsync(queue: Queue<unknown>, n: number): Promise<{ end: number; checksum: number }> {
  let checksum = 0;
  arm();
  for (let received = 0; received < n; ) {
    const items = await queue.getManyAsync(BATCH);
    for (const item of items) checksum += weight(item);
    received += items.length;
  }
  return { end: nowMs(), checksum };
}

function produceAlternating(queues: readonly Queue<unknown>[], kind: ItemKind, n: number): number {
  const start = nowMs();
  for (let i = 0; i < n; i++) queues[i & 1]!.put(makeItem(kind, i));
  return start;
}

function consumeSelect(queues: readonly Queue<unknown>[], n: number): { end: number; checksum: number } {
  let checksum = 0;
  arm();
  for (let i = 0; i < n; i++) checksum += weight(Queue.select(queues).item);
  return { end: nowMs(), checksum };
}

async function produceQueueAsync(queue: Queue<unknown>, kind: ItemKind, n: number): Promise<number> {
  const start = nowMs();
  for (let i = 0; i < n; i++) await queue.putAsync(makeItem(kind, i));
  return start;
}

async function consumeQueueAsync(queue: Queue<unknown>, n: number): Promise<{ end: number; checksum: number }> {
  let checksum = 0;
  arm();
  for (let i = 0; i < n; i++) checksum += weight(await queue.getAsync());
  return { end: nowMs(), checksum };
}

function producePort(port: MessagePort, kind: ItemKind, n: number): number {
  const start = nowMs();
  for (let i = 0; i < n; i++) port.postMessage(makeItem(kind, i));
  return start;
}

function consumePort(port: MessagePort, n: number): Promise<{ end: number; checksum: number }> {
  return new Promise((resolve) => {
    let received = 0;
    let checksum = 0;
    port.on('message', (item: unknown) => {
      checksum += weight(item);
      if (++received === n) {
        const end = nowMs();
        port.close();
        resolve({ end, checksum });
      }
    });
    arm();
  });
}

function produceRing(sab: SharedArrayBuffer, n: number): number {
  const ring = new RingBuffer(sab, Float64Array);
  const one = new Float64Array(1);
  const start = nowMs();
  for (let i = 0; i < n; i++) {
    one[0] = i;
    while (ring.push(one) === 0);
  }
  return start;
}

function consumeRing(sab: SharedArrayBuffer, n: number): { end: number; checksum: number } {
  const ring = new RingBuffer(sab, Float64Array);
  const one = new Float64Array(1);
  let checksum = 0;
  arm();
  for (let i = 0; i < n; i++) {
    while (ring.pop(one) === 0);
    checksum += one[0]!;
  }
  return { end: nowMs(), checksum };
}

function produceRingBatched(sab: SharedArrayBuffer, n: number): number {
  const ring = new RingBuffer(sab, Float64Array);
  const batch = new Float64Array(BATCH);
  const start = nowMs();
  for (let sent = 0; sent < n; ) {
    const size = Math.min(BATCH, n - sent);
    for (let j = 0; j < size; j++) batch[j] = sent + j;
    let offset = 0;
    while (offset < size) offset += ring.push(batch, size - offset, offset);
    sent += size;
  }
  return start;
}

function consumeRingBatched(sab: SharedArrayBuffer, n: number): { end: number; checksum: number } {
  const ring = new RingBuffer(sab, Float64Array);
  const batch = new Float64Array(BATCH);
  let checksum = 0;
  arm();
  for (let received = 0; received < n; ) {
    const got = ring.pop(batch);
    for (let j = 0; j < got; j++) checksum += batch[j]!;
    received += got;
  }
  return { end: nowMs(), checksum };
}

// ---- round trips ----------------------------------------------------------------------------------

function pingQueue(out: Queue<unknown>, back: Queue<unknown>, kind: ItemKind, n: number): { start: number; end: number; checksum: number } {
  let checksum = 0;
  const start = nowMs();
  for (let i = 0; i < n; i++) {
    out.put(makeItem(kind, i));
    checksum += weight(back.get());
  }
  return { start, end: nowMs(), checksum };
}

function pongQueue(inbox: Queue<unknown>, reply: Queue<unknown>, n: number): null {
  arm();
  for (let i = 0; i < n; i++) reply.put(inbox.get());
  return null;
}

async function pingQueueAsync(out: Queue<unknown>, back: Queue<unknown>, kind: ItemKind, n: number): Promise<{ start: number; end: number; checksum: number }> {
  let checksum = 0;
  const start = nowMs();
  for (let i = 0; i < n; i++) {
    await out.putAsync(makeItem(kind, i));
    checksum += weight(await back.getAsync());
  }
  return { start, end: nowMs(), checksum };
}

async function pongQueueAsync(inbox: Queue<unknown>, reply: Queue<unknown>, n: number): Promise<null> {
  arm();
  for (let i = 0; i < n; i++) await reply.putAsync(await inbox.getAsync());
  return null;
}

function pingPort(port: MessagePort, kind: ItemKind, n: number): Promise<{ start: number; end: number; checksum: number }> {
  return new Promise((resolve) => {
    let checksum = 0;
    let i = 0;
    port.on('message', (item: unknown) => {
      checksum += weight(item);
      if (++i === n) {
        const end = nowMs();
        port.close();
        resolve({ start, end, checksum });
      } else {
        port.postMessage(makeItem(kind, i));
      }
    });
    const start = nowMs();
    port.postMessage(makeItem(kind, 0));
  });
}

function pongPort(port: MessagePort, n: number): Promise<null> {
  return new Promise((resolve) => {
    let i = 0;
    port.on('message', (item: unknown) => {
      port.postMessage(item);
      if (++i === n) {
        port.close();
        resolve(null);
      }
    });
    arm();
  });
}

function pingRing(outSab: SharedArrayBuffer, backSab: SharedArrayBuffer, n: number): { start: number; end: number; checksum: number } {
  const out = new RingBuffer(outSab, Float64Array);
  const back = new RingBuffer(backSab, Float64Array);
  const one = new Float64Array(1);
  let checksum = 0;
  const start = nowMs();
  for (let i = 0; i < n; i++) {
    one[0] = i;
    while (out.push(one) === 0);
    while (back.pop(one) === 0);
    checksum += one[0]!;
  }
  return { start, end: nowMs(), checksum };
}

function pongRing(inSab: SharedArrayBuffer, replySab: SharedArrayBuffer, n: number): null {
  const inbox = new RingBuffer(inSab, Float64Array);
  const reply = new RingBuffer(replySab, Float64Array);
  const one = new Float64Array(1);
  arm();
  for (let i = 0; i < n; i++) {
    while (inbox.pop(one) === 0);
    while (reply.push(one) === 0);
  }
  return null;
}

// Cell 0: 1 while a ping waits for its pong; cell 1: the number carried.
function pingAtomics(cell: Int32Array, n: number): { start: number; end: number; checksum: number } {
  let checksum = 0;
  const start = nowMs();
  for (let i = 0; i < n; i++) {
    cell[1] = i;
    Atomics.store(cell, 0, 1);
    Atomics.notify(cell, 0);
    while (Atomics.load(cell, 0) === 1) Atomics.wait(cell, 0, 1);
    checksum += cell[1]!;
  }
  return { start, end: nowMs(), checksum };
}

function pongAtomics(cell: Int32Array, n: number): null {
  arm();
  for (let i = 0; i < n; i++) {
    while (Atomics.load(cell, 0) === 0) Atomics.wait(cell, 0, 0);
    Atomics.store(cell, 0, 0);
    Atomics.notify(cell, 0);
  }
  return null;
}

serve((raw) => {
  const c = raw as unknown as Command;
  const queues = (c.queues ?? []).map((h) => Queue.from<unknown>(h));
  const rings = c.rings ?? [];
  switch (`${c.op}:${c.transport}`) {
    case 'produce:lockstep':
      return produceQueue(queues[0]!, c.kind, c.n);
    case 'consume:lockstep':
      return consumeQueue(queues[0]!, c.n);
    case 'produce:lockstep-async':
      return produceQueueAsync(queues[0]!, c.kind, c.n);
    case 'consume:lockstep-async':
      return consumeQueueAsync(queues[0]!, c.n);
    case 'produce:lockstep-batch':
      return produceQueueBatched(queues[0]!, c.kind, c.n);
    case 'consume:lockstep-batch':
      return consumeQueueBatched(queues[0]!, c.n);
    case 'produce:lockstep-batch-async':
      return produceQueueBatchedAsync(queues[0]!, c.kind, c.n);
    case 'consume:lockstep-batch-async':
      return consumeQueueBatchedAsync(queues[0]!, c.n);
    case 'produce:lockstep-select':
      return produceAlternating(queues, c.kind, c.n);
    case 'consume:lockstep-select':
      return consumeSelect(queues, c.n);
    case 'produce:postMessage':
      return producePort(c.port!, c.kind, c.n);
    case 'consume:postMessage':
      return consumePort(c.port!, c.n);
    case 'produce:ringbuf':
      return produceRing(rings[0]!, c.n);
    case 'consume:ringbuf':
      return consumeRing(rings[0]!, c.n);
    case 'produce:ringbuf-batch':
      return produceRingBatched(rings[0]!, c.n);
    case 'consume:ringbuf-batch':
      return consumeRingBatched(rings[0]!, c.n);
    case 'ping:lockstep':
      return pingQueue(queues[0]!, queues[1]!, c.kind, c.n);
    case 'pong:lockstep':
      return pongQueue(queues[0]!, queues[1]!, c.n);
    case 'ping:lockstep-async':
      return pingQueueAsync(queues[0]!, queues[1]!, c.kind, c.n);
    case 'pong:lockstep-async':
      return pongQueueAsync(queues[0]!, queues[1]!, c.n);
    case 'ping:postMessage':
      return pingPort(c.port!, c.kind, c.n);
    case 'pong:postMessage':
      return pongPort(c.port!, c.n);
    case 'ping:ringbuf':
      return pingRing(rings[0]!, rings[1]!, c.n);
    case 'pong:ringbuf':
      return pongRing(rings[0]!, rings[1]!, c.n);
    case 'ping:atomics':
      return pingAtomics(c.cell!, c.n);
    case 'pong:atomics':
      return pongAtomics(c.cell!, c.n);
    default:
      throw new Error(`queue-worker: unknown command ${c.op}:${c.transport}`);
  }
});
