/**
 * Round-trip latency between two workers (ping-pong): one worker sends an item and waits for the other
 * to send it back, over and over; the time per round trip. Ours (two Queues, blocking put/get) against
 * `MessagePort.postMessage` ping-pong, plus the `multithreading` channel and a busy-waiting ringbuf.js
 * pair for information.
 */
import { channelPingPong, shutdownChannels } from './lib/multithreading-channel.js';
import { loadMultithreading, loadRingbuf, multithreadingNote, unavailable } from './lib/peers.js';
import { measureRows, perSecond, row, WorkerPair, type Row } from './lib/queue-pair.js';
import { duration, meets, printHeading, printTable, QUICK, ratio, RUNS, type TargetCheck } from './lib/report.js';
import type { ItemKind } from './workers/queue-protocol.js';

const ROUND_MS = QUICK ? 60 : 250;
// Some thousands of trips before timing, in quick runs too: the first ones run before the JIT has optimized the calls.
const WARMUP_TRIPS = QUICK ? 3_000 : 5_000;

async function main(): Promise<void> {
  printHeading('Queue round trip between two workers (ping-pong)', 'Worker A sends an item, worker B sends it back; time per round trip.');
  const [multithreading, ringbuf] = await Promise.all([loadMultithreading(), loadRingbuf()]);
  const pair = new WorkerPair();

  const tables: { title: string; ours: Row; postMessage: Row; rows: Row[] }[] = [];
  for (const kind of ['number', 'object'] as ItemKind[]) {
    const ours = row('Queue put()/get()  [ours]', (n) => pair.roundTrips('lockstep', kind, n));
    const postMessage = row('MessagePort.postMessage ping-pong', (n) => pair.roundTrips('postMessage', kind, n));
    const rows = [ours, row('Queue putAsync()/getAsync()  [ours]', (n) => pair.roundTrips('lockstep-async', kind, n)), postMessage];
    rows.push(
      row(
        'multithreading channel blockingSend/Recv',
        multithreading.ok ? (n) => channelPingPong(multithreading.module, kind, n) : unavailable(multithreading),
      ),
    );
    if (kind === 'number') {
      rows.push(row('ringbuf.js pair (busy-wait)', ringbuf.ok ? (n) => pair.roundTrips('ringbuf', kind, n) : unavailable(ringbuf)));
      rows.push(row('raw Atomics.wait/notify on one cell (sleep + wake floor)', (n) => pair.roundTrips('atomics', kind, n)));
    }
    tables.push({ title: kind === 'number' ? 'numbers' : 'small objects { id, name }', ours, postMessage, rows });
  }

  for (const t of tables) await measureRows(t.rows, RUNS, ROUND_MS, WARMUP_TRIPS);
  await pair.close();
  if (multithreading.ok) shutdownChannels(multithreading.module);

  const note = multithreadingNote();
  // Rows hold round trips per second; the table shows time per round trip.
  const latency = (r: Row): number => 1000 / perSecond(r);
  for (const t of tables) {
    const ours = latency(t.ours);
    const vsPost = ours / latency(t.postMessage);
    const targets: TargetCheck[] = [
      { what: `Queue round trip vs postMessage's, ${t.title}`, reached: ratio(vsPost, 1), target: '≤ 0.2× (1/5)', met: meets(vsPost, { atMost: 0.2 }) },
    ];
    printTable(
      `Round trip, ${t.title} (time per round trip; ratio = ours Queue ÷ the row, lower is better for us)`,
      ['transport', 'round trip', 'ours ÷ row'],
      t.rows.map((r) => [r.label, typeof r.round === 'string' ? r.round : duration(latency(r)), ratio(ours, latency(r))]),
      {
        targets,
        notes: [
          'ringbuf.js has no blocking wait: both sides spin (each burns a core); a floor for shared memory, not a like-for-like peer',
          'raw Atomics.wait/notify: each side sleeps until woken, as a blocking get does; the floor of any hand-off that sleeps',
          ...(note === undefined ? [] : [note]),
        ],
      },
    );
  }
}

await main();
