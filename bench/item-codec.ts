/**
 * The cost of turning a queue item into bytes and back, on one thread: our item codec
 * (`packages/primitives/src/queue/item-codec.ts`, what every `put` and `get` runs) against Node's
 * `v8.serialize`/`v8.deserialize` (which the queues used before) and `structuredClone` (the same
 * serializer as `postMessage`, both halves in one call). Per item: encode, decode, and the round trip.
 *
 * For plain data (small objects, nested objects, arrays of numbers, strings) the target is to be faster
 * than `v8.serialize` + `v8.deserialize`; other kinds are shown for information. Each row and codec
 * has its own loop over a batch of items, so no row pays for another's shapes.
 *
 * A second table puts the codec in its place: a whole `Queue` on one thread (no other thread, so no
 * contention and no wake-ups), put+get one by one and putMany+getMany of 256, per item, next to the
 * codec's own round trip; the difference is the lock, the record store and the call itself.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { Queue } from '@lockstep/primitives';
import { BENCH_DIR } from './lib/paths.js';
import { median, meets, printHeading, printTable, QUICK, ratio, RUNS, type TargetCheck } from './lib/report.js';

type Codec = typeof import('../packages/primitives/dist/queue/item-codec.js');
const codec = (await import(pathToFileURL(resolve(BENCH_DIR, '../packages/primitives/dist/queue/item-codec.js')).href)) as Codec;

const MEASURE_MS = QUICK ? 20 : 200;
/** Time each loop runs before it is measured, so it is optimized first. */
const WARMUP_MS = QUICK ? 40 : 150;
/** Items per batch: several different values of the same shape, so nothing is constant-folded. */
const BATCH = 64;

interface Sample {
  readonly name: string;
  /** Plain data: counts for the "faster than v8.serialize" target. */
  readonly plain: boolean;
  readonly make: (i: number) => unknown;
}

const words = ['alice', 'bob', 'carol', 'dave', 'eve', 'mallory', 'trent', 'peggy'];
const samples: Sample[] = [
  { name: 'small object { id, name }', plain: true, make: (i) => ({ id: i, name: words[i % words.length]! }) },
  {
    name: 'nested plain object (3 levels, 14 values)',
    plain: true,
    make: (i) => ({
      id: i,
      user: { name: words[i % words.length]!, age: 20 + (i % 50), tags: ['admin', 'ops'] },
      order: { total: i * 1.25, lines: [{ sku: `sku-${i}`, qty: 2 }, { sku: 'sku-0', qty: 1 }] },
      done: i % 2 === 0,
    }),
  },
  { name: 'array of 100 integers', plain: true, make: (i) => Array.from({ length: 100 }, (_, j) => i + j) },
  { name: 'array of 100 floats', plain: true, make: (i) => Array.from({ length: 100 }, (_, j) => (i + j) / 7) },
  { name: 'array of 20 objects { id, name }', plain: true, make: (i) => Array.from({ length: 20 }, (_, j) => ({ id: i + j, name: words[j % words.length]! })) },
  { name: 'short string (11 chars)', plain: true, make: (i) => `hello ${String(10_000 + i)}` },
  { name: 'string of 1 KiB, ASCII', plain: true, make: (i) => `${i} `.padEnd(1024, 'lorem ipsum ') },
  { name: 'string of 1 KiB, non-ASCII', plain: true, make: (i) => `${i} `.padEnd(512, 'Grüße, 世界 ') },
  { name: 'object with a 1 KiB string field', plain: true, make: (i) => ({ id: i, body: `${i} `.padEnd(1024, 'lorem ipsum ') }) },
  { name: '[priority, { task }] tuple', plain: true, make: (i) => [i % 10, { task: words[i % words.length]!, attempt: 1 }] },
  {
    name: 'Map, Set, Date, bigint (information)',
    plain: false,
    make: (i) => ({ when: new Date(1_700_000_000_000 + i), seen: new Set([i, i + 1]), index: new Map([['a', i]]), big: BigInt(i) * 10n ** 20n }),
  },
  { name: 'Float64Array(256) in an object (information)', plain: false, make: (i) => ({ samples: new Float64Array(256).fill(i) }) },
];

type Loop = (items: readonly unknown[], encoded: readonly unknown[], rounds: number) => number;

interface Timed {
  readonly loop: Loop;
  readonly encoded: readonly unknown[];
  rounds: number;
  readonly samplesNs: number[];
}

/** Runs `loop` until it is optimized, and sizes its number of batches so that one stretch lasts about MEASURE_MS. */
function prepare(loop: Loop, items: readonly unknown[], encoded: readonly unknown[]): Timed {
  let rounds = 1;
  for (let warm = 0; ; ) {
    const t0 = performance.now();
    loop(items, encoded, rounds);
    const elapsed = performance.now() - t0;
    warm += elapsed;
    if (warm >= WARMUP_MS && elapsed >= MEASURE_MS / 8) return { loop, encoded, rounds: Math.max(1, Math.round((rounds * MEASURE_MS) / elapsed)), samplesNs: [] };
    if (elapsed < MEASURE_MS / 8) rounds *= 2;
  }
}

/**
 * ns per item for each loop: RUNS timed stretches each, taken in turns (ours, v8, structuredClone,
 * then again), so that a busy moment of the machine falls on all of them alike; the median of each.
 */
function measureInTurns(timed: readonly Timed[], items: readonly unknown[]): number[] {
  for (let run = 0; run < RUNS; run++) {
    for (const t of timed) {
      const t0 = performance.now();
      t.loop(items, t.encoded, t.rounds);
      t.samplesNs.push(((performance.now() - t0) * 1e6) / (t.rounds * items.length));
    }
  }
  return timed.map((t) => median(t.samplesNs));
}

// One function per codec and direction; `sink` keeps results alive so no call is optimized away.
let sink: unknown;

function oursEncode(items: readonly unknown[], _encoded: readonly unknown[], rounds: number): number {
  let bytes = 0;
  for (let r = 0; r < rounds; r++) for (const item of items) bytes += codec.encodeItem(item).payloadLength;
  return bytes;
}
function oursDecode(_items: readonly unknown[], encoded: readonly unknown[], rounds: number): number {
  for (let r = 0; r < rounds; r++) {
    for (const e of encoded as ReturnType<Codec['encodeItem']>[]) sink = codec.decodeItem(e.tag, e.bytes, e.number);
  }
  return 0;
}
function oursRoundTrip(items: readonly unknown[], _encoded: readonly unknown[], rounds: number): number {
  for (let r = 0; r < rounds; r++) {
    for (const item of items) {
      const e = codec.encodeItem(item);
      sink = codec.decodeItem(e.tag, e.bytes, e.number);
    }
  }
  return 0;
}
function v8Encode(items: readonly unknown[], _encoded: readonly unknown[], rounds: number): number {
  let bytes = 0;
  for (let r = 0; r < rounds; r++) for (const item of items) bytes += serialize(item).length;
  return bytes;
}
function v8Decode(_items: readonly unknown[], encoded: readonly unknown[], rounds: number): number {
  for (let r = 0; r < rounds; r++) for (const bytes of encoded as Buffer[]) sink = deserialize(bytes);
  return 0;
}
function v8RoundTrip(items: readonly unknown[], _encoded: readonly unknown[], rounds: number): number {
  for (let r = 0; r < rounds; r++) for (const item of items) sink = deserialize(serialize(item));
  return 0;
}
function cloneRoundTrip(items: readonly unknown[], _encoded: readonly unknown[], rounds: number): number {
  for (let r = 0; r < rounds; r++) for (const item of items) sink = structuredClone(item);
  return 0;
}

/** A copy of the bytes, as a queue's `get` hands the decoder (its own slice of the arena). */
function ownedPayload(item: unknown): ReturnType<Codec['encodeItem']> {
  const e = codec.encodeItem(item);
  return { ...e, bytes: e.bytes?.slice() };
}

const QUEUE_BATCH = 256;
const queue = new Queue<unknown>();

function queueOneByOne(items: readonly unknown[], _encoded: readonly unknown[], rounds: number): number {
  for (let r = 0; r < rounds; r++) {
    for (const item of items) {
      queue.put(item);
      sink = queue.get();
    }
  }
  return 0;
}
function queueBatched(items: readonly unknown[], _encoded: readonly unknown[], rounds: number): number {
  for (let r = 0; r < rounds; r++) {
    queue.putMany(items);
    sink = queue.getMany(QUEUE_BATCH);
  }
  return 0;
}

const queueSamples: { readonly name: string; readonly make: (i: number) => unknown }[] = [
  { name: 'integer (stored in the index)', make: (i) => i },
  { name: 'float', make: (i) => i + 0.5 },
  { name: 'short string (11 chars)', make: (i) => `hello ${String(10_000 + i)}` },
  { name: 'small object { id, name }', make: (i) => ({ id: i, name: words[i % words.length]! }) },
];

function queueTable(): void {
  const rows: string[][] = [];
  for (const sample of queueSamples) {
    const items = Array.from({ length: QUEUE_BATCH }, (_, i) => sample.make(i));
    const timed = [prepare(oursRoundTrip, items, []), prepare(queueOneByOne, items, []), prepare(queueBatched, items, [])];
    const [trip, single, batched] = measureInTurns(timed, items) as [number, number, number];
    rows.push([sample.name, ns(trip), ns(single), ns(single - trip), ns(batched), ns(batched - trip), ratio(single, batched)]);
  }
  printTable(
    `A Queue on one thread: time per item (lower is better), one by one and in batches of ${QUEUE_BATCH}`,
    ['item', 'codec trip', 'put+get', 'put+get − codec', `putMany+getMany(${QUEUE_BATCH})`, 'batched − codec', 'batching speed-up'],
    rows,
    {
      notes: [
        'one thread, nobody waiting: the lock is never contended and no put or get wakes anyone; between threads add the cache misses of the shared control block and, when a side sleeps, its wake-up',
        'codec trip = encodeItem + decodeItem of the item alone (integers take no codec at all in a queue: they are stored in its index)',
        '"− codec" = what the queue adds: argument checks, the internal lock, the undo journal, the record store (copies into and out of shared memory), the call itself',
        'below zero in a batch: the queue encodes each item straight into its record and rebuilds it where it lies, which costs less than encodeItem + decodeItem with their own buffers',
      ],
    },
  );
}

function ns(value: number): string {
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ns`;
}

function main(): void {
  printHeading(
    'Queue item codec (one thread)',
    'Per item: our codec (encodeItem/decodeItem) vs v8.serialize/deserialize vs structuredClone (round trip only).',
  );
  const rows: string[][] = [];
  const targets: TargetCheck[] = [];
  let misses = 0;
  for (const sample of samples) {
    const items = Array.from({ length: BATCH }, (_, i) => sample.make(i));
    const timed = [
      prepare(oursEncode, items, []),
      prepare(v8Encode, items, []),
      prepare(oursDecode, items, items.map(ownedPayload)),
      prepare(v8Decode, items, items.map((item) => serialize(item))),
      prepare(oursRoundTrip, items, []),
      prepare(v8RoundTrip, items, []),
      prepare(cloneRoundTrip, items, []),
    ];
    const [oursEncodeNs, v8EncodeNs, oursDecodeNs, v8DecodeNs, oursTripNs, v8TripNs, clone] = measureInTurns(timed, items) as [number, number, number, number, number, number, number];
    const ours = { encode: oursEncodeNs, decode: oursDecodeNs, trip: oursTripNs };
    const v8 = { encode: v8EncodeNs, decode: v8DecodeNs, trip: v8TripNs };
    const bytesOurs = codec.encodeItem(items[0]).payloadLength;
    const bytesV8 = serialize(items[0]).length;
    const faster = ours.trip < v8.trip;
    if (sample.plain && !faster) misses++;
    rows.push([
      sample.name,
      ns(ours.encode),
      ns(v8.encode),
      ns(ours.decode),
      ns(v8.decode),
      ns(ours.trip),
      ns(v8.trip),
      ns(clone),
      ratio(v8.trip, ours.trip),
      ratio(clone, ours.trip),
      `${bytesOurs} / ${bytesV8}`,
      sample.plain ? (faster ? 'PASS' : 'MISS') : 'info',
    ]);
    if (sample.plain) {
      targets.push({ what: `round trip, ${sample.name}`, reached: `${ratio(v8.trip, ours.trip)} v8's speed`, target: '> 1× (faster than v8.serialize)', met: meets(v8.trip / ours.trip, { atLeast: 1 }) });
    }
  }
  printTable(
    'Item codec: time per item (lower is better); speed-up = their round trip ÷ ours',
    ['item', 'encode ours', 'encode v8', 'decode ours', 'decode v8', 'trip ours', 'trip v8', 'structuredClone', 'speed-up vs v8', 'vs clone', 'bytes ours / v8', 'faster than v8'],
    rows,
    {
      targets,
      notes: [
        'ours = encodeItem + decodeItem, what Queue.put and get run around the copy into shared memory; top-level strings and Uint8Arrays take their fast paths',
        'v8 = v8.serialize + v8.deserialize (node:v8, what the queues used before); structuredClone does both halves in one call',
        `${misses === 0 ? 'every' : `${samples.filter((s) => s.plain).length - misses} of ${samples.filter((s) => s.plain).length}`} plain-data row(s) faster than v8.serialize`,
      ],
    },
  );
  queueTable();
  if (sink === Symbol.for('never')) console.log('');
}

main();
