/**
 * Graphviz DOT of the whole lock-order graph, for `lockstep --format dot | dot -Tsvg`: seeing the graph
 * explains a cycle (and the order the rest of the code already follows) better than a list does.
 */
import { lockNamer } from './lock-names.js';
import type { LockInfo } from '../model/lock-info.js';
import type { Report } from './report-model.js';

/**
 * A DOT double-quoted string. Labels are escString, where a backslash starts an escape (`\n`, `\l`,
 * `\N`…): doubling every backslash shows it as typed, and newlines become `\n` so a name cannot end the
 * statement.
 */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, '\\n')}"`;
}

/**
 * Our own keyword values go bare (`color=red` reads better than `color="red"`); anything from the
 * analysed code (names, ids, paths) is always quoted, whatever it looks like.
 */
const KEYWORD_ATTRIBUTES = new Set(['color', 'shape', 'style']);

function attributes(attrs: Readonly<Record<string, string | number>>): string {
  return Object.entries(attrs)
    .map(([key, value]) => {
      const bare = typeof value === 'number' || (KEYWORD_ATTRIBUTES.has(key) && /^[a-z]+$/.test(value));
      return `${key}=${bare ? String(value) : quote(String(value))}`;
    })
    .join(', ');
}

/** Semaphores and reentrant locks look different, and a lock known by its name only looks tentative. */
function nodeStyle(lock: LockInfo | undefined): Record<string, string> {
  const style: string[] = [];
  let shape = 'box';
  if (lock?.flavor === 'reentrant') style.push('rounded');
  if (lock?.flavor === 'semaphore') shape = 'ellipse';
  if (lock?.source === 'name-fallback') style.push('dashed');
  return { shape, ...(style.length === 0 ? {} : { style: style.join(',') }) };
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Renders every lock and every edge of the report's lock-order graph. Nodes are lock ids labelled with
 * lock names (a semaphore's label adds its count); each edge is labelled with its witness count and where
 * its first witness takes the second lock (`file:line`). Edges on any finding's cycle are red and thick,
 * a self-deadlock is a red self-loop. Sorted by id, so the output is deterministic.
 */
export function formatDot(report: Report): string {
  const names = lockNamer(report.locks);
  const onCycle = new Set<string>();
  const key = (from: string, to: string): string => JSON.stringify([from, to]);
  for (const finding of report.findings) for (const step of finding.steps) onCycle.add(key(step.from, step.to));

  // A self-deadlock's edge may not be in the graph (it orders nothing): draw it from the finding.
  const edges = new Map<string, { from: string; to: string; count: number; at: string | undefined }>();
  for (const edge of report.edges) {
    const first = edge.witnesses[0]?.acquired.location;
    edges.set(key(edge.from, edge.to), { from: edge.from, to: edge.to, count: edge.witnesses.length, at: first && `${first.file}:${first.line}` });
  }
  for (const finding of report.findings) {
    for (const step of finding.steps) {
      if (edges.has(key(step.from, step.to))) continue;
      const at = step.witness.acquired.location;
      edges.set(key(step.from, step.to), { from: step.from, to: step.to, count: step.witnessCount, at: `${at.file}:${at.line}` });
    }
  }

  const ids = new Set(report.locks.map((lock) => lock.id));
  for (const edge of edges.values()) ids.add(edge.from).add(edge.to);

  const lines = ['digraph lockstep {', '  graph [rankdir=LR, fontname="Helvetica"];', '  node [fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  for (const id of [...ids].sort(byCodeUnits)) {
    const lock = names.info(id);
    const count = lock?.flavor === 'semaphore' && lock.count !== undefined ? `\n(semaphore, ${lock.count})` : '';
    lines.push(`  ${quote(id)} [${attributes({ label: `${names.name(id)}${count}`, tooltip: id, ...nodeStyle(lock) })}];`);
  }
  const sorted = [...edges.values()].sort((a, b) => byCodeUnits(a.from, b.from) || byCodeUnits(a.to, b.to));
  for (const edge of sorted) {
    const witnesses = `${edge.count} ${edge.count === 1 ? 'witness' : 'witnesses'}`;
    const label = edge.at === undefined ? witnesses : `${witnesses}\n${edge.at}`;
    const cycle = onCycle.has(key(edge.from, edge.to)) ? { color: 'red', penwidth: 2 } : {};
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [${attributes({ label, ...cycle })}];`);
  }
  lines.push(...LEGEND, '}');
  return `${lines.join('\n')}\n`;
}

/**
 * What the shapes and edge styles mean, drawn beside the graph: a reader of the picture has no other
 * key. Its node ids cannot be lock ids, which always hold `#` or a `web-lock:`/`unknown:` prefix.
 */
const LEGEND: readonly string[] = [
  '  subgraph cluster_legend {',
  '    graph [label="legend", fontsize=10, color=gray, style=dashed];',
  '    node [fontsize=10];',
  '    edge [fontsize=9];',
  `    "legend mutex" [${attributes({ label: 'mutex', shape: 'box' })}];`,
  `    "legend reentrant" [${attributes({ label: 'reentrant lock', shape: 'box', style: 'rounded' })}];`,
  `    "legend semaphore" [${attributes({ label: 'semaphore\n(name, permits)', shape: 'ellipse' })}];`,
  `    "legend guessed" [${attributes({ label: 'recognised by name only', shape: 'box', style: 'dashed' })}];`,
  `    "legend mutex" -> "legend reentrant" [${attributes({ label: 'taken while the first is held\n(witnesses, first site)' })}];`,
  // Red through the subgraph's edge default: a line matching `->` and `color=red` is always a lock's edge.
  '    subgraph legend_cycle {',
  `      edge [${attributes({ color: 'red', penwidth: 2 })}];`,
  `      "legend semaphore" -> "legend guessed" [${attributes({ label: 'on a finding\'s cycle' })}];`,
  '    }',
  '  }',
];
