/**
 * This thread's lock-order graph of lock classes: an edge A → B once B was taken while A was held.
 * An edge is validated once, when it is first seen (does it close a cycle?); afterwards it costs one
 * hash lookup, which is the validator's steady state.
 */
import type { LockClass } from './lock-records.js';

/** An edge and what was recorded the first time its order was taken. */
export interface OrderEdge<S> {
  readonly from: LockClass;
  readonly to: LockClass;
  readonly seen: S;
}

/** Classes are numbered below this, so that a pair of numbers is one exact double. */
const MAX_CLASSES = 2 ** 21;

export class OrderGraph<S> {
  readonly #edges = new Map<number, OrderEdge<S>>();
  readonly #out: number[][] = [];

  /** Whether `from → to` was seen already. */
  has(from: LockClass, to: LockClass): boolean {
    return this.#edges.has(from.index * MAX_CLASSES + to.index);
  }

  get size(): number {
    return this.#edges.size;
  }

  /**
   * Records a new edge; returns the cycle it closes, if any: this edge, then the shortest path of
   * known edges from `to` back to `from` (one edge per step).
   */
  add(edge: OrderEdge<S>): OrderEdge<S>[] | undefined {
    const { from, to } = edge;
    if (from.index >= MAX_CLASSES || to.index >= MAX_CLASSES) return undefined;
    this.#edges.set(from.index * MAX_CLASSES + to.index, edge);
    (this.#out[from.index] ??= []).push(to.index);
    if (from === to) return undefined;
    const path = this.#shortestPath(to.index, from.index);
    return path === undefined ? undefined : [edge, ...path];
  }

  /** Breadth first, so that the cycle shown is a shortest one. */
  #shortestPath(start: number, goal: number): OrderEdge<S>[] | undefined {
    const nodes = shortestPath(this.#out, start, goal);
    if (nodes === undefined) return undefined;
    return nodes.slice(1).map((node, index) => this.#edges.get(nodes[index]! * MAX_CLASSES + node)!);
  }
}

/**
 * The nodes of a shortest path from `start` to `goal` (both included) over `out` (node → successors),
 * breadth first; undefined if there is none.
 */
export function shortestPath(out: readonly (readonly number[] | undefined)[], start: number, goal: number): number[] | undefined {
  const cameFrom = new Map<number, number>([[start, start]]);
  let frontier = [start];
  while (frontier.length > 0 && !cameFrom.has(goal)) {
    const next: number[] = [];
    for (const node of frontier) {
      for (const target of out[node] ?? []) {
        if (cameFrom.has(target)) continue;
        cameFrom.set(target, node);
        next.push(target);
      }
    }
    frontier = next;
  }
  if (!cameFrom.has(goal)) return undefined;
  const nodes = [goal];
  for (let node = goal; node !== start; node = cameFrom.get(node)!) nodes.unshift(cameFrom.get(node)!);
  return nodes;
}
