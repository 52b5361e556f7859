/** From a hand-built lock-order graph to findings: gates, semaphores, self-deadlocks, components. */
import { describe, expect, it } from 'vitest';
import { findFindings } from '../../src/graph/find-findings.js';
import { LockOrderGraph } from '../../src/analysis/lock-order-graph.js';
import type { Acquisition, EdgeWitness, LockFlavor, LockInfo } from '../../src/report/report-model.js';

let line = 1;
function site(lock: string, fn: string): Acquisition {
  line++;
  return {
    lock,
    location: { file: 'src/app.ts', line, column: 3, endLine: line, endColumn: 20, snippet: `${lock}.acquire();` },
    function: fn,
    callChain: [],
    form: 'acquire',
    guessed: false,
  };
}

function witness(from: string, to: string, fn: string, alsoHeld: string[] = []): EdgeWitness {
  return { held: site(from, fn), acquired: site(to, fn), alsoHeld };
}

function locks(...entries: [string, LockFlavor, number?][]): Map<string, LockInfo> {
  return new Map(
    entries.map(([id, flavor, count]) => [id, { id, name: id, flavor, source: 'lockstep' as const, ...(count === undefined ? {} : { count }) }]),
  );
}

const fingerprint = (kind: string, cycle: readonly string[]) => `${kind}:${cycle.join(',')}`;

describe('findFindings', () => {
  it('reports one cycle per component, with one step per edge', () => {
    const graph = new LockOrderGraph();
    graph.addWitness('a', 'b', witness('a', 'b', 'f'));
    graph.addWitness('b', 'c', witness('b', 'c', 'g'));
    graph.addWitness('c', 'a', witness('c', 'a', 'h'));
    graph.addWitness('c', 'd', witness('c', 'd', 'h'));
    const { findings } = findFindings(graph, locks(['a', 'mutex'], ['b', 'mutex'], ['c', 'mutex'], ['d', 'mutex']), fingerprint);
    expect(findings.map((finding) => [finding.kind, finding.locks])).toEqual([['lock-order-cycle', ['a', 'b', 'c']]]);
    expect(findings[0]!.steps.map((step) => `${step.from}>${step.to}`)).toEqual(['a>b', 'b>c', 'c>a']);
  });

  it('keeps witnesses distinct and counts them', () => {
    const graph = new LockOrderGraph();
    const first = witness('a', 'b', 'f');
    expect(graph.addWitness('a', 'b', first)).toBe(true);
    expect(graph.addWitness('a', 'b', first)).toBe(false);
    graph.addWitness('a', 'b', witness('a', 'b', 'f2'));
    graph.addWitness('b', 'a', witness('b', 'a', 'g'));
    const { findings } = findFindings(graph, locks(['a', 'mutex'], ['b', 'mutex']), fingerprint);
    expect(findings[0]!.steps.map((step) => step.witnessCount)).toEqual([2, 1]);
  });

  it('suppresses a cycle gated on every witness of every edge, and only then', () => {
    const gated = new LockOrderGraph();
    gated.addWitness('a', 'b', witness('a', 'b', 'f', ['gate']));
    gated.addWitness('b', 'a', witness('b', 'a', 'g', ['gate', 'other']));
    const info = locks(['a', 'mutex'], ['b', 'mutex'], ['gate', 'mutex'], ['other', 'mutex']);
    const result = findFindings(gated, info, fingerprint);
    expect(result.findings).toEqual([]);
    expect(result.gatedCycles).toEqual([{ locks: ['a', 'b'], gates: ['gate'] }]);

    gated.addWitness('b', 'a', witness('b', 'a', 'ungated'));
    const again = findFindings(gated, info, fingerprint);
    expect(again.findings.map((finding) => finding.locks)).toEqual([['a', 'b']]);
    expect(again.gatedCycles).toEqual([]);
  });

  it('tells semaphore cycles from lock cycles by their counts', () => {
    const graph = new LockOrderGraph();
    graph.addWitness('pool', 'a', witness('pool', 'a', 'f'));
    graph.addWitness('a', 'pool', witness('a', 'pool', 'g'));
    graph.addWitness('one', 'b', witness('one', 'b', 'f'));
    graph.addWitness('b', 'one', witness('b', 'one', 'g'));
    const { findings } = findFindings(graph, locks(['pool', 'semaphore', 3], ['a', 'mutex'], ['one', 'semaphore', 1], ['b', 'mutex']), fingerprint);
    expect(findings.map((finding) => `${finding.kind} ${finding.locks.join(',')}`).sort()).toEqual(['lock-order-cycle b,one', 'semaphore-cycle a,pool']);
  });

  it('makes one self-deadlock finding per place a held lock is taken again', () => {
    const graph = new LockOrderGraph();
    graph.addSelfDeadlock('a', witness('a', 'a', 'f'));
    graph.addSelfDeadlock('a', witness('a', 'a', 'g'));
    const { findings } = findFindings(graph, locks(['a', 'mutex']), fingerprint);
    expect(findings.map((finding) => finding.kind)).toEqual(['self-deadlock', 'self-deadlock']);
    expect(graph.edges().map((edge) => `${edge.from}>${edge.to}`)).toEqual(['a>a']);
  });

  it('reports two inversions sharing a lock as two findings', () => {
    const graph = new LockOrderGraph();
    graph.addWitness('a', 'b', witness('a', 'b', 'f'));
    graph.addWitness('b', 'a', witness('b', 'a', 'g'));
    graph.addWitness('a', 'c', witness('a', 'c', 'h'));
    graph.addWitness('c', 'a', witness('c', 'a', 'k'));
    const { findings } = findFindings(graph, locks(['a', 'mutex'], ['b', 'mutex'], ['c', 'mutex']), fingerprint);
    expect(findings.map((finding) => finding.locks)).toEqual([
      ['a', 'b'],
      ['a', 'c'],
    ]);
  });
});
