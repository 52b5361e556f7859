/**
 * The peers we compare with, loaded so that one that cannot be used is reported (with the reason) in
 * the tables instead of stopping the benchmark.
 */
import { shimmedGlobals } from './node20-shims.js';

export type Peer<M> = { readonly ok: true; readonly module: M } | { readonly ok: false; readonly reason: string };

async function load<M>(importer: () => Promise<M>): Promise<Peer<M>> {
  try {
    return { ok: true, module: await importer() };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

export const loadAsyncMutex = (): Promise<Peer<typeof import('async-mutex')>> => load(() => import('async-mutex'));
export const loadAwaitLock = (): Promise<Peer<typeof import('await-lock')>> => load(() => import('await-lock'));
export const loadRingbuf = (): Promise<Peer<typeof import('ringbuf.js')>> => load(() => import('ringbuf.js'));
/** `multithreading` needs two globals Node 20 lacks; ./node20-shims.js (imported above) supplies them. */
export const loadMultithreading = (): Promise<Peer<typeof import('multithreading')>> => load(() => import('multithreading'));

/** A note for tables that use `multithreading`, saying which globals had to be supplied on this Node. */
export function multithreadingNote(): string | undefined {
  return shimmedGlobals.length === 0
    ? undefined
    : `multithreading 0.3.x targets Node >= 22: on Node ${process.versions.node} the benchmark supplies ${shimmedGlobals.join(' and ')} (bench/lib/node20-shims.ts); the package itself is unchanged`;
}

/** The cell shown for a peer that could not be loaded. */
export function unavailable(peer: { readonly ok: false; readonly reason: string }): string {
  return `unavailable (${peer.reason})`;
}
