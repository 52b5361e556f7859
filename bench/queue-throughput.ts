/**
 * Queue throughput between two workers, one way: one worker puts N items, the other gets them; items
 * per second from the producer's first put to the consumer's last get. Numbers and small objects
 * (`{ id, name }`). Ours one by one (blocking put/get) and in batches of 256 (putMany/getMany), against
 * `MessagePort.postMessage`, the `multithreading` package's channel and (numbers only) ringbuf.js, one
 * by one and 256 per push.
 */
import { CHANNEL_NOTE, channelOneWay, shutdownChannels } from './lib/multithreading-channel.js';
import { loadMultithreading, loadRingbuf, multithreadingNote, unavailable } from './lib/peers.js';
import { measureRows, perSecond, row, WorkerPair, type Row } from './lib/queue-pair.js';
import { meets, printHeading, printTable, QUICK, rate, ratio, RUNS, type TargetCheck } from './lib/report.js';
import { BATCH, type ItemKind } from './workers/queue-protocol.js';

const ROUND_MS = QUICK ? 60 : 250;
// Quick runs warm up as long as full ones: the JIT needs some thousands of calls before a row is representative.
const WARMUP_ITEMS = 20_000;
const BOUND = 1024;

interface Table {
  readonly kind: ItemKind;
  readonly title: string;
  readonly single: Row;
  readonly bounded: Row;
  readonly batched: Row;
  readonly postMessage: Row;
  readonly rows: Row[];
}

async function main(): Promise<void> {
  printHeading(
    'Queue throughput between two workers (one way)',
    'A producer worker sends N items, a consumer worker receives them all; items/s from the first send to the last receive.',
  );
  const [multithreading, ringbuf] = await Promise.all([loadMultithreading(), loadRingbuf()]);
  const pair = new WorkerPair();

  const tables: Table[] = [];
  for (const kind of ['number', 'object'] as const) {
    const single = row('Queue put()/get()  [ours]', (n) => pair.oneWay('lockstep', kind, n));
    const bounded = row(`Queue({ maxSize: ${BOUND} }) put()/get()  [ours]`, (n) => pair.oneWay('lockstep', kind, n, { maxSize: BOUND }));
    const batched = row(`Queue putMany()/getMany(${BATCH})  [ours]`, (n) => pair.oneWay('lockstep-batch', kind, n));
    const postMessage = row('MessagePort.postMessage (one way)', (n) => pair.oneWay('postMessage', kind, n));
    const rows = [
      single,
      bounded,
      batched,
      row(`Queue({ maxSize: ${BOUND} }) putMany()/getMany(${BATCH})  [ours]`, (n) => pair.oneWay('lockstep-batch', kind, n, { maxSize: BOUND })),
      row('Queue putAsync()/getAsync()  [ours]', (n) => pair.oneWay('lockstep-async', kind, n)),
      row(`Queue putManyAsync()/getManyAsync(${BATCH})  [ours]`, (n) => pair.oneWay('lockstep-batch-async', kind, n)),
      row('Queue.select() over 2 queues, put to each in turn  [ours]', (n) => pair.oneWay('lockstep-select', kind, n)),
      postMessage,
      row(
        'multithreading channel() blockingSend/Recv',
        multithreading.ok ? (n) => channelOneWay(multithreading.module, kind, n) : unavailable(multithreading),
      ),
    ];
    if (kind === 'number') {
      rows.push(row('ringbuf.js, 1 number per push/pop (busy-wait)', ringbuf.ok ? (n) => pair.oneWay('ringbuf', kind, n) : unavailable(ringbuf)));
      rows.push(
        row(`ringbuf.js, ${BATCH} numbers per push/pop (busy-wait)`, ringbuf.ok ? (n) => pair.oneWay('ringbuf-batch', kind, n) : unavailable(ringbuf)),
      );
    }
    tables.push({ kind, title: kind === 'number' ? 'numbers' : 'small objects { id, name }', single, bounded, batched, postMessage, rows });
  }

  for (const t of tables) await measureRows(t.rows, RUNS, ROUND_MS, WARMUP_ITEMS);
  await pair.close();
  if (multithreading.ok) shutdownChannels(multithreading.module);

  const note = multithreadingNote();
  for (const t of tables) {
    const post = perSecond(t.postMessage);
    const vs = (r: Row): number => perSecond(r) / post;
    const boundedVsUnbounded = perSecond(t.bounded) / perSecond(t.single);
    const targets: TargetCheck[] =
      t.kind === 'number'
        ? [
            { what: `Queue batched (putMany/getMany(${BATCH})) vs postMessage, numbers`, reached: ratio(vs(t.batched), 1), target: '≥ 20×', met: meets(vs(t.batched), { atLeast: 20 }) },
            { what: 'Queue one by one (put/get) vs postMessage, numbers', reached: ratio(vs(t.single), 1), target: '≥ 3×', met: meets(vs(t.single), { atLeast: 3 }) },
          ]
        : [
            {
              what: `Queue batched (putMany/getMany(${BATCH})) vs postMessage, small objects`,
              reached: ratio(vs(t.batched), 1),
              target: '≥ 3×',
              met: meets(vs(t.batched), { atLeast: 3 }),
            },
          ];
    targets.push({
      what: `Queue({ maxSize: ${BOUND} }) vs unbounded, put/get, ${t.title}`,
      reached: ratio(boundedVsUnbounded, 1),
      target: '≥ 0.8× (within 20%)',
      met: meets(boundedVsUnbounded, { atLeast: 0.8 }),
    });
    printTable(
      `Queue throughput, ${t.title} (items/s; ratio = the row ÷ postMessage)`,
      ['transport', 'items/s', 'row ÷ postMessage'],
      t.rows.map((r) => [r.label, typeof r.round === 'string' ? r.round : rate(perSecond(r)), ratio(perSecond(r), post)]),
      {
        targets,
        notes: [
          'postMessage is unbounded: the producer posts everything and the consumer drains its port; our Queue is unbounded too unless maxSize is given',
          `batched rows: the producer builds an array of ${BATCH} items and puts it with putMany, the consumer takes getMany(${BATCH}) (whatever is there, up to ${BATCH})`,
          ...(t.kind === 'number'
            ? [
                'ringbuf.js is single-producer single-consumer, numbers only, and has no blocking wait: both sides spin (burning a core)',
                'integers in [-2^30, 2^30) are stored in the queue index itself (no arena record); other numbers take a 16-byte record',
              ]
            : []),
          CHANNEL_NOTE,
          ...(note === undefined ? [] : [note]),
        ],
      },
    );
  }
}

await main();
