/** The cycle search on its own: Tarjan's components, shortest cycles, canonical rotation. */
import { describe, expect, it } from 'vitest';
import { tarjan } from '../../src/analysis/strongly-connected.js';
import { canonicalRotation, shortestCycleThrough, stronglyConnectedComponents } from '../../src/graph/cycles.js';

function graphOf(edges: string): { nodes: string[]; successors: (node: string) => string[] } {
  const map = new Map<string, string[]>();
  for (const edge of edges.split(/\s+/).filter(Boolean)) {
    const [from, to] = edge.split('>') as [string, string];
    map.set(from, [...(map.get(from) ?? []), to]);
    if (!map.has(to)) map.set(to, []);
  }
  return { nodes: [...map.keys()].sort(), successors: (node) => map.get(node) ?? [] };
}

describe('stronglyConnectedComponents', () => {
  it('finds each cycle-bearing component once, ignoring acyclic parts and self-loops', () => {
    const { nodes, successors } = graphOf('a>b b>a b>c c>d d>e e>c e>f f>f x>y');
    expect(stronglyConnectedComponents(nodes, successors)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
  });

  it('returns nothing for a DAG', () => {
    const { nodes, successors } = graphOf('a>b a>c b>d c>d d>e');
    expect(stronglyConnectedComponents(nodes, successors)).toEqual([]);
  });

  it('handles a deep chain without overflowing the stack', () => {
    const size = 50_000;
    const successors = (node: string) => {
      const n = Number(node);
      return [String((n + 1) % size)];
    };
    const nodes = Array.from({ length: size }, (_, n) => String(n));
    const [component] = stronglyConnectedComponents(nodes, successors);
    expect(component).toHaveLength(size);
  });
});

describe('tarjan', () => {
  it('closes callees before their callers', () => {
    const { nodes, successors } = graphOf('main>load load>parse parse>load main>log');
    const order = tarjan(nodes, successors).map((component) => component.sort().join('+'));
    expect(order.indexOf('load+parse')).toBeLessThan(order.indexOf('main'));
    expect(order.indexOf('log')).toBeLessThan(order.indexOf('main'));
    expect(order).toHaveLength(3);
  });
});

describe('shortestCycleThrough', () => {
  it('finds the shortest of several cycles through a node', () => {
    const { successors } = graphOf('a>b b>c c>d d>a b>a');
    expect(shortestCycleThrough('a', new Set(['a', 'b', 'c', 'd']), successors)).toEqual(['a', 'b']);
    expect(shortestCycleThrough('c', new Set(['a', 'b', 'c', 'd']), successors)).toEqual(['c', 'd', 'a', 'b']);
  });

  it('stays inside the given component and ignores self-loops', () => {
    const { successors } = graphOf('a>a a>b b>c c>a');
    expect(shortestCycleThrough('a', new Set(['a', 'b']), successors)).toBeUndefined();
    expect(shortestCycleThrough('a', new Set(['a', 'b', 'c']), successors)).toEqual(['a', 'b', 'c']);
  });

  it('finds the five-cycle of the dining philosophers', () => {
    const { successors } = graphOf('f0>f1 f1>f2 f2>f3 f3>f4 f4>f0');
    expect(shortestCycleThrough('f2', new Set(['f0', 'f1', 'f2', 'f3', 'f4']), successors)).toEqual(['f2', 'f3', 'f4', 'f0', 'f1']);
  });
});

describe('canonicalRotation', () => {
  it('gives every rotation of a cycle one spelling', () => {
    expect(canonicalRotation(['c', 'a', 'b'])).toEqual(['a', 'b', 'c']);
    expect(canonicalRotation(['b', 'c', 'a'])).toEqual(['a', 'b', 'c']);
    expect(canonicalRotation(['a'])).toEqual(['a']);
  });
});
