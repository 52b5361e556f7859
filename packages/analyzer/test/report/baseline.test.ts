import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { edgeFunctions, type EdgeFunctions, type Finding } from '../../src/graph/finding.js';
import { applyBaseline, Baseline, BaselineError, formatBaseline, readBaseline, writeBaseline } from '../../src/report/baseline.js';
import type { LockInfo } from '../../src/model/lock-info.js';
import { CYCLE_2, CYCLE_3, EDGES, FINDINGS, ID, LOCKS, SELF } from './sample-report.js';

const dir = mkdtempSync(join(tmpdir(), 'lockstep-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(content: string): string {
  const path = join(dir, `baseline-${(files += 1)}.json`);
  writeFileSync(path, content);
  return path;
}

function thrown(action: () => unknown): BaselineError {
  try {
    action();
  } catch (error) {
    if (error instanceof BaselineError) return error;
    throw error;
  }
  throw new Error('expected a BaselineError');
}

/** The finding with every witness of the report's edges behind its steps, as the graph layer gives them. */
function withAllWitnesses(finding: Finding): Finding {
  return {
    ...finding,
    steps: finding.steps.map((step) => ({ ...step, functions: edgeFunctions(EDGES.find((edge) => edge.from === step.from && edge.to === step.to)!.witnesses) })),
  };
}

/** The finding with one more function pair behind the step leaving `from`. */
function withFunction(finding: Finding, from: string, pair: EdgeFunctions): Finding {
  return {
    ...finding,
    steps: finding.steps.map((step) => (step.from === from ? { ...step, functions: [...(step.functions ?? []), pair] } : step)),
  };
}

/** Writes a baseline of these findings and reads it back. */
function recorded(...findings: Finding[]): Baseline {
  const path = join(dir, `recorded-${(files += 1)}.json`);
  writeBaseline(path, findings, LOCKS);
  return readBaseline(path);
}

// accountsLock → Ledger.lock is taken by transfer and closeAccount (the order the code follows),
// Ledger.lock → accountsLock by Ledger.reconcile alone (the inversion).
const CYCLE = withAllWitnesses(CYCLE_2);
const NEW_INVERSION = withFunction(CYCLE, ID.ledger, { holding: 'src/ledger.ts#Ledger.rebuild', acquiring: 'src/bank.ts#refreshBalances' });
const NEW_CONSISTENT = withFunction(CYCLE, ID.accounts, { holding: 'src/bank.ts#openAccount', acquiring: 'src/ledger.ts#Ledger.append' });

describe('baseline files', () => {
  test('written as version 2 with an entry per finding, sorted by fingerprint, pretty, with a trailing newline', () => {
    const path = join(dir, 'written.json');
    writeBaseline(path, FINDINGS, LOCKS);
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(formatBaseline(FINDINGS, LOCKS));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "version": 2,\n  "tool": "lockstep",\n');
    const data = JSON.parse(text) as { findings: { fingerprint: string }[] };
    const fingerprints = data.findings.map((entry) => entry.fingerprint);
    expect(fingerprints).toEqual([...fingerprints].sort());
    expect(data.findings.find((entry) => entry.fingerprint === CYCLE_3.fingerprint)).toEqual({
      fingerprint: CYCLE_3.fingerprint,
      kind: 'semaphore-cycle',
      locks: ['poolSlots', 'queueLock', `Worker.lock (${ID.worker})`],
      message: CYCLE_3.message,
      edges: [
        { from: 'poolSlots', to: 'queueLock', functions: [{ holding: 'src/jobs/pool.ts#Pool.run', acquiring: 'src/jobs/queue.ts#enqueue' }] },
        { from: 'queueLock', to: `Worker.lock (${ID.worker})`, functions: [{ holding: 'src/jobs/queue.ts#drain', acquiring: 'src/jobs/worker.ts#Worker.take' }] },
        { from: `Worker.lock (${ID.worker})`, to: 'poolSlots', functions: [{ holding: 'src/jobs/worker.ts#Worker.spawn', acquiring: 'src/jobs/pool.ts#Pool.run' }] },
      ],
    });
  });

  test('every function pair behind an edge is recorded, not only the shown witness', () => {
    const entry = (JSON.parse(formatBaseline([CYCLE], LOCKS)) as { findings: { edges: { from: string; functions: EdgeFunctions[] }[] }[] }).findings[0]!;
    expect(entry.edges).toEqual([
      {
        from: 'accountsLock',
        to: 'Ledger.lock',
        functions: [
          { holding: 'src/bank.ts#closeAccount', acquiring: 'src/ledger.ts#Ledger.append' },
          { holding: 'src/bank.ts#transfer', acquiring: 'src/ledger.ts#Ledger.append' },
        ],
      },
      { from: 'Ledger.lock', to: 'accountsLock', functions: [{ holding: 'src/ledger.ts#Ledger.reconcile', acquiring: 'src/bank.ts#refreshBalances' }] },
    ]);
  });

  test('findings sharing a fingerprint are one entry with the functions of both', () => {
    const other = withFunction(SELF, ID.cache, { holding: 'legacy/cache.js#refresh', acquiring: 'legacy/cache.js#reload' });
    const entries = (JSON.parse(formatBaseline([SELF, other], LOCKS)) as { findings: { edges: { functions: EdgeFunctions[] }[] }[] }).findings;
    expect(entries).toHaveLength(1);
    expect(entries[0]!.edges[0]!.functions.map((pair) => pair.acquiring)).toEqual(['legacy/cache.js#load', 'legacy/cache.js#reload']);
  });

  test('the same findings in another order give the same file; duplicates are written once', () => {
    expect(formatBaseline([...FINDINGS].reverse(), LOCKS)).toBe(formatBaseline(FINDINGS, LOCKS));
    expect(formatBaseline([SELF, SELF], LOCKS).split(SELF.fingerprint)).toHaveLength(2);
  });

  test('read back as the set of fingerprints, accepting every finding it was written from', () => {
    const path = join(dir, 'round-trip.json');
    writeBaseline(path, FINDINGS, LOCKS);
    const baseline = readBaseline(path);
    expect(baseline).toBeInstanceOf(Baseline);
    expect(baseline.version).toBe(2);
    expect(new Set(baseline)).toEqual(new Set(FINDINGS.map((f) => f.fingerprint)));
    expect(applyBaseline(FINDINGS, baseline)).toEqual({ reported: [], baselined: FINDINGS.map((f) => f.fingerprint).sort() });
    expect(new Set(readBaseline(file('{ "version": 2, "tool": "lockstep", "findings": [] }')))).toEqual(new Set());
  });

  test('hand-edited notes do not matter, only fingerprints and recorded functions', () => {
    const entry = JSON.parse(formatBaseline([CYCLE], LOCKS)) as { findings: Record<string, unknown>[] };
    const edited = entry.findings.map((finding) => ({
      ...finding,
      kind: 'semaphore-cycle',
      locks: ['renamed'],
      message: 'accepted, see ticket 42',
      edges: (finding.edges as { functions: unknown }[]).map((edge) => ({ from: 'x', to: 'y', functions: edge.functions })),
    }));
    const baseline = readBaseline(file(JSON.stringify({ ...entry, findings: edited })));
    expect(applyBaseline([CYCLE], baseline).reported).toEqual([]);
  });

  test('applying a plain set of fingerprints matches fingerprints alone', () => {
    const { reported, baselined } = applyBaseline(FINDINGS, new Set([SELF.fingerprint, CYCLE_2.fingerprint, 'stale']));
    expect(reported).toEqual([CYCLE_3]);
    expect(baselined).toEqual([SELF.fingerprint, CYCLE_2.fingerprint].sort());
    expect(applyBaseline(FINDINGS, new Set())).toEqual({ reported: [...FINDINGS], baselined: [] });
  });

  test('a new function closing the same cycle along the inversion brings the finding back', () => {
    const baseline = recorded(CYCLE);
    expect(NEW_INVERSION.fingerprint).toBe(CYCLE.fingerprint);
    expect(applyBaseline([NEW_INVERSION], baseline)).toEqual({ reported: [NEW_INVERSION], baselined: [] });
  });

  test('a new function taking the locks in the consistent order keeps the finding baselined', () => {
    const baseline = recorded(CYCLE);
    expect(applyBaseline([NEW_CONSISTENT], baseline)).toEqual({ reported: [], baselined: [CYCLE.fingerprint] });
    // Nor does the new function becoming the shown witness matter.
    const shown = { ...NEW_CONSISTENT, steps: NEW_CONSISTENT.steps.map((step, i) => (i === 0 ? { ...step, witness: { ...step.witness, held: { ...step.witness.held, function: 'openAccount' } } } : step)) };
    expect(applyBaseline([shown], baseline).reported).toEqual([]);
  });

  test('a function gone from an edge changes nothing; the inverting edges are those of the baseline', () => {
    const baseline = recorded(CYCLE);
    expect(applyBaseline([CYCLE_2], baseline).reported).toEqual([]);
    // transfer is gone: each edge now has one function, but the baseline still knows which is the order.
    const fewer = { ...CYCLE, steps: CYCLE.steps.map((step, i) => (i === 0 ? { ...step, functions: step.functions!.slice(0, 1) } : step)) };
    expect(applyBaseline([withFunction(fewer, ID.accounts, { holding: 'src/bank.ts#openAccount', acquiring: 'src/ledger.ts#Ledger.append' })], baseline).reported).toEqual([]);
  });

  test('when each edge has as many functions, the declaration order is the intended one: only a new function against it comes back', () => {
    // One function each way: no majority, so the lock declared first (here by id: src/bank.ts before
    // src/ledger.ts) is taken first in the intended order.
    const baseline = recorded(CYCLE_2);
    const along = withFunction(CYCLE_2, ID.accounts, { holding: 'src/bank.ts#openAccount', acquiring: 'src/ledger.ts#Ledger.append' });
    const against = withFunction(CYCLE_2, ID.ledger, { holding: 'src/ledger.ts#Ledger.rebuild', acquiring: 'src/bank.ts#refreshBalances' });
    expect(applyBaseline([along, against], baseline).reported).toEqual([against]);
    // Declaration sites, when given, decide over ids: ledger declared first makes accounts → ledger the inversion.
    const at = (line: number) => ({ file: 'src/a.ts', line, column: 1, endLine: line, endColumn: 9, snippet: 'new Mutex()' });
    const declared = new Map<string, LockInfo>(LOCKS.map((lock) => [lock.id, { ...lock, declaredAt: at(lock.id === ID.ledger ? 1 : 2) }]));
    expect(applyBaseline([along, against], baseline, declared).reported).toEqual([along]);
  });

  test('a self-deadlock comes back when a new function pair is behind it; another kind or lock set is new', () => {
    const baseline = recorded(SELF, CYCLE);
    const deeper = withFunction(SELF, ID.cache, { holding: 'legacy/cache.js#refresh', acquiring: 'legacy/cache.js#reload' });
    expect(applyBaseline([deeper], baseline).reported).toEqual([deeper]);
    const semaphore = { ...CYCLE, kind: 'semaphore-cycle' as const, fingerprint: 'f'.repeat(32) };
    expect(applyBaseline([semaphore], baseline).reported).toEqual([semaphore]);
  });

  test('an entry whose edges do not match the finding step for step does not accept it', () => {
    const [entry] = (JSON.parse(formatBaseline([CYCLE], LOCKS)) as { findings: { edges: unknown[] }[] }).findings;
    const baseline = readBaseline(file(JSON.stringify({ version: 2, tool: 'lockstep', findings: [{ ...entry, edges: entry!.edges.slice(0, 1) }] })));
    expect(applyBaseline([CYCLE], baseline).reported).toEqual([CYCLE]);
  });

  test('a version-1 file is still read and matched by the first scheme\'s fingerprints alone', () => {
    // Written by the previous release for the sample's two-lock cycle and self-deadlock.
    const v1 = { version: 1, tool: 'lockstep', findings: [{ fingerprint: '2a180cbf0460ed6a1bf92de3ed1ba1e1' }, { fingerprint: '0924780871fdb5b15d4281033175f883', kind: 'self-deadlock' }] };
    const baseline = readBaseline(file(JSON.stringify(v1)));
    expect(baseline.version).toBe(1);
    expect(applyBaseline(FINDINGS, baseline)).toEqual({ reported: [CYCLE_3], baselined: [CYCLE_2.fingerprint, SELF.fingerprint].sort() });
    // As before, it does not see the functions behind the edges.
    expect(applyBaseline([NEW_INVERSION], baseline).reported).toEqual([]);
    expect(applyBaseline([CYCLE_2], readBaseline(file('{ "version": 1, "tool": "lockstep", "findings": [] }'))).reported).toEqual([CYCLE_2]);
  });

  test('a missing file is a BaselineError naming it', () => {
    const path = join(dir, 'nowhere.json');
    const error = thrown(() => readBaseline(path));
    expect(error.name).toBe('BaselineError');
    expect(error.file).toBe(path);
    expect(error.message).toBe(`Baseline file not found: ${path}`);
  });

  test('invalid JSON is a BaselineError naming the file', () => {
    const path = file('{ "version": 1, ');
    expect(thrown(() => readBaseline(path)).message).toMatch(new RegExp(`^Baseline file ${path} is not valid JSON: `));
  });

  test.each([
    ['[]', 'expected a JSON object'],
    ['{ "version": 1, "tool": "eslint", "findings": [] }', 'expected "tool": "lockstep"'],
    ['{ "version": 3, "tool": "lockstep", "findings": [] }', 'unsupported "version" 3 (expected 1 or 2)'],
    ['{ "tool": "lockstep", "findings": [] }', 'unsupported "version" undefined (expected 1 or 2)'],
    ['{ "version": 2, "tool": "lockstep", "findings": [{ "fingerprint": "a" }] }', 'findings[0].edges must be a non-empty array (re-run with --update-baseline to rewrite the file)'],
    ['{ "version": 2, "tool": "lockstep", "findings": [{ "fingerprint": "a", "edges": [[]] }] }', 'findings[0].edges[0] is not an object'],
    ['{ "version": 2, "tool": "lockstep", "findings": [{ "fingerprint": "a", "edges": [{}] }] }', 'findings[0].edges[0].functions must be an array'],
    [
      '{ "version": 2, "tool": "lockstep", "findings": [{ "fingerprint": "a", "edges": [{ "functions": ["f"] }] }] }',
      'findings[0].edges[0].functions must hold { "holding": string, "acquiring": string } objects',
    ],
    ['{ "version": 1, "tool": "lockstep", "findings": {} }', 'expected "findings" to be an array'],
    ['{ "version": 1, "tool": "lockstep", "findings": ["abc"] }', 'findings[0] is not an object'],
    ['{ "version": 1, "tool": "lockstep", "findings": [{ "fingerprint": "a" }, { "kind": "self-deadlock" }] }', 'findings[1].fingerprint must be a non-empty string'],
    ['{ "version": 1, "tool": "lockstep", "findings": [{ "fingerprint": "a", "kind": "race" }] }', 'findings[0].kind is not a finding kind'],
    ['{ "version": 1, "tool": "lockstep", "findings": [{ "fingerprint": "a", "locks": "a" }] }', 'findings[0].locks must be an array of strings'],
  ])('wrong shape %s is a BaselineError saying what is wrong', (content, problem) => {
    const path = file(content);
    const error = thrown(() => readBaseline(path));
    expect(error.message).toBe(`Baseline file ${path} is not a lockstep baseline: ${problem}`);
    expect(error.file).toBe(path);
  });

  test('a file that cannot be written is a BaselineError naming it', () => {
    const path = join(dir, 'no-such-dir', 'baseline.json');
    const error = thrown(() => writeBaseline(path, FINDINGS, LOCKS));
    expect(error.message).toMatch(new RegExp(`^Cannot write baseline file ${path}: `));
    expect(error.cause).toBeInstanceOf(Error);
  });

  test('lock names in entries fall back to the id for locks the list does not know', () => {
    const entry = (JSON.parse(formatBaseline([CYCLE_2], [])) as { findings: { locks: string[] }[] }).findings[0];
    expect(entry?.locks).toEqual([ID.accounts, ID.ledger]);
  });
});
