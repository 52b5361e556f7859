/**
 * Fingerprints: the identity of a finding that baselines and SARIF `partialFingerprints` match on, so
 * that a finding a team has accepted stays accepted while the code around it moves.
 *
 * The identity is the deadlock, not the evidence shown for it: which witness represents an edge depends
 * on every other function taking the same locks (the shortest call chain wins), so hashing the shown
 * witness made a harmless new function re-open an accepted finding. What a baseline must notice beyond
 * the identity (a new function closing the same cycle) it checks against the functions it records per
 * edge (see baseline.ts), not through the fingerprint.
 */
import { createHash } from 'node:crypto';
import { fixSite } from '../graph/find-findings.js';
import { isSingleLockKind, type FindingKind, type FindingStep } from '../graph/finding.js';
import type { LockInfo } from '../model/lock-info.js';

/**
 * Version tag hashed into every fingerprint: bump it (and the SARIF `partialFingerprints` key) when the
 * hashed content changes, since old baselines then no longer match.
 */
const FINGERPRINT_VERSION = 'lockstep-fingerprint/v2';

/** The tag of the first scheme, which also hashed the shown witnesses; kept to read version-1 baselines. */
const FINGERPRINT_VERSION_1 = 'lockstep-fingerprint/v1';

/**
 * Rotates a cycle's steps to start at the step leaving the smallest lock id, the same canonical rotation
 * as `Finding.locks`, so that the order in which the search happened to walk the cycle does not
 * matter. Baselines record edges in this order.
 */
export function canonicalSteps(steps: readonly FindingStep[]): readonly FindingStep[] {
  let start = 0;
  steps.forEach((step, index) => {
    const best = steps[start];
    if (best !== undefined && step.from < best.from) start = index;
  });
  return [...steps.slice(start), ...steps.slice(0, start)];
}

/**
 * The function a single-lock finding's fix goes in, as `file#name`: the holder making the call that
 * leads to the second acquisition, else the function acquiring again. The graph layer reports one such
 * finding per fix site, so without it two self-deadlocks of one lock would share an identity.
 */
function fixFunction(step: FindingStep): string {
  const { acquired } = step.witness;
  return `${fixSite(step.witness).file}#${acquired.callChain[0]?.caller ?? acquired.function}`;
}

function digest(material: unknown): string {
  // JSON keeps the parts unambiguous: no separator inside an id or a name can make two inputs collide.
  return createHash('sha256').update(JSON.stringify(material)).digest('hex').slice(0, 32);
}

/**
 * A stable identity for a finding: 32 hex digits of a SHA-256.
 *
 * What goes in: the kind and the cycle's lock ids in canonical rotation (starting at the smallest id);
 * for a self-deadlock or recursive locking, whose one lock does not tell two of them apart, also the
 * function where the fix goes (`file#name`).
 *
 * What changes it: a different kind (a lock turned into a semaphore), a different set or order of locks
 * (a lock added to the cycle), renaming or moving a lock's declaration (its id holds the file path and
 * name); for a single-lock kind, renaming or moving the function the fix goes in.
 *
 * What does not: lines and columns, snippets, formatting, edits elsewhere in the files, which witness
 * is shown for a step and how many there are, the functions on a cycle's edges (a baseline checks those
 * itself), and lock names or flavours as displayed (`locks` is accepted so call sites can hand over
 * what they have, but ids already name the locks).
 */
export function fingerprintFinding(
  kind: FindingKind,
  steps: readonly FindingStep[],
  _locks?: readonly LockInfo[] | ReadonlyMap<string, LockInfo>,
): string {
  const rotated = canonicalSteps(steps);
  const first = rotated[0];
  const fix = isSingleLockKind(kind) && first !== undefined ? [fixFunction(first)] : [];
  return digest([FINGERPRINT_VERSION, kind, rotated.map((step) => step.from), ...fix]);
}

/**
 * The fingerprint the first scheme gave this finding: the kind, the lock ids and, per step, the shown
 * witness's holding and acquiring functions and the callees between them. Only for matching a
 * version-1 baseline file, whose entries hold these.
 */
export function fingerprintFindingV1(kind: FindingKind, steps: readonly FindingStep[]): string {
  const rotated = canonicalSteps(steps);
  return digest([
    FINGERPRINT_VERSION_1,
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
}
