import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { applyBaseline, BaselineError, formatBaseline, readBaseline, writeBaseline } from '../../src/report/baseline.js';
import { CYCLE_2, CYCLE_3, FINDINGS, ID, LOCKS, SELF } from './sample-report.js';

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

describe('baseline files', () => {
  test('written as version 1 with an entry per finding, sorted by fingerprint, pretty, with a trailing newline', () => {
    const path = join(dir, 'written.json');
    writeBaseline(path, FINDINGS, LOCKS);
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(formatBaseline(FINDINGS, LOCKS));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "version": 1,\n  "tool": "lockstep",\n');
    const data = JSON.parse(text) as { findings: { fingerprint: string }[] };
    const fingerprints = data.findings.map((entry) => entry.fingerprint);
    expect(fingerprints).toEqual([...fingerprints].sort());
    expect(data.findings.find((entry) => entry.fingerprint === CYCLE_3.fingerprint)).toEqual({
      fingerprint: CYCLE_3.fingerprint,
      kind: 'semaphore-cycle',
      locks: ['poolSlots', 'queueLock', `Worker.lock (${ID.worker})`],
      message: CYCLE_3.message,
    });
  });

  test('the same findings in another order give the same file; duplicates are written once', () => {
    expect(formatBaseline([...FINDINGS].reverse(), LOCKS)).toBe(formatBaseline(FINDINGS, LOCKS));
    expect(formatBaseline([SELF, SELF], LOCKS).split(SELF.fingerprint)).toHaveLength(2);
  });

  test('read back as the set of fingerprints', () => {
    const path = join(dir, 'round-trip.json');
    writeBaseline(path, FINDINGS, LOCKS);
    expect(readBaseline(path)).toEqual(new Set(FINDINGS.map((f) => f.fingerprint)));
    expect(readBaseline(file('{ "version": 1, "tool": "lockstep", "findings": [] }'))).toEqual(new Set());
  });

  test('hand-edited notes do not matter, only fingerprints', () => {
    const path = file(JSON.stringify({ version: 1, tool: 'lockstep', findings: [{ fingerprint: 'abc', message: 'accepted, see ticket 42' }] }));
    expect(readBaseline(path)).toEqual(new Set(['abc']));
  });

  test('applying one reports what it does not hold and lists what it suppressed', () => {
    const { reported, baselined } = applyBaseline(FINDINGS, new Set([SELF.fingerprint, CYCLE_2.fingerprint, 'stale']));
    expect(reported).toEqual([CYCLE_3]);
    expect(baselined).toEqual([SELF.fingerprint, CYCLE_2.fingerprint].sort());
    expect(applyBaseline(FINDINGS, new Set())).toEqual({ reported: [...FINDINGS], baselined: [] });
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
    ['{ "version": 2, "tool": "lockstep", "findings": [] }', 'unsupported "version" 2 (expected 1)'],
    ['{ "tool": "lockstep", "findings": [] }', 'unsupported "version" undefined (expected 1)'],
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
