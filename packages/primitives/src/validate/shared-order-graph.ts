/**
 * The lock-order graph of classes that every thread of the process adds to, in one
 * `SharedArrayBuffer`: lockdep's graph is global, and the usual cross-thread deadlock is an order one
 * thread takes and its inverse another takes. Each thread keeps its own graph as the chain cache (an
 * order it has seen costs one local hash lookup); an order new to the thread is published here and,
 * under the graph's lock, checked for a path back, so of two threads closing a cycle at once exactly
 * one sees it.
 *
 * What is shared: class ids (interned: a class has one number in every thread), each class's report
 * data, and each edge with the sites of the first time its order was taken, all as UTF-8 JSON in an
 * append-only arena. Threads inherit the buffer (`getInheritedValue`: Node's environment data, a
 * `WebThread`'s start values) from the thread that switched validation on before starting them.
 */
import { currentThreadIdent, currentThreadName, getInheritedValue, setInheritedValue } from '../internal/thread-context.js';
import { lockInfo, type SeenOrder } from './findings.js';
import type { LockClass } from './lock-records.js';
import { shortestPath, type OrderEdge } from './order-graph.js';
import type { ValidatedLock, ValidationSite } from './report.js';
import { unrecordedSite } from './sites.js';

const INHERITED_KEY = 'lockstep:validate:order-graph';
const MAGIC = 0x4c6b4f67; // 'LkOg'

const MAX_CLASSES = 4096;
const CLASS_SLOTS = MAX_CLASSES * 2;
const MAX_EDGES = 16384;
const ARENA_BYTES = 4 * 1024 * 1024;
const LOCK_PATIENCE_MS = 1000;

// Int32 layout: header, class records (hash, id offset, id length, info offset, info length), class
// hash slots (index + 1), edge records (from, to, witness offset, witness length). Edges need no
// shared index: each thread reads the appended ones into its own adjacency before it searches.
const H_LOCK = 0;
const H_MAGIC = 1;
const H_CREATOR = 2;
const H_CLASSES = 3;
const H_EDGES = 4;
const H_ARENA = 5;
const H_DROPPED = 6;
/** How many threads have joined: the wait-for check runs only once there is more than one. */
const H_THREADS = 7;
const HEADER = 8;
const CLASS_RECORD = 5;
const EDGE_RECORD = 4;
const CLASSES_AT = HEADER;
const CLASS_SLOTS_AT = CLASSES_AT + MAX_CLASSES * CLASS_RECORD;
const EDGES_AT = CLASS_SLOTS_AT + CLASS_SLOTS;
// The wait-for table: a slot per thread (ident + 1, the class it is blocked on + 1 or 0, how many
// classes it holds, then those), and each slot's thread name in NAME_BYTES of UTF-8.
const MAX_THREADS = 256;
const MAX_HELD = 16;
const WAIT_RECORD = 3 + MAX_HELD;
const NAME_BYTES = 64;
const WAITS_AT = EDGES_AT + MAX_EDGES * EDGE_RECORD;
const INTS = WAITS_AT + MAX_THREADS * WAIT_RECORD;
const BYTES = INTS * 4 + ARENA_BYTES + MAX_THREADS * NAME_BYTES;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A party of a wait-for cycle: a blocked thread (or an async context of one) and the class it waits for. */
export interface WaitingThread {
  readonly thread: { readonly ident: number; readonly name: string };
  /** Set for an async context waiting (a thread that is not blocked). */
  readonly asyncContext?: number;
  readonly waitsFor: LockClass;
  /** Where it waits, when known. */
  readonly site?: ValidationSite;
}

/** What a stored edge's witness holds. */
interface StoredWitness {
  readonly held?: ValidationSite;
  readonly acquired: ValidationSite;
}

export class SharedOrderGraph {
  readonly #ints: Int32Array;
  readonly #bytes: Uint8Array;
  /** Global class number of each of this thread's classes. */
  readonly #numbers = new Map<LockClass, number>();
  /** The shared edges this thread has read into `#out` so far (edges are only ever appended). */
  #synced = 0;
  readonly #out: number[][] = [];
  readonly #edgeAt = new Map<number, number>();
  /** Set when the graph's lock was never released (see `#lock`). */
  #abandoned = false;
  readonly #names: Uint8Array;
  /** This thread's slot in the wait-for table, once claimed (-1: none free). */
  #slot: number | undefined;

  /** Turns another thread's class (as stored) into the joining thread's. */
  readonly #classOf: (info: ValidatedLock) => LockClass;

  private constructor(
    readonly buffer: SharedArrayBuffer,
    classOf: (info: ValidatedLock) => LockClass,
  ) {
    this.#classOf = classOf;
    this.#ints = new Int32Array(buffer, 0, INTS);
    this.#bytes = new Uint8Array(buffer, INTS * 4, ARENA_BYTES);
    this.#names = new Uint8Array(buffer, INTS * 4 + ARENA_BYTES, MAX_THREADS * NAME_BYTES);
    Atomics.add(this.#ints, H_THREADS, 1);
  }

  /**
   * The graph this thread joins: the one it inherited from the thread that started it, or a new one
   * (also when the inherited one is this thread's own, from an earlier run), which the threads it
   * starts from now on inherit. Undefined where there is no `SharedArrayBuffer` (a page that is not
   * cross-origin isolated): each thread then validates alone. `classOf` turns a class another thread
   * stored into this thread's.
   */
  static join(classOf: (info: ValidatedLock) => LockClass): SharedOrderGraph | undefined {
    if (typeof SharedArrayBuffer !== 'function') return undefined;
    const inherited = getInheritedValue(INHERITED_KEY);
    if (inherited instanceof SharedArrayBuffer && inherited.byteLength === BYTES) {
      const ints = new Int32Array(inherited, 0, HEADER);
      if (Atomics.load(ints, H_MAGIC) === MAGIC && Atomics.load(ints, H_CREATOR) !== currentThreadIdent()) return new SharedOrderGraph(inherited, classOf);
    }
    let buffer: SharedArrayBuffer;
    try {
      buffer = new SharedArrayBuffer(BYTES);
    } catch {
      return undefined;
    }
    const graph = new SharedOrderGraph(buffer, classOf);
    graph.#ints[H_CREATOR] = currentThreadIdent();
    Atomics.store(graph.#ints, H_MAGIC, MAGIC);
    setInheritedValue(INHERITED_KEY, buffer);
    return graph;
  }

  /** Stops threads started from now on from joining this graph (validation is off here), and frees this thread's wait-for slot. */
  leave(): void {
    const slot = this.#slot;
    if (slot !== undefined && slot >= 0) {
      Atomics.store(this.#ints, WAITS_AT + slot * WAIT_RECORD + 1, 0);
      Atomics.store(this.#ints, WAITS_AT + slot * WAIT_RECORD, 0);
      this.#slot = undefined;
    }
    if (Atomics.load(this.#ints, H_CREATOR) === currentThreadIdent() && getInheritedValue(INHERITED_KEY) === this.buffer) setInheritedValue(INHERITED_KEY, undefined);
  }


  /** Whether another thread has joined: only then can a blocked thread be part of a wait-for cycle. */
  get multiThreaded(): boolean {
    return this.#ints[H_THREADS]! > 1;
  }

  /**
   * This thread is about to block on a lock of class `waiting` while it holds `holding`: publishes that
   * and returns the wait-for cycle among blocked threads it closes, if any, starting with this thread
   * (each party waits for a class the next one holds, the last for one this thread holds). Classes
   * stand for their instances here, as everywhere in the graph. Call {@link doneWaiting} after.
   */
  waitFor(waiting: LockClass, holding: readonly LockClass[]): WaitingThread[] | undefined {
    if (!this.#lock()) return undefined;
    try {
      const slot = this.#ownSlot();
      const waitingNumber = this.#number(waiting);
      if (slot < 0 || waitingNumber < 0) return undefined;
      const numbers = holding.map((lockClass) => this.#number(lockClass)).filter((number) => number >= 0 && number !== waitingNumber).slice(0, MAX_HELD);
      const ints = this.#ints;
      const record = WAITS_AT + slot * WAIT_RECORD;
      ints[record + 2] = numbers.length;
      ints.set(numbers, record + 3);
      Atomics.store(ints, record + 1, waitingNumber + 1);
      const cycle = this.#waitCycle(slot);
      return cycle?.map((at) => {
        const base = WAITS_AT + at * WAIT_RECORD;
        return {
          thread: { ident: ints[base]! - 1, name: this.#nameAt(at) },
          waitsFor: this.#classOf(this.#classInfo(ints[base + 1]! - 1)),
        };
      });
    } finally {
      this.#unlock();
    }
  }

  /** This thread is no longer blocked (it took the lock, timed out or threw). */
  doneWaiting(): void {
    const slot = this.#slot;
    if (slot !== undefined && slot >= 0) Atomics.store(this.#ints, WAITS_AT + slot * WAIT_RECORD + 1, 0);
  }

  #ownSlot(): number {
    if (this.#slot !== undefined) return this.#slot;
    const ints = this.#ints;
    const ident = currentThreadIdent();
    let free = -1;
    for (let slot = 0; slot < MAX_THREADS; slot++) {
      const owner = ints[WAITS_AT + slot * WAIT_RECORD]!;
      if (owner === ident + 1) return (this.#slot = slot);
      if (owner === 0 && free < 0) free = slot;
    }
    if (free >= 0) {
      ints[WAITS_AT + free * WAIT_RECORD] = ident + 1;
      encoder.encodeInto(currentThreadName().slice(0, NAME_BYTES), this.#names.subarray(free * NAME_BYTES, (free + 1) * NAME_BYTES));
    }
    return (this.#slot = free);
  }

  #nameAt(slot: number): string {
    const bytes = this.#names.slice(slot * NAME_BYTES, (slot + 1) * NAME_BYTES);
    const end = bytes.indexOf(0);
    return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
  }

  /**
   * A cycle of blocked threads through `start`: slot X leads to slot Y when X waits for a class that Y
   * holds and Y is blocked too. Depth first; the slots of the cycle, `start` first.
   */
  #waitCycle(start: number): number[] | undefined {
    const ints = this.#ints;
    const waitingOf = (slot: number): number => ints[WAITS_AT + slot * WAIT_RECORD + 1]! - 1;
    const holds = (slot: number, number: number): boolean => {
      const base = WAITS_AT + slot * WAIT_RECORD;
      for (let index = 0; index < ints[base + 2]!; index++) if (ints[base + 3 + index] === number) return true;
      return false;
    };
    const path: number[] = [start];
    const visited = new Set<number>([start]);
    const search = (slot: number): boolean => {
      const wanted = waitingOf(slot);
      for (let next = 0; next < MAX_THREADS; next++) {
        if (ints[WAITS_AT + next * WAIT_RECORD] === 0 || waitingOf(next) < 0 || !holds(next, wanted)) continue;
        if (next === start) return true;
        if (visited.has(next)) continue;
        visited.add(next);
        path.push(next);
        if (search(next)) return true;
        path.pop();
      }
      return false;
    };
    return search(start) && path.length > 1 ? path : undefined;
  }

  /**
   * Publishes `from → to` (new to this thread) and returns the cycle it closes in the graph of all
   * threads, if any: this edge, then a shortest path of stored edges from `to` back to `from`, each
   * with the sites its first taker recorded.
   */
  add(from: LockClass, to: LockClass, seen: SeenOrder): OrderEdge<SeenOrder>[] | undefined {
    if (!this.#lock()) return undefined;
    let path: number[] | undefined;
    try {
      const source = this.#number(from);
      const target = this.#number(to);
      if (source < 0 || target < 0) return undefined;
      this.#sync();
      if (this.#edgeAt.has(source * MAX_CLASSES + target)) return undefined;
      if (!this.#storeEdge(source, target, seen)) return undefined;
      this.#sync();
      path = this.#shortestPath(target, source);
    } finally {
      this.#unlock();
    }
    if (path === undefined) return undefined;
    const cycle: OrderEdge<SeenOrder>[] = [{ from, to, seen }];
    let previous = to;
    path.forEach((edge, index) => {
      const next = index === path.length - 1 ? from : this.#classOf(this.#classInfo(this.#edgeTo(edge)));
      cycle.push({ from: previous, to: next, seen: this.#witness(edge, next.id) });
      previous = next;
    });
    return cycle;
  }

  /**
   * A spin lock: the sections are a few hash probes and a copy, and the main thread of a browser may
   * not wait; contended only when two threads meet new orders at the same moment. A thread terminated
   * inside a section (`worker.terminate()` can stop JavaScript anywhere) never unlocks: after
   * `LOCK_PATIENCE_MS` this thread stops using the shared graph rather than spin for ever.
   */
  #lock(): boolean {
    if (this.#abandoned) return false;
    const ints = this.#ints;
    if (Atomics.compareExchange(ints, H_LOCK, 0, 1) === 0) return true;
    const deadline = Date.now() + LOCK_PATIENCE_MS;
    for (let spins = 1; Atomics.compareExchange(ints, H_LOCK, 0, 1) !== 0; spins++) {
      if ((spins & 1023) === 0 && Date.now() > deadline) {
        this.#abandoned = true;
        console.warn(`lockstep validator: the shared lock-order graph's lock was not released for ${LOCK_PATIENCE_MS} ms (a thread terminated while it held it?); thread ${currentThreadIdent()} checks its orders alone from now on`);
        return false;
      }
    }
    return true;
  }

  #unlock(): void {
    Atomics.store(this.#ints, H_LOCK, 0);
  }

  /** The class's global number, interning it (with its report data) the first time: -1 when full. */
  #number(lockClass: LockClass): number {
    const known = this.#numbers.get(lockClass);
    if (known !== undefined) return known;
    const id = encoder.encode(lockClass.id);
    const hash = hashBytes(id);
    const ints = this.#ints;
    let slot = hash & (CLASS_SLOTS - 1);
    for (;;) {
      const entry = ints[CLASS_SLOTS_AT + slot]!;
      if (entry === 0) break;
      const record = CLASSES_AT + (entry - 1) * CLASS_RECORD;
      if (ints[record] === hash && this.#equalBytes(ints[record + 1]!, ints[record + 2]!, id)) {
        this.#numbers.set(lockClass, entry - 1);
        return entry - 1;
      }
      slot = (slot + 1) & (CLASS_SLOTS - 1);
    }
    const count = ints[H_CLASSES]!;
    const text = encoder.encode(JSON.stringify(lockInfo(lockClass)));
    const idAt = this.#store(id);
    const infoAt = idAt < 0 ? -1 : this.#store(text);
    if (count >= MAX_CLASSES || infoAt < 0) {
      this.#full();
      return -1;
    }
    const record = CLASSES_AT + count * CLASS_RECORD;
    ints.set([hash, idAt, id.length, infoAt, text.length], record);
    ints[CLASS_SLOTS_AT + slot] = count + 1;
    ints[H_CLASSES] = count + 1;
    this.#numbers.set(lockClass, count);
    return count;
  }

  #storeEdge(source: number, target: number, seen: SeenOrder): boolean {
    const ints = this.#ints;
    const count = ints[H_EDGES]!;
    if (count >= MAX_EDGES) {
      this.#full();
      return false;
    }
    // The full sites if they fit; if not, without their stacks; if not even that, none.
    let text = encoder.encode(JSON.stringify(seen));
    let at = this.#store(text);
    if (at < 0) {
      const bare = { ...(seen.held === undefined ? {} : { held: { ...seen.held, stack: [] } }), acquired: { ...seen.acquired, stack: [] } };
      text = encoder.encode(JSON.stringify(bare));
      at = this.#store(text);
    }
    ints.set([source, target, at, at < 0 ? 0 : text.length], EDGES_AT + count * EDGE_RECORD);
    ints[H_EDGES] = count + 1;
    return true;
  }

  /** Said once per process: from now on a new order is checked only against its own thread's. */
  #full(): void {
    if (Atomics.add(this.#ints, H_DROPPED, 1) === 0) {
      console.warn(`lockstep validator: the shared lock-order graph is full (${MAX_CLASSES} lock classes, ${MAX_EDGES} orders, ${ARENA_BYTES >> 20} MiB of sites); orders new from now on are checked within their own thread only`);
    }
  }

  /** Copies `bytes` into the arena: their offset, or -1 when it is full. */
  #store(bytes: Uint8Array): number {
    const at = this.#ints[H_ARENA]!;
    if (at + bytes.length > ARENA_BYTES) return -1;
    this.#bytes.set(bytes, at);
    this.#ints[H_ARENA] = at + bytes.length;
    return at;
  }

  #text(at: number, length: number): string {
    // (A copy: TextDecoder refuses views of shared memory on some runtimes.)
    return decoder.decode(this.#bytes.slice(at, at + length));
  }

  #equalBytes(at: number, length: number, bytes: Uint8Array): boolean {
    if (length !== bytes.length) return false;
    const arena = this.#bytes;
    for (let index = 0; index < length; index++) if (arena[at + index] !== bytes[index]) return false;
    return true;
  }

  /** Reads the edges other threads appended since the last time into this thread's adjacency. */
  #sync(): void {
    const ints = this.#ints;
    const count = ints[H_EDGES]!;
    for (let edge = this.#synced; edge < count; edge++) {
      const record = EDGES_AT + edge * EDGE_RECORD;
      const source = ints[record]!;
      const target = ints[record + 1]!;
      (this.#out[source] ??= []).push(target);
      this.#edgeAt.set(source * MAX_CLASSES + target, edge);
    }
    this.#synced = count;
  }

  /** The edges of a shortest path from `start` to `goal`. */
  #shortestPath(start: number, goal: number): number[] | undefined {
    const nodes = shortestPath(this.#out, start, goal);
    return nodes?.slice(1).map((node, index) => this.#edgeAt.get(nodes[index]! * MAX_CLASSES + node)!);
  }

  #edgeTo(edge: number): number {
    return this.#ints[EDGES_AT + edge * EDGE_RECORD + 1]!;
  }

  #classInfo(number: number): ValidatedLock {
    const record = CLASSES_AT + number * CLASS_RECORD;
    return JSON.parse(this.#text(this.#ints[record + 3]!, this.#ints[record + 4]!)) as ValidatedLock;
  }

  #witness(edge: number, toId: string): SeenOrder {
    const record = EDGES_AT + edge * EDGE_RECORD;
    const at = this.#ints[record + 2]!;
    // A site that did not fit in the arena: the edge is still in the graph, so a cycle through it is
    // still found, and the report says what it lacks.
    if (at < 0) return { held: undefined, acquired: unrecordedSite(toId, '(not recorded: the shared lock-order graph is full)', { thread: { ident: -1, name: 'another thread' }, asyncContext: 0 }) };
    const stored = JSON.parse(this.#text(at, this.#ints[record + 3]!)) as StoredWitness;
    return { held: stored.held, acquired: stored.acquired };
  }
}

/** FNV-1a over the bytes. */
function hashBytes(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 1;
}
