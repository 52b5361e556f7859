import { describe, expect, test } from 'vitest';
import { fingerprintFinding, fingerprintFindingV1 } from '../../src/report/fingerprint.js';
import type { Acquisition, FindingStep, SourceLocation } from '../../src/report/report-model.js';
import { CYCLE_2, CYCLE_3, ID, LOCKS, SELF } from './sample-report.js';

const moved = (location: SourceLocation, lines: number): SourceLocation => ({
  ...location,
  line: location.line + lines,
  endLine: location.endLine + lines,
  column: location.column + 4,
  endColumn: location.endColumn + 4,
  snippet: `    ${location.snippet} // reformatted`,
});

/** The same steps after an edit that shifted every line and column and touched every snippet. */
function shifted(steps: readonly FindingStep[]): FindingStep[] {
  const acquisition = (a: Acquisition): Acquisition => ({
    ...a,
    location: moved(a.location, 7),
    callChain: a.callChain.map((call) => ({ ...call, location: moved(call.location, 3) })),
  });
  return steps.map((step) => ({ ...step, witnessCount: step.witnessCount + 5, witness: { ...step.witness, held: acquisition(step.witness.held), acquired: acquisition(step.witness.acquired) } }));
}

function withAcquired(steps: readonly FindingStep[], index: number, change: Partial<Acquisition>): FindingStep[] {
  return steps.map((step, i) => (i === index ? { ...step, witness: { ...step.witness, acquired: { ...step.witness.acquired, ...change } } } : step));
}

describe('fingerprintFinding', () => {
  test('32 lowercase hex digits, the same on every call', () => {
    const fingerprint = fingerprintFinding(CYCLE_2.kind, CYCLE_2.steps, LOCKS);
    expect(fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprintFinding(CYCLE_2.kind, CYCLE_2.steps, LOCKS)).toBe(fingerprint);
    expect(fingerprintFinding(CYCLE_2.kind, CYCLE_2.steps)).toBe(fingerprint);
    expect(fingerprintFinding(CYCLE_2.kind, CYCLE_2.steps, new Map(LOCKS.map((lock) => [lock.id, lock])))).toBe(fingerprint);
  });

  test('survives line and column shifts, snippet edits and new witnesses', () => {
    for (const finding of [CYCLE_2, CYCLE_3, SELF]) {
      expect(fingerprintFinding(finding.kind, shifted(finding.steps), LOCKS)).toBe(finding.fingerprint);
    }
  });

  test('the same cycle walked from another lock is the same finding', () => {
    const [first, ...rest] = CYCLE_3.steps;
    expect(fingerprintFinding(CYCLE_3.kind, [...rest, first!], LOCKS)).toBe(CYCLE_3.fingerprint);
  });

  test('differs between findings', () => {
    expect(new Set([CYCLE_2, CYCLE_3, SELF].map((f) => f.fingerprint)).size).toBe(3);
  });

  test('changes with the kind', () => {
    expect(fingerprintFinding('semaphore-cycle', CYCLE_2.steps, LOCKS)).not.toBe(CYCLE_2.fingerprint);
  });

  test('changes with the lock set', () => {
    const renamed = 'src/bank.ts#accountLock';
    const steps = CYCLE_2.steps.map((step) => ({ ...step, from: step.from === ID.accounts ? renamed : step.from, to: step.to === ID.accounts ? renamed : step.to }));
    expect(fingerprintFinding(CYCLE_2.kind, steps, LOCKS)).not.toBe(CYCLE_2.fingerprint);
  });

  test('does not change with the witness shown for a step: its functions, its calls or its length', () => {
    // A new function taking the same locks with a shorter chain becomes the shown witness; the
    // deadlock is the same one, and whether the new function matters is the baseline's question.
    const steps = CYCLE_2.steps;
    const renamedHolder = steps.map((step, i) => (i === 0 ? { ...step, witness: { ...step.witness, held: { ...step.witness.held, function: 'transferFunds' } } } : step));
    expect(fingerprintFinding(CYCLE_2.kind, renamedHolder, LOCKS)).toBe(CYCLE_2.fingerprint);
    expect(fingerprintFinding(CYCLE_2.kind, withAcquired(steps, 1, { function: 'refreshAll' }), LOCKS)).toBe(CYCLE_2.fingerprint);
    const chain = steps[0]!.witness.acquired.callChain;
    const otherCallee = withAcquired(steps, 0, { callChain: [chain[0]!, { ...chain[1]!, callee: 'Ledger.write' }] });
    expect(fingerprintFinding(CYCLE_2.kind, otherCallee, LOCKS)).toBe(CYCLE_2.fingerprint);
    const shorterChain = withAcquired(steps, 0, { callChain: chain.slice(1) });
    expect(fingerprintFinding(CYCLE_2.kind, shorterChain, LOCKS)).toBe(CYCLE_2.fingerprint);
    const moreFunctions = steps.map((step) => ({ ...step, functions: [{ holding: 'src/x.ts#x', acquiring: 'src/x.ts#x' }] }));
    expect(fingerprintFinding(CYCLE_2.kind, moreFunctions, LOCKS)).toBe(CYCLE_2.fingerprint);
  });

  test('the same locks in another cyclic order are another finding', () => {
    const [a, b, c] = CYCLE_3.steps;
    const reversed = [
      { ...a!, from: a!.from, to: c!.from },
      { ...c!, from: c!.from, to: b!.from },
      { ...b!, from: b!.from, to: a!.from },
    ];
    expect(fingerprintFinding(CYCLE_3.kind, reversed, LOCKS)).not.toBe(CYCLE_3.fingerprint);
  });

  test('a single-lock finding changes with the function where the fix goes, not with the functions below it', () => {
    const [step] = SELF.steps;
    const held = { ...step!.witness.held, function: 'refreshAll' };
    const chain = step!.witness.acquired.callChain.map((call) => ({ ...call, caller: 'refreshAll' }));
    const otherHolder = [{ ...step!, witness: { ...step!.witness, held, acquired: { ...step!.witness.acquired, callChain: chain } } }];
    expect(fingerprintFinding(SELF.kind, otherHolder, LOCKS)).not.toBe(SELF.fingerprint);
    expect(fingerprintFinding(SELF.kind, withAcquired(SELF.steps, 0, { function: 'loadAll' }), LOCKS)).toBe(SELF.fingerprint);
  });

  test('the first scheme is kept, unchanged, for version-1 baselines', () => {
    // What lockstep wrote into version-1 baselines for these findings before the scheme changed.
    expect(fingerprintFindingV1(CYCLE_2.kind, CYCLE_2.steps)).toBe('2a180cbf0460ed6a1bf92de3ed1ba1e1');
    expect(fingerprintFindingV1(CYCLE_3.kind, CYCLE_3.steps)).toBe('76b4fd764258a6ecfe8ccff527f06a00');
    expect(fingerprintFindingV1(SELF.kind, SELF.steps)).toBe('0924780871fdb5b15d4281033175f883');
    expect(fingerprintFindingV1(CYCLE_2.kind, withAcquired(CYCLE_2.steps, 1, { function: 'refreshAll' }))).not.toBe('2a180cbf0460ed6a1bf92de3ed1ba1e1');
    expect(fingerprintFindingV1(CYCLE_2.kind, CYCLE_2.steps)).not.toBe(CYCLE_2.fingerprint);
  });
});
