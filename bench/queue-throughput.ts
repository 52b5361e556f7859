/**
 * Queue throughput between two workers, one way: one worker puts N items, the other gets them; items
 * per second from the producer's first put to the consumer's last get. Numbers and small objects
 * (`{ id, name }`). Ours (blocking put/get) against `MessagePort.postMessage`, the `multithreading`
 * package's channel and (numbers only) ringbuf.js.
 */
import { CHANNEL_NOTE, channelOneWay, shutdownChannels } from './lib/multithreading-channel.js';
import { loadMultithreading, loadRingbuf, multithreadingNote, unavailable } from './lib/peers.js';
import { measureRows, perSecond, row, WorkerPair, type Row } from './lib/queue-pair.js';
import { meets, printHeading, printTable, QUICK, rate, ratio, RUNS, type TargetCheck } from './lib/report.js';
import type { ItemKind } from './workers/queue-protocol.js';

const ROUND_MS = QUICK ? 60 : 250;
const WARMUP_ITEMS = QUICK ? 2_000 : 20_000;

async function main(): Promise<void> {
  printHeading(
    'Queue throughput between two workers (one way)',
    'A producer worker sends N items, a consumer worker receives them all; items/s from the first send to the last receive.',
  );
  const [multithreading, ringbuf] = await Promise.all([loadMultithreading(), loadRingbuf()]);
  const pair = new WorkerPair();

  const tables: { kind: ItemKind; title: string; ours: Row; postMessage: Row; rows: Row[] }[] = [];
  for (const kind of ['number', 'object'] as const) {
    const ours = row('Queue put()/get()  [ours]', (n) => pair.oneWay('lockstep', kind, n));
    const postMessage = row('MessagePort.postMessage (one way)', (n) => pair.oneWay('postMessage', kind, n));
    const rows = [ours];
    if (kind === 'number') {
      rows.push(row('Queue({ maxSize: 1024 }) put()/get()  [ours]', (n) => pair.oneWay('lockstep', kind, n, { maxSize: 1024 })));
    }
    rows.push(row('Queue putAsync()/getAsync()  [ours]', (n) => pair.oneWay('lockstep-async', kind, n)));
    rows.push(row('Queue.select() over 2 queues, put to each in turn  [ours]', (n) => pair.oneWay('lockstep-select', kind, n)));
    rows.push(postMessage);
    rows.push(
      row(
        'multithreading channel() blockingSend/Recv',
        multithreading.ok ? (n) => channelOneWay(multithreading.module, kind, n) : unavailable(multithreading),
      ),
    );
    if (kind === 'number') {
      rows.push(row('ringbuf.js, 1 number per push/pop (busy-wait)', ringbuf.ok ? (n) => pair.oneWay('ringbuf', kind, n) : unavailable(ringbuf)));
      rows.push(row('ringbuf.js, 256 numbers per push/pop (busy-wait)', ringbuf.ok ? (n) => pair.oneWay('ringbuf-batch', kind, n) : unavailable(ringbuf)));
    }
    tables.push({ kind, title: kind === 'number' ? 'numbers' : 'small objects { id, name }', ours, postMessage, rows });
  }

  for (const t of tables) await measureRows(t.rows, RUNS, ROUND_MS, WARMUP_ITEMS);
  await pair.close();
  if (multithreading.ok) shutdownChannels(multithreading.module);

  const note = multithreadingNote();
  for (const t of tables) {
    const ours = perSecond(t.ours);
    const vsPost = ours / perSecond(t.postMessage);
    const bound = t.kind === 'number' ? 20 : 3;
    const targets: TargetCheck[] = [
      { what: `Queue vs postMessage, ${t.title}`, reached: ratio(vsPost, 1), target: `≥ ${bound}×`, met: meets(vsPost, { atLeast: bound }) },
    ];
    printTable(
      `Queue throughput, ${t.title} (items/s; ratio = ours Queue put/get ÷ the row)`,
      ['transport', 'items/s', 'ours ÷ row'],
      t.rows.map((r) => [r.label, typeof r.round === 'string' ? r.round : rate(perSecond(r)), ratio(ours, perSecond(r))]),
      {
        targets,
        notes: [
          'postMessage is unbounded: the producer posts everything and the consumer drains its port; our Queue is unbounded too unless maxSize is given',
          ...(t.kind === 'number' ? ['ringbuf.js is single-producer single-consumer, numbers only, and has no blocking wait: both sides spin (burning a core)'] : []),
          CHANNEL_NOTE,
          ...(note === undefined ? [] : [note]),
        ],
      },
    );
  }
}

await main();
