/**
 * Fingerprints: the identity of a finding that baselines and SARIF `partialFingerprints` match on, so
 * that a finding a team has accepted stays accepted while the code around it moves.
 */
import { createHash } from 'node:crypto';
import type { FindingKind, FindingStep } from '../graph/finding.js';
import type { LockInfo } from '../model/lock-info.js';

/**
 * Version tag hashed into every fingerprint: bump it (and the SARIF `partialFingerprints` key) when the
 * hashed content changes, since old baselines then no longer match.
 */
const FINGERPRINT_VERSION = 'lockstep-fingerprint/v1';

/**
 * Rotates a cycle's steps to start at the step leaving the smallest lock id, the same canonical rotation
 * as `Finding.locks`, so that the order in which the search happened to walk the cycle does not
 * matter.
 */
function canonicalRotation(steps: readonly FindingStep[]): readonly FindingStep[] {
  let start = 0;
  steps.forEach((step, index) => {
    const best = steps[start];
    if (best !== undefined && step.from < best.from) start = index;
  });
  return [...steps.slice(start), ...steps.slice(0, start)];
}

/**
 * A stable identity for a finding: 32 hex digits of a SHA-256.
 *
 * What goes in: the kind; the cycle's lock ids in canonical rotation (starting at the smallest id); and
 * for each step, the function holding the first lock, the function taking the second, and the callee of
 * every call in between.
 *
 * What changes it: a different kind (a lock turned into a semaphore), a different set or order of locks,
 * renaming or moving a lock's declaration (its id holds the file path and name), renaming a function on
 * a witness or one called on the way, and the analysis choosing another witness for a step (one with a
 * shorter call chain appearing elsewhere).
 *
 * What does not: lines and columns, snippets, formatting, edits elsewhere in the files, the number of
 * witnesses, and lock names or flavours as displayed (`locks` is accepted so call sites can hand over
 * what they have, but ids already name the locks, and a lock's display name changes with refactors that
 * leave the deadlock as it was).
 */
export function fingerprintFinding(
  kind: FindingKind,
  steps: readonly FindingStep[],
  _locks?: readonly LockInfo[] | ReadonlyMap<string, LockInfo>,
): string {
  const rotated = canonicalRotation(steps);
  // JSON keeps the parts unambiguous: no separator inside a function name can make two inputs collide.
  const material = JSON.stringify([
    FINGERPRINT_VERSION,
    kind,
    rotated.map((step) => step.from),
    rotated.map((step) => [
      step.from,
      step.to,
      step.witness.held.function,
      step.witness.acquired.function,
      step.witness.acquired.callChain.map((call) => call.callee),
    ]),
  ]);
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}
