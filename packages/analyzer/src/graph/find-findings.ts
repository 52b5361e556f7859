/**
 * From the lock-order graph to findings: the shortest witness cycle of each strongly connected
 * component (and another for each lock of the component that cycle does not cover), leaving out cycles every edge of which is taken while one common "gate" lock is held (that lock
 * serialises them: no deadlock, the false positive go-deadlock is known for); self-deadlocks and
 * nested instances of one lock class (recursive locking) as their own kinds, one per place the fix
 * goes; cycles through a counting semaphore as theirs.
 */
import type { EdgeWitness } from '../analysis/lock-order-witness.js';
import type { SourceLocation } from '../model/source-location.js';
import { edgeFunctions, type Finding, type FindingKind, type FindingStep, type GatedCycle } from './finding.js';
import type { LockInfo } from '../model/lock-info.js';
import { canonicalRotation, shortestCycleThrough, stronglyConnectedComponents } from './cycles.js';
import type { LockOrderEdge, LockOrderGraph } from '../analysis/lock-order-graph.js';

export type Fingerprinter = (kind: FindingKind, locks: readonly string[], steps: readonly FindingStep[]) => string;

export interface FindingsResult {
  readonly findings: Finding[];
  readonly gatedCycles: GatedCycle[];
}

export function findFindings(graph: LockOrderGraph, locks: ReadonlyMap<string, LockInfo>, fingerprint: Fingerprinter): FindingsResult {
  const findings: Finding[] = [];
  const gatedCycles: GatedCycle[] = [];
  const successors = (node: string) => graph.successors(node);

  for (const component of stronglyConnectedComponents(graph.nodes(), successors)) {
    const members = new Set(component);
    const candidates = new Map<string, string[]>();
    for (const node of component) {
      const cycle = shortestCycleThrough(node, members, successors);
      if (cycle !== undefined) candidates.set(canonicalRotation(cycle).join('\u0000'), canonicalRotation(cycle));
    }
    const open: { cycle: string[]; steps: FindingStep[] }[] = [];
    for (const cycle of candidates.values()) {
      const steps = stepsOf(cycle, graph);
      const gates = commonGates(cycle, steps, graph);
      if (gates.length > 0) gatedCycles.push({ locks: cycle, gates });
      else open.push({ cycle, steps });
    }
    // The component's shortest cycle, then one more for each lock no reported cycle goes through yet:
    // two inversions that happen to share a lock stay two findings (and a baseline holding one of them
    // cannot hide the other).
    open.sort((a, b) => a.cycle.length - b.cycle.length || (a.cycle.join() < b.cycle.join() ? -1 : 1));
    const covered = new Set<string>();
    for (const { cycle, steps } of open) {
      if (cycle.every((lock) => covered.has(lock))) continue;
      for (const lock of cycle) covered.add(lock);
      findings.push(cycleFinding(cycle, steps, locks, fingerprint));
    }
  }

  // One lock class, one step: a lock taken again by its holder, or a second instance taken while one is held.
  const singleLock: readonly [FindingKind, readonly LockOrderEdge[], (name: string, witness: EdgeWitness) => string][] = [
    ['self-deadlock', graph.selfDeadlocks(), selfDeadlockMessage],
    ['recursive-locking', graph.nestedInstances(), recursiveLockingMessage],
  ];
  for (const [kind, edges, message] of singleLock) {
    for (const edge of edges) {
      for (const witnesses of byFixSite(edge.witnesses)) {
        const steps: FindingStep[] = [{ from: edge.from, to: edge.to, witness: witnesses[0]!, witnessCount: witnesses.length, functions: edgeFunctions(witnesses) }];
        findings.push({
          kind,
          fingerprint: fingerprint(kind, [edge.from], steps),
          locks: [edge.from],
          steps,
          guessed: isGuessed([edge.from], steps, locks),
          message: message(locks.get(edge.from)?.name ?? edge.from, witnesses[0]!),
        });
      }
    }
  }

  findings.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  gatedCycles.sort((a, b) => (a.locks.join() < b.locks.join() ? -1 : 1));
  return { findings, gatedCycles };
}

function selfDeadlockMessage(name: string, witness: EdgeWitness): string {
  const held = witness.held.location;
  const again = fixSite(witness);
  const through = witness.acquired.callChain.length > 0 ? ' through the call' : '';
  return `${name} is acquired again${through} at ${again.file}:${again.line}:${again.column} while the same context already holds it (taken at ${held.file}:${held.line}:${held.column}); a non-reentrant lock waits for itself forever.`;
}

function recursiveLockingMessage(name: string, witness: EdgeWitness): string {
  const held = witness.held.location;
  const again = fixSite(witness);
  return `Possible recursive locking: ${name} is acquired at ${again.file}:${again.line}:${again.column} while the same context holds another instance of it (taken at ${held.file}:${held.line}:${held.column}); two contexts nesting two instances in opposite orders deadlock. Take them in one order (by a key or an id) and mark the nesting with a '// lockstep-ordered: <how>' comment.`;
}

/**
 * Witnesses grouped by where the fix goes: the call made while holding the lock, in the holding
 * function, when the second acquisition lies further down (the callee is innocent when called without
 * the lock); else the second acquisition itself. Each group is its own bug.
 */
function byFixSite(witnesses: readonly EdgeWitness[]): EdgeWitness[][] {
  const groups = new Map<string, EdgeWitness[]>();
  for (const witness of witnesses) {
    const location = fixSite(witness);
    const key = `${location.file}:${location.line}:${location.column}`;
    groups.set(key, [...(groups.get(key) ?? []), witness]);
  }
  return [...groups.values()];
}

/** The call made while holding the lock when there is one, else the second acquisition. */
export function fixSite(witness: EdgeWitness): SourceLocation {
  return witness.acquired.callChain[0]?.location ?? witness.acquired.location;
}

function stepsOf(cycle: readonly string[], graph: LockOrderGraph): FindingStep[] {
  return cycle.map((from, index) => {
    const to = cycle[(index + 1) % cycle.length]!;
    const edge = graph.edge(from, to)!;
    const witnesses = [...edge.witnesses];
    // The witness with the shortest chain and the fewest other locks held is the clearest to show.
    witnesses.sort((a, b) => chain(a) - chain(b) || a.alsoHeld.length - b.alsoHeld.length);
    return { from, to, witness: witnesses[0]!, witnessCount: witnesses.length, functions: edgeFunctions(witnesses) };
  });
}

/** Locks outside the cycle held by every witness of every edge of it. */
function commonGates(cycle: readonly string[], steps: readonly FindingStep[], graph: LockOrderGraph): string[] {
  let common: Set<string> | undefined;
  for (const step of steps) {
    const edge = graph.edge(step.from, step.to)!;
    for (const witness of edge.witnesses) {
      const held = new Set(witness.alsoHeld.filter((lock) => !cycle.includes(lock)));
      common = common === undefined ? held : new Set([...common].filter((lock) => held.has(lock)));
      if (common.size === 0) return [];
    }
  }
  return [...(common ?? [])].sort();
}

function cycleFinding(cycle: string[], steps: FindingStep[], locks: ReadonlyMap<string, LockInfo>, fingerprint: Fingerprinter): Finding {
  const counting = cycle.map((id) => locks.get(id)).filter((lock) => lock?.flavor === 'semaphore' && lock.count !== 1);
  const kind: FindingKind = counting.length > 0 ? 'semaphore-cycle' : 'lock-order-cycle';
  const names = cycle.map((id) => locks.get(id)?.name ?? id);
  const chainText = [...names, names[0]!].join(' → ');
  const message =
    kind === 'lock-order-cycle'
      ? `Possible deadlock: ${chainText}. Each lock is taken while the previous one is held; ${cycle.length} contexts taking them in these orders at once wait for each other forever.`
      : `Possible deadlock once the permits run out: ${chainText}. ${counting
          .map((lock) => `${lock!.name} (${lock!.count === undefined ? 'count unknown' : `${lock!.count} permits`})`)
          .join(', ')} deadlocks when enough contexts hold its permits while waiting along this cycle.`;
  return { kind, fingerprint: fingerprint(kind, cycle, steps), locks: cycle, steps, guessed: isGuessed(cycle, steps, locks), message };
}

function isGuessed(cycle: readonly string[], steps: readonly FindingStep[], locks: ReadonlyMap<string, LockInfo>): boolean {
  return (
    cycle.some((id) => locks.get(id)?.source === 'name-fallback') ||
    steps.some((step) => step.witness.held.guessed || step.witness.acquired.guessed)
  );
}

function chain(witness: EdgeWitness): number {
  return witness.held.callChain.length + witness.acquired.callChain.length;
}
