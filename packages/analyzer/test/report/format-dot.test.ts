import { describe, expect, test } from 'vitest';
import { formatDot } from '../../src/report/format-dot.js';
import type { Report } from '../../src/report/report-model.js';
import { EDGES, ID, LOCKS, SELF, sampleReport } from './sample-report.js';

/** `"from" -> "to" [attrs]` lines, keyed by `from -> to` (ids unescaped: the sample ids have no quotes). */
function edgeLines(dot: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of dot.split('\n')) {
    const match = /^ {2}"([^"]+)" -> "([^"]+)" \[(.*)\];$/.exec(line);
    if (match) lines.set(`${match[1]} -> ${match[2]}`, match[3] ?? '');
  }
  return lines;
}

const onCycles = (report: Report): Set<string> => new Set(report.findings.flatMap((f) => f.steps.map((s) => `${s.from} -> ${s.to}`)));

describe('formatDot', () => {
  test('a digraph with every lock as a node labelled with its name', () => {
    const dot = formatDot(sampleReport());
    expect(dot.startsWith('digraph lockstep {\n')).toBe(true);
    expect(dot.endsWith('}\n')).toBe(true);
    expect(dot).toContain(`  "${ID.accounts}" [label="accountsLock", tooltip="${ID.accounts}", shape=box];`);
    expect(dot).toContain(`  "${ID.pool}" [label="poolSlots\\n(semaphore, 2)", tooltip="${ID.pool}", shape=ellipse];`);
    expect(dot).toContain(`  "${ID.legacyWorker}" [label="Worker.lock (${ID.legacyWorker})", tooltip="${ID.legacyWorker}", shape=box, style=rounded];`);
    expect(dot).toContain(`  "${ID.cache}" [label="cacheLock", tooltip="${ID.cache}", shape=box, style=dashed];`);
    for (const lock of LOCKS) expect(dot).toContain(`  "${lock.id}" [`);
  });

  test('every edge of the graph, labelled with its witness count and first witness', () => {
    const lines = edgeLines(formatDot(sampleReport()));
    for (const edge of EDGES) expect(lines.has(`${edge.from} -> ${edge.to}`)).toBe(true);
    expect(lines.get(`${ID.accounts} -> ${ID.ledger}`)).toBe('label="2 witnesses\\nsrc/ledger.ts:31", color=red, penwidth=2');
    expect(lines.get(`${ID.gate} -> ${ID.index}`)).toBe('label="1 witness\\nsrc/cfg.ts:40"');
  });

  test('red exactly on the edges of findings’ cycles, the self-deadlock as a red self-loop', () => {
    const report = sampleReport();
    const lines = edgeLines(formatDot(report));
    const red = onCycles(report);
    // Every graph edge plus the self-loop, drawn from its finding since the graph does not hold it.
    expect(lines.size).toBe(EDGES.length + 1);
    for (const [edge, attrs] of lines) expect([edge, attrs.includes('color=red, penwidth=2')]).toEqual([edge, red.has(edge)]);
    expect(lines.get(`${ID.cache} -> ${ID.cache}`)).toBe('label="1 witness\\nlegacy/cache.js:18", color=red, penwidth=2');
  });

  test('a self-loop already in the graph is drawn once', () => {
    const selfEdge = { from: ID.cache, to: ID.cache, witnesses: [SELF.steps[0]!.witness] };
    const report = sampleReport({ edges: [selfEdge, ...EDGES] });
    const dot = formatDot(report);
    expect(dot.split(`"${ID.cache}" -> "${ID.cache}"`)).toHaveLength(2);
  });

  test('a legend of the shapes and edge styles, in a cluster of its own', () => {
    const dot = formatDot(sampleReport());
    const legend = dot.slice(dot.indexOf('  subgraph cluster_legend {'));
    expect(legend).toContain('graph [label="legend"');
    for (const shape of ['shape=box];', 'shape=box, style=rounded];', 'shape=ellipse];', 'shape=box, style=dashed];']) expect(legend).toContain(shape);
    expect(legend).toContain('edge [color=red, penwidth=2];');
    // Not on the edge's own line: counting `->` lines with `color=red` counts the graph's cycle edges only.
    expect(legend.split('\n').filter((line) => line.includes('->') && line.includes('color=red'))).toEqual([]);
    expect(legend.endsWith('  }\n}\n')).toBe(true);
    // Legend nodes are never mistaken for locks: lock ids always hold `#` or a prefix with `:`.
    for (const id of legend.matchAll(/^ +"([^"]+)" /gm)) expect(id[1]).toMatch(/^legend [a-z]+$/);
  });

  test('deterministic whatever the input order', () => {
    const report = sampleReport();
    const shuffled = sampleReport({ edges: [...EDGES].reverse(), locks: [...LOCKS].reverse() });
    expect(formatDot(shuffled)).toBe(formatDot(report));
    const lines = [...edgeLines(formatDot(report)).keys()];
    expect(lines).toEqual([...lines].sort());
  });

  test('quotes, backslashes and newlines in names cannot break out of their strings', () => {
    const id = 'web-lock:a"b\\c';
    const report = sampleReport({
      locks: [{ id, name: 'navigator.locks "a\\"b\nc"', flavor: 'mutex', source: 'web-locks' }],
      edges: [{ from: id, to: ID.accounts, witnesses: EDGES[0]!.witnesses }],
      findings: [],
    });
    const dot = formatDot(report);
    expect(dot).toContain('  "web-lock:a\\"b\\\\c" [label="navigator.locks \\"a\\\\\\"b\\nc\\"", tooltip="web-lock:a\\"b\\\\c", shape=box];');
    expect(dot).toContain(`  "web-lock:a\\"b\\\\c" -> "${ID.accounts}" [label="2 witnesses\\nsrc/ledger.ts:31"];`);
    // Every line is a statement, a graph attribute or a brace: nothing escaped onto a line of its own.
    const lines = dot.split('\n');
    for (const line of lines.slice(1, lines.indexOf('  subgraph cluster_legend {'))) expect(line).toMatch(/^ {2}.*;$/);
  });
});
