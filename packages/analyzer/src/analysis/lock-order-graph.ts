/**
 * The lock-order graph: an edge A → B for every place B is taken while A is held, carrying each
 * distinct witness. Self-deadlocks (a non-reentrant lock taken again by its holder) are kept apart:
 * they are findings of their own, not edges a cycle search should walk.
 */
import type { EdgeWitness } from './lock-order-witness.js';

/** An edge of the lock-order graph with every witness found for it. */
export interface LockOrderEdge {
  readonly from: string;
  readonly to: string;
  readonly witnesses: readonly EdgeWitness[];
}

interface MutableEdge {
  readonly from: string;
  readonly to: string;
  readonly witnesses: EdgeWitness[];
  readonly keys: Set<string>;
}

export class LockOrderGraph {
  readonly #edges = new Map<string, MutableEdge>();
  readonly #successors = new Map<string, Set<string>>();
  readonly #selfDeadlocks = new Map<string, MutableEdge>();
  readonly #nestedInstances = new Map<string, MutableEdge>();

  /** Records that `to` is taken while `from` is held; returns false when this witness was known. */
  addWitness(from: string, to: string, witness: EdgeWitness): boolean {
    const added = addTo(this.#edges, from, to, witness);
    if (added) {
      let successors = this.#successors.get(from);
      if (successors === undefined) this.#successors.set(from, (successors = new Set()));
      successors.add(to);
    }
    return added;
  }

  /** Records a lock taken again while its holder holds it. */
  addSelfDeadlock(lock: string, witness: EdgeWitness): void {
    addTo(this.#selfDeadlocks, lock, lock, witness);
  }

  /** Records a second instance of a lock class taken while another instance of it is held. */
  addNestedInstances(lock: string, witness: EdgeWitness): void {
    addTo(this.#nestedInstances, lock, lock, witness);
  }

  /** The locks taken while `lock` is held. */
  successors(lock: string): ReadonlySet<string> {
    return this.#successors.get(lock) ?? EMPTY;
  }

  /** Every lock with an edge in or out. */
  nodes(): string[] {
    const nodes = new Set<string>();
    for (const edge of this.#edges.values()) nodes.add(edge.from).add(edge.to);
    for (const edge of [...this.#selfDeadlocks.values(), ...this.#nestedInstances.values()]) nodes.add(edge.from);
    return [...nodes].sort();
  }

  edge(from: string, to: string): LockOrderEdge | undefined {
    return this.#edges.get(edgeKey(from, to));
  }

  /**
   * Every edge, loops included (a lock taken again by its holder, or a second instance of its class
   * taken: one `L → L` edge with the witnesses of both), sorted by (from, to), witnesses sorted by location.
   */
  edges(): LockOrderEdge[] {
    const loops = new Map<string, EdgeWitness[]>();
    for (const edge of [...this.#selfDeadlocks.values(), ...this.#nestedInstances.values()]) loops.set(edge.from, [...(loops.get(edge.from) ?? []), ...edge.witnesses]);
    return [
      ...[...this.#edges.values()].map((edge) => ({ from: edge.from, to: edge.to, witnesses: [...edge.witnesses].sort(compareWitnesses) })),
      ...[...loops].map(([lock, witnesses]) => ({ from: lock, to: lock, witnesses: witnesses.sort(compareWitnesses) })),
    ].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to));
  }

  nestedInstances(): LockOrderEdge[] {
    return [...this.#nestedInstances.values()].map((edge) => ({ from: edge.from, to: edge.to, witnesses: [...edge.witnesses].sort(compareWitnesses) }));
  }

  selfDeadlocks(): LockOrderEdge[] {
    return [...this.#selfDeadlocks.values()].map((edge) => ({ from: edge.from, to: edge.to, witnesses: [...edge.witnesses].sort(compareWitnesses) }));
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function addTo(map: Map<string, MutableEdge>, from: string, to: string, witness: EdgeWitness): boolean {
  const key = edgeKey(from, to);
  let edge = map.get(key);
  if (edge === undefined) map.set(key, (edge = { from, to, witnesses: [], keys: new Set() }));
  const id = witnessKey(witness);
  if (edge.keys.has(id)) return false;
  edge.keys.add(id);
  edge.witnesses.push(witness);
  return true;
}

function edgeKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

function witnessKey(witness: EdgeWitness): string {
  const where = (location: { file: string; line: number; column: number }) => `${location.file}:${location.line}:${location.column}`;
  return [
    where(witness.held.location),
    ...witness.held.callChain.map((step) => where(step.location)),
    where(witness.acquired.location),
    ...witness.acquired.callChain.map((step) => where(step.location)),
  ].join('|');
}

/** Shortest chains first, then by place, so the first witness is the easiest to follow. */
export function compareWitnesses(a: EdgeWitness, b: EdgeWitness): number {
  return (
    chainLength(a) - chainLength(b) ||
    compare(a.held.location.file, b.held.location.file) ||
    a.held.location.line - b.held.location.line ||
    compare(a.acquired.location.file, b.acquired.location.file) ||
    a.acquired.location.line - b.acquired.location.line ||
    a.acquired.location.column - b.acquired.location.column
  );
}

function chainLength(witness: EdgeWitness): number {
  return witness.held.callChain.length + witness.acquired.callChain.length;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
