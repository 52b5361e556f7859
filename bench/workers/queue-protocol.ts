/** Shared by bench/queue-*.ts and bench/workers/queue-worker.ts. */
export const ARMED = 0; // cell: how many consumers/pongers are ready
export const BATCH = 256; // items per push/pop (putMany/getMany) for the batched rows

export type ItemKind = 'number' | 'object';
export type Transport =
  | 'lockstep'
  | 'lockstep-async'
  | 'lockstep-batch'
  | 'lockstep-batch-async'
  | 'lockstep-select'
  | 'postMessage'
  | 'ringbuf'
  | 'ringbuf-batch'
  | 'atomics';

/** The i-th item: the number `i`, or a small object `{ id, name }`. */
export function makeItem(kind: ItemKind, i: number): number | { id: number; name: string } {
  return kind === 'number' ? i : { id: i, name: 'widget' };
}

/** What the consumer's checksum must be after `n` items: the sum of 0..n-1. */
export function expectedChecksum(n: number): number {
  return (n * (n - 1)) / 2;
}
