/**
 * Cycle search on a directed graph given by its successor function: strongly connected components
 * (Tarjan's algorithm, iterative so deep graphs cannot overflow the stack), then shortest cycles by
 * breadth-first search inside a component (Tarjan's algorithm itself lives in the analysis layer, which
 * also orders the call graph with it).
 */

import { tarjan } from '../analysis/strongly-connected.js';

export type Successors = (node: string) => Iterable<string>;

/** The strongly connected components of the lock-order graph with more than one lock, each sorted, in a stable order. */
export function stronglyConnectedComponents(nodes: readonly string[], successors: Successors): string[][] {
  return tarjan(nodes, successors)
    .filter((component) => component.length > 1)
    .map((component) => component.sort())
    .sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

/**
 * The shortest cycle through `start` using only nodes in `within` (self-loops excluded), as the list of
 * its nodes starting at `start`; undefined when there is none.
 */
export function shortestCycleThrough(start: string, within: ReadonlySet<string>, successors: Successors): string[] | undefined {
  const previous = new Map<string, string>();
  const queue: string[] = [start];
  const seen = new Set<string>([start]);
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const successor of [...successors(node)].sort()) {
      if (!within.has(successor) || successor === node) continue;
      if (successor === start) {
        const cycle: string[] = [];
        for (let current: string | undefined = node; current !== undefined; current = previous.get(current)) cycle.push(current);
        return cycle.reverse();
      }
      if (seen.has(successor)) continue;
      seen.add(successor);
      previous.set(successor, node);
      queue.push(successor);
    }
  }
  return undefined;
}

/** A cycle rotated to start at its smallest node, so one cycle has one spelling. */
export function canonicalRotation(cycle: readonly string[]): string[] {
  let best = 0;
  for (let index = 1; index < cycle.length; index++) if (cycle[index]! < cycle[best]!) best = index;
  return [...cycle.slice(best), ...cycle.slice(0, best)];
}
