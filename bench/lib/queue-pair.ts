/**
 * Two workers (bench/workers/queue-worker.ts) and one round of traffic between them over a fresh
 * transport: one-way (`produce` → `consume`) or round trips (`ping` ⇄ `pong`). Also the calibration
 * every row goes through: a warm-up round picks the item count that makes a round last about
 * `roundMs`, so fast and slow transports are timed over comparable spans.
 */
import { MessageChannel, type TransferListItem } from 'node:worker_threads';
import { Queue } from '@lockstep/primitives';
import { RingBuffer } from 'ringbuf.js';
import { ARMED, expectedChecksum, type ItemKind, type Transport } from '../workers/queue-protocol.js';
import { median } from './report.js';
import { BenchWorker, waitUntilAtLeast } from './threads.js';

export interface Timing {
  readonly start: number;
  readonly end: number;
  readonly checksum: number;
}

export interface TransportOptions {
  /** For our Queue: its maxSize (0 = unbounded). */
  readonly maxSize?: number;
}

const RING_CAPACITY = 4096;

export class WorkerPair {
  readonly #control = new Int32Array(new SharedArrayBuffer(4));
  readonly #a: BenchWorker;
  readonly #b: BenchWorker;

  constructor() {
    this.#a = new BenchWorker('queue-worker.js', { control: this.#control });
    this.#b = new BenchWorker('queue-worker.js', { control: this.#control });
  }

  /** Fresh transport state for one round: what each side's command carries, and what to transfer. */
  #transport(
    transport: Transport,
    channels: 1 | 2,
    options: TransportOptions,
  ): { a: object; b: object; transferA: TransferListItem[]; transferB: TransferListItem[] } {
    // With two channels, A sends on the first and hears back on the second; B the other way round.
    switch (transport) {
      case 'lockstep':
      case 'lockstep-async':
      case 'lockstep-batch':
      case 'lockstep-batch-async': {
        const queues = Array.from({ length: channels }, () => new Queue({ maxSize: options.maxSize ?? 0 }).handle);
        return { a: { queues }, b: { queues }, transferA: [], transferB: [] };
      }
      case 'lockstep-select': {
        // Two queues, one way: the producer alternates between them, the consumer selects over both.
        const queues = [new Queue().handle, new Queue().handle];
        return { a: { queues }, b: { queues }, transferA: [], transferB: [] };
      }
      case 'postMessage': {
        // A MessagePort is two-way already.
        const { port1, port2 } = new MessageChannel();
        return { a: { port: port1 }, b: { port: port2 }, transferA: [port1], transferB: [port2] };
      }
      case 'ringbuf':
      case 'ringbuf-batch': {
        const rings = Array.from({ length: channels }, () => RingBuffer.getStorageForCapacity(RING_CAPACITY, Float64Array));
        return { a: { rings }, b: { rings }, transferA: [], transferB: [] };
      }
      case 'atomics': {
        const cell = new Int32Array(new SharedArrayBuffer(8));
        return { a: { cell }, b: { cell }, transferA: [], transferB: [] };
      }
    }
  }

  /** A produces `n` items, B consumes them. */
  async oneWay(transport: Transport, kind: ItemKind, n: number, options: TransportOptions = {}): Promise<Timing> {
    Atomics.store(this.#control, ARMED, 0);
    const t = this.#transport(transport, 1, options);
    const consumed = this.#b.call<{ end: number; checksum: number }>({ op: 'consume', transport, kind, n, ...t.b }, t.transferB);
    await waitUntilAtLeast(this.#control, ARMED, 1);
    const start = await this.#a.call<number>({ op: 'produce', transport, kind, n, ...t.a }, t.transferA);
    const { end, checksum } = await consumed;
    return { start, end, checksum };
  }

  /** A sends an item, B sends it back, `n` times. */
  async roundTrips(transport: Transport, kind: ItemKind, n: number): Promise<Timing> {
    Atomics.store(this.#control, ARMED, 0);
    const t = this.#transport(transport, 2, {});
    const ponged = this.#b.call<null>({ op: 'pong', transport, kind, n, ...t.b }, t.transferB);
    await waitUntilAtLeast(this.#control, ARMED, 1);
    const timing = await this.#a.call<Timing>({ op: 'ping', transport, kind, n, ...t.a }, t.transferA);
    await ponged;
    return timing;
  }

  async close(): Promise<void> {
    await Promise.all([this.#a.terminate(), this.#b.terminate()]);
  }
}

/** A row of a queue table: how to run one round of `n` items, and the samples gathered. */
export interface Row {
  readonly label: string;
  /** How to run a round of `n` items; a string says why the row is unavailable (or how it failed). */
  round: ((n: number) => Promise<Timing>) | string;
  /** Items (or round trips) per second, one per run. */
  readonly samples: number[];
  n: number;
}

export function row(label: string, round: Row['round']): Row {
  return { label, round, samples: [], n: 0 };
}

async function timedRound(r: Row, n: number): Promise<number> {
  if (typeof r.round === 'string') return NaN;
  const timing = await r.round(n);
  if (timing.checksum !== expectedChecksum(n)) {
    throw new Error(`${r.label}: items lost or garbled (checksum ${timing.checksum}, expected ${expectedChecksum(n)})`);
  }
  return (n / (timing.end - timing.start)) * 1000;
}

/** Calibrates each row, then measures every row once per run, in a rotating order. */
export async function measureRows(rows: readonly Row[], runs: number, roundMs: number, warmupItems: number): Promise<void> {
  for (const r of rows) {
    await guarded(r, async () => {
      await timedRound(r, warmupItems); // JIT warm-up and worker/pool start-up
      const rate = await timedRound(r, warmupItems);
      r.n = Math.max(1000, Math.min(4_000_000, Math.round((rate * roundMs) / 1000)));
    });
  }
  for (let run = 0; run < runs; run++) {
    for (let k = 0; k < rows.length; k++) {
      const r = rows[(k + run) % rows.length]!;
      await guarded(r, async () => {
        r.samples.push(await timedRound(r, r.n));
      });
    }
  }
}

/** Runs a step of a row; a row that throws is marked failed (and shown so) instead of ending the benchmark. */
async function guarded(r: Row, step: () => Promise<void>): Promise<void> {
  if (typeof r.round === 'string') return;
  try {
    await step();
  } catch (error) {
    r.round = `FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

export function perSecond(r: Row): number {
  return typeof r.round === 'string' ? NaN : median(r.samples);
}
