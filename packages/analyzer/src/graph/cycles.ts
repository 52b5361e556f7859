/**
 * Cycle search on a directed graph given by its successor function: strongly connected components
 * (Tarjan's algorithm, iterative so deep graphs cannot overflow the stack), then shortest cycles by
 * breadth-first search inside a component. The call graph uses the same components to order its work.
 */

export type Successors = (node: string) => Iterable<string>;

/**
 * Every strongly connected component, singletons included, in the order Tarjan's algorithm closes them:
 * a component comes after every component it reaches (callees before callers in a call graph).
 */
export function tarjan<T>(nodes: Iterable<T>, successors: (node: T) => Iterable<T>): T[][] {
  const index = new Map<T, number>();
  const lowLink = new Map<T, number>();
  const onStack = new Set<T>();
  const stack: T[] = [];
  const components: T[][] = [];
  let counter = 0;

  for (const start of nodes) {
    if (index.has(start)) continue;
    // Each frame: the node and an iterator over its successors not yet visited from it.
    const frames: { node: T; next: Iterator<T> }[] = [];
    const open = (node: T): void => {
      index.set(node, counter);
      lowLink.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      frames.push({ node, next: successors(node)[Symbol.iterator]() });
    };
    open(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const step = frame.next.next();
      if (!step.done) {
        const successor = step.value;
        if (!index.has(successor)) open(successor);
        else if (onStack.has(successor)) lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(successor)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: T[] = [];
        let member: T;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

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
