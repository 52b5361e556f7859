/**
 * Builds reports from what the validator saw: the kind (a cycle through a counting semaphore is
 * `lockstep`'s `semaphore-cycle`), the canonical rotation, the fingerprint and the message, worded as
 * `lockstep` words its findings.
 */
import { canonicalRotation, fingerprintLockFinding } from './fingerprint.js';
import type { LockClass } from './lock-records.js';
import type { OrderEdge } from './order-graph.js';
import type { LockValidationKind, LockValidationReport, LockValidationStep, ValidatedLock, ValidationSite } from './report.js';
import type { WaitingThread } from './shared-order-graph.js';
import { describeContext, functionIdOf, unrecordedSite } from './sites.js';

/** What an order graph edge keeps: the sites of the first time that order was taken. */
export interface SeenOrder {
  readonly held: ValidationSite | undefined;
  readonly acquired: ValidationSite;
}

/** A lock class as reports name it. */
export function lockInfo(lockClass: LockClass): ValidatedLock {
  return {
    id: lockClass.id,
    name: lockClass.name,
    kind: lockClass.kind,
    ...(lockClass.count === undefined ? {} : { count: lockClass.count }),
    ...(lockClass.declaredAt === undefined ? {} : { declaredAt: lockClass.declaredAt }),
  };
}

function isCounting(lockClass: LockClass): boolean {
  return (lockClass.kind === 'Semaphore' || lockClass.kind === 'BoundedSemaphore') && lockClass.count !== 1;
}

/** A cycle of the order graph (its edges, each `from` the previous `to`) as a report. */
export function cycleReport(cycle: readonly OrderEdge<SeenOrder>[], thrown: boolean): LockValidationReport {
  const edges = canonicalRotation(cycle, (edge) => edge.from.id);
  const classes = edges.map((edge) => edge.from);
  const counting = classes.filter(isCounting);
  const kind: LockValidationKind = counting.length > 0 ? 'semaphore-cycle' : 'lock-order-cycle';
  const names = classes.map((lockClass) => lockClass.name);
  const chainText = [...names, names[0] ?? ''].join(' → ');
  const message =
    kind === 'lock-order-cycle'
      ? `Possible deadlock: ${chainText}. Each lock is taken while the previous one is held; ${classes.length} contexts taking them in these orders at once wait for each other forever.`
      : `Possible deadlock once the permits run out: ${chainText}. ${counting
          .map((lockClass) => `${lockClass.name} (${lockClass.count === undefined ? 'count unknown' : `${lockClass.count} permits`})`)
          .join(', ')} deadlocks when enough contexts hold its permits while waiting along this cycle.`;
  const locks = classes.map((lockClass) => lockClass.id);
  const steps: LockValidationStep[] = edges.map((edge) => ({
    from: edge.from.id,
    to: edge.to.id,
    ...(edge.seen.held === undefined ? {} : { held: edge.seen.held }),
    acquired: edge.seen.acquired,
  }));
  return { kind, fingerprint: fingerprintLockFinding(kind, locks), locks, steps, message, lockInfo: classes.map(lockInfo), thrown };
}

/**
 * A finding about one lock class: `held` is where the context took it first (when recorded),
 * `acquired` the acquisition (or release) that broke the rule; `fixFunction` (`file#name`) goes into
 * the fingerprint, as the function where the fix goes does in `lockstep`'s.
 */
export function singleLockReport(
  kind: 'self-deadlock' | 'recursive-locking' | 'release-not-held',
  lockClass: LockClass,
  held: ValidationSite | undefined,
  acquired: ValidationSite,
  fixFunction: string,
  thrown: boolean,
): LockValidationReport {
  const name = lockClass.name;
  const where = held?.location === undefined ? '' : ` (taken at ${held.location.file}:${held.location.line}:${held.location.column})`;
  const message =
    kind === 'self-deadlock'
      ? `${name} is acquired again by the context that already holds it${where}; a non-reentrant lock waits for itself forever.`
      : kind === 'recursive-locking'
        ? `Another ${name} is taken while ${describeContext(acquired.context)} holds one${where}; two contexts nesting two instances in opposite orders wait for each other forever, unless the nesting follows an order.`
        : `${name} is released by ${describeContext(acquired.context)}, which does not hold it${held === undefined ? '' : `: ${describeContext(held.context)} took it${where}`}.`;
  const step: LockValidationStep = { from: lockClass.id, to: lockClass.id, ...(held === undefined ? {} : { held }), acquired };
  return {
    kind,
    fingerprint: fingerprintLockFinding(kind, [lockClass.id], fixFunction),
    locks: [lockClass.id],
    steps: [step],
    message,
    lockInfo: [lockInfo(lockClass)],
    thrown,
  };
}

/**
 * A lock still held past the watchdog's limit: `taken` is where it was taken (a site without a
 * location when its stack was not recorded).
 */
export function heldTooLongReport(lockClass: LockClass, taken: ValidationSite, limitMs: number): LockValidationReport {
  const name = lockClass.name;
  const where = taken.location === undefined ? '' : ` (taken at ${taken.location.file}:${taken.location.line}:${taken.location.column})`;
  const limit = limitMs >= 1000 ? `${limitMs / 1000} s` : `${limitMs} ms`;
  const message = `${name} has been held for more than ${limit} by ${describeContext(taken.context)}${where}; every other context that needs it waits meanwhile: a slow await or a hung call while holding it, or a path that never releases it.`;
  return {
    kind: 'held-too-long',
    fingerprint: fingerprintLockFinding('held-too-long', [lockClass.id], functionIdOf(taken)),
    locks: [lockClass.id],
    steps: [{ from: lockClass.id, to: lockClass.id, acquired: taken }],
    message,
    lockInfo: [lockInfo(lockClass)],
    thrown: false,
  };
}

/**
 * A deadlock happening now: `parties[0]` is this thread, about to block on `parties[0].waitsFor` at
 * `here`; each party waits for a class the next one holds, the last for one this thread holds (taken
 * at `heldHere`, when recorded). The fingerprint is the lock-order cycle's on the same classes, the
 * finding `lockstep` gives the order that made it possible.
 */
export function deadlockReport(parties: readonly WaitingThread[], here: ValidationSite, heldHere: ValidationSite | undefined, thrown: boolean): LockValidationReport {
  const count = parties.length;
  const steps = parties.map((party, index): LockValidationStep => {
    const holds = parties[(index + count - 1) % count]!.waitsFor;
    const acquired: ValidationSite =
      index === 0 ? here : (party.site ?? unrecordedSite(party.waitsFor.id, '(blocked)', { thread: party.thread, asyncContext: party.asyncContext ?? 0 }));
    return { from: holds.id, to: party.waitsFor.id, ...(index === 0 && heldHere !== undefined ? { held: heldHere } : {}), acquired };
  });
  const rotated = canonicalRotation(steps, (step) => step.from);
  const locks = rotated.map((step) => step.from);
  const classes = new Map(parties.map((party) => [party.waitsFor.id, party.waitsFor]));
  const who = (party: WaitingThread): string =>
    `${party.asyncContext === undefined ? '' : `async context #${party.asyncContext} of `}thread ${party.thread.ident} ${JSON.stringify(party.thread.name)}`;
  const chain = parties.map((party, index) => `${who(party)} waits for ${party.waitsFor.name}, held by ${who(parties[(index + 1) % count]!)}`).join('; ');
  return {
    kind: 'deadlock',
    fingerprint: fingerprintLockFinding('lock-order-cycle', locks),
    locks,
    steps: rotated,
    message: `Deadlock now: ${chain}. Each is blocked until the next gives its lock back, so none ever goes on.`,
    lockInfo: locks.map((id) => lockInfo(classes.get(id)!)),
    thrown,
  };
}
