/**
 * A hand-built report with one of everything the formatters must render: a two-lock cycle across two
 * files behind a call chain, a three-lock cycle through a semaphore, a self-deadlock recognised by name
 * only, two locks with the same name, a gated cycle, a baselined fingerprint and input errors.
 */
import { fingerprintFinding } from '../../src/report/fingerprint.js';
import {
  REPORT_SCHEMA_VERSION,
  type Acquisition,
  type CallStep,
  type EdgeWitness,
  type Finding,
  type FindingKind,
  type FindingStep,
  type LockInfo,
  type LockOrderEdge,
  type Report,
  type SourceLocation,
} from '../../src/report/report-model.js';

export const ID = {
  cache: 'legacy/cache.js#cacheLock',
  accounts: 'src/bank.ts#accountsLock',
  index: 'src/cfg.ts#indexLock',
  settings: 'src/cfg.ts#settingsLock',
  gate: 'src/jobs/gate.ts#gate',
  pool: 'src/jobs/pool.ts#poolSlots',
  queue: 'src/jobs/queue.ts#queueLock',
  worker: 'src/jobs/worker.ts#Worker.lock',
  ledger: 'src/ledger.ts#Ledger.lock',
  legacyWorker: 'src/legacy/worker.ts#Worker.lock',
} as const;

/** A location whose region covers `length` characters of the line. */
export function at(file: string, line: number, column: number, snippet: string, length = 10): SourceLocation {
  return { file, line, column, endLine: line, endColumn: column + length, snippet };
}

function call(caller: string, callee: string, location: SourceLocation): CallStep {
  return { caller, callee, location };
}

function acquisition(
  lock: string,
  fn: string,
  location: SourceLocation,
  extra: { callChain?: readonly CallStep[]; form?: string; guessed?: boolean } = {},
): Acquisition {
  return { lock, function: fn, location, callChain: extra.callChain ?? [], form: extra.form ?? 'acquire', guessed: extra.guessed ?? false };
}

function witness(held: Acquisition, acquired: Acquisition, alsoHeld: readonly string[] = []): EdgeWitness {
  return { held, acquired, alsoHeld };
}

function lock(id: string, name: string, flavor: LockInfo['flavor'], source: LockInfo['source'], extra: { count?: number; line?: number } = {}): LockInfo {
  const file = id.slice(0, id.indexOf('#'));
  return {
    id,
    name,
    flavor,
    source,
    declaredAt: at(file, extra.line ?? 1, 14, `const ${name} = …;`),
    ...(extra.count === undefined ? {} : { count: extra.count }),
  };
}

export const LOCKS: readonly LockInfo[] = [
  lock(ID.cache, 'cacheLock', 'mutex', 'name-fallback', { line: 2 }),
  lock(ID.accounts, 'accountsLock', 'mutex', 'lockstep', { line: 3 }),
  lock(ID.index, 'indexLock', 'mutex', 'lockstep', { line: 4 }),
  lock(ID.settings, 'settingsLock', 'mutex', 'lockstep', { line: 5 }),
  lock(ID.gate, 'gate', 'mutex', 'lockstep', { line: 2 }),
  lock(ID.pool, 'poolSlots', 'semaphore', 'lockstep', { count: 2, line: 6 }),
  lock(ID.queue, 'queueLock', 'mutex', 'await-lock', { line: 3 }),
  lock(ID.worker, 'Worker.lock', 'mutex', 'async-mutex', { line: 8 }),
  lock(ID.ledger, 'Ledger.lock', 'mutex', 'async-mutex', { line: 12 }),
  lock(ID.legacyWorker, 'Worker.lock', 'reentrant', 'lockstep', { line: 9 }),
];

// accountsLock → Ledger.lock: transfer holds accountsLock and reaches Ledger.append through audit.
export const W_ACCOUNTS_LEDGER = witness(
  acquisition(ID.accounts, 'transfer', at('src/bank.ts', 12, 5, 'await accountsLock.acquire();', 28)),
  acquisition(ID.ledger, 'Ledger.append', at('src/ledger.ts', 31, 7, 'await this.lock.runExclusive(async () => {', 42), {
    form: 'runExclusive',
    callChain: [
      call('transfer', 'audit', at('src/bank.ts', 15, 11, 'await audit(entry);', 12)),
      call('audit', 'Ledger.append', at('src/audit.ts', 8, 3, 'await ledger.append(entry);', 26)),
    ],
  }),
);

const W_ACCOUNTS_LEDGER_2 = witness(
  acquisition(ID.accounts, 'closeAccount', at('src/bank.ts', 60, 5, 'await accountsLock.acquire();', 28)),
  acquisition(ID.ledger, 'Ledger.append', at('src/ledger.ts', 31, 7, 'await this.lock.runExclusive(async () => {', 42), {
    form: 'runExclusive',
    callChain: [
      call('closeAccount', 'audit', at('src/bank.ts', 64, 11, 'await audit(entry);', 12)),
      call('audit', 'Ledger.append', at('src/audit.ts', 8, 3, 'await ledger.append(entry);', 26)),
    ],
  }),
);

// Ledger.lock → accountsLock: reconcile holds the ledger and refreshes balances.
export const W_LEDGER_ACCOUNTS = witness(
  acquisition(ID.ledger, 'Ledger.reconcile', at('src/ledger.ts', 44, 5, 'using _held = await this.lock.hold();', 36), { form: 'using' }),
  acquisition(ID.accounts, 'refreshBalances', at('src/bank.ts', 27, 3, 'await accountsLock.acquire();', 28), {
    callChain: [call('Ledger.reconcile', 'refreshBalances', at('src/ledger.ts', 46, 11, 'await refreshBalances(this);', 27))],
  }),
);

// poolSlots → queueLock → Worker.lock → poolSlots.
const W_POOL_QUEUE = witness(
  acquisition(ID.pool, 'Pool.run', at('src/jobs/pool.ts', 20, 5, 'await this.slots.acquire();', 26)),
  acquisition(ID.queue, 'enqueue', at('src/jobs/queue.ts', 9, 3, 'await queueLock.acquireAsync();', 30), {
    callChain: [call('Pool.run', 'enqueue', at('src/jobs/pool.ts', 22, 7, 'await enqueue(job);', 18))],
  }),
);
const W_QUEUE_WORKER = witness(
  acquisition(ID.queue, 'drain', at('src/jobs/queue.ts', 30, 3, 'await queueLock.acquireAsync();', 30)),
  acquisition(ID.worker, 'Worker.take', at('src/jobs/worker.ts', 14, 5, 'const release = await this.lock.acquire();', 41), {
    callChain: [call('drain', 'Worker.take', at('src/jobs/queue.ts', 33, 5, 'await worker.take(job);', 22))],
  }),
);
const W_WORKER_POOL = witness(
  acquisition(ID.worker, 'Worker.spawn', at('src/jobs/worker.ts', 40, 5, 'const release = await this.lock.acquire();', 41)),
  acquisition(ID.pool, 'Pool.run', at('src/jobs/pool.ts', 20, 5, 'await this.slots.acquire();', 26), {
    callChain: [call('Worker.spawn', 'Pool.run', at('src/jobs/worker.ts', 42, 7, 'await this.pool.run(task);', 25))],
  }),
);

// cacheLock re-acquired: plain JavaScript, recognised by its name.
const W_CACHE_CACHE = witness(
  acquisition(ID.cache, 'refresh', at('legacy/cache.js', 5, 3, 'cacheLock.acquire();', 19), { guessed: true }),
  acquisition(ID.cache, 'load', at('legacy/cache.js', 18, 3, 'cacheLock.acquire();', 19), {
    guessed: true,
    callChain: [call('refresh', 'load', at('legacy/cache.js', 7, 3, 'load(key);', 9))],
  }),
);

// settingsLock ⇄ indexLock, always under gate: a gated cycle, suppressed.
const W_SETTINGS_INDEX = witness(
  acquisition(ID.settings, 'saveSettings', at('src/cfg.ts', 20, 3, 'settingsLock.acquire();', 22)),
  acquisition(ID.index, 'saveSettings', at('src/cfg.ts', 21, 3, 'indexLock.acquire();', 19)),
  [ID.gate],
);
const W_INDEX_SETTINGS = witness(
  acquisition(ID.index, 'reindex', at('src/cfg.ts', 40, 3, 'indexLock.acquire();', 19)),
  acquisition(ID.settings, 'reindex', at('src/cfg.ts', 41, 3, 'settingsLock.acquire();', 22)),
  [ID.gate],
);
const W_GATE_SETTINGS = witness(
  acquisition(ID.gate, 'saveSettings', at('src/cfg.ts', 19, 3, 'gate.acquire();', 14)),
  acquisition(ID.settings, 'saveSettings', at('src/cfg.ts', 20, 3, 'settingsLock.acquire();', 22)),
);
const W_GATE_INDEX = witness(
  acquisition(ID.gate, 'reindex', at('src/cfg.ts', 39, 3, 'gate.acquire();', 14)),
  acquisition(ID.index, 'reindex', at('src/cfg.ts', 40, 3, 'indexLock.acquire();', 19)),
);
// accountsLock → the legacy Worker.lock: an edge on no cycle, to a lock whose name is not unique.
const W_ACCOUNTS_LEGACY = witness(
  acquisition(ID.accounts, 'migrate', at('src/bank.ts', 80, 5, 'await accountsLock.acquire();', 28)),
  acquisition(ID.legacyWorker, 'LegacyWorker.stop', at('src/legacy/worker.ts', 12, 5, 'this.lock.acquire();', 19), {
    callChain: [call('migrate', 'LegacyWorker.stop', at('src/bank.ts', 82, 5, 'legacy.stop();', 13))],
  }),
);

function edge(from: string, to: string, ...witnesses: EdgeWitness[]): LockOrderEdge {
  return { from, to, witnesses };
}

export const EDGES: readonly LockOrderEdge[] = [
  edge(ID.accounts, ID.ledger, W_ACCOUNTS_LEDGER, W_ACCOUNTS_LEDGER_2),
  edge(ID.accounts, ID.legacyWorker, W_ACCOUNTS_LEGACY),
  edge(ID.index, ID.settings, W_INDEX_SETTINGS),
  edge(ID.settings, ID.index, W_SETTINGS_INDEX),
  edge(ID.gate, ID.index, W_GATE_INDEX),
  edge(ID.gate, ID.settings, W_GATE_SETTINGS),
  edge(ID.pool, ID.queue, W_POOL_QUEUE),
  edge(ID.queue, ID.worker, W_QUEUE_WORKER),
  edge(ID.worker, ID.pool, W_WORKER_POOL),
  edge(ID.ledger, ID.accounts, W_LEDGER_ACCOUNTS),
];

function step(from: string, to: string, w: EdgeWitness, witnessCount = 1): FindingStep {
  return { from, to, witness: w, witnessCount };
}

function finding(kind: FindingKind, steps: readonly FindingStep[], message: string, guessed = false): Finding {
  return { kind, fingerprint: fingerprintFinding(kind, steps, LOCKS), locks: steps.map((s) => s.from), steps, guessed, message };
}

export const CYCLE_2 = finding(
  'lock-order-cycle',
  [step(ID.accounts, ID.ledger, W_ACCOUNTS_LEDGER, 2), step(ID.ledger, ID.accounts, W_LEDGER_ACCOUNTS)],
  'transfer and Ledger.reconcile take accountsLock and Ledger.lock in opposite orders and can deadlock.',
);

export const CYCLE_3 = finding(
  'semaphore-cycle',
  [step(ID.pool, ID.queue, W_POOL_QUEUE), step(ID.queue, ID.worker, W_QUEUE_WORKER), step(ID.worker, ID.pool, W_WORKER_POOL)],
  'Pool.run, drain and Worker.spawn take poolSlots, queueLock and Worker.lock in cyclic order and can deadlock once poolSlots runs out of permits.',
);

export const SELF = finding(
  'self-deadlock',
  [step(ID.cache, ID.cache, W_CACHE_CACHE)],
  'refresh holds cacheLock and calls load, which takes cacheLock again: it waits for itself forever.',
  true,
);

export const BASELINED_FINGERPRINT = '0123456789abcdef0123456789abcdef';

export const FINDINGS: readonly Finding[] = [CYCLE_2, CYCLE_3, SELF].sort((a, b) =>
  a.kind === b.kind ? (a.fingerprint < b.fingerprint ? -1 : 1) : a.kind < b.kind ? -1 : 1,
);

export const FILES = [
  'legacy/cache.js',
  'src/audit.ts',
  'src/bank.ts',
  'src/cfg.ts',
  'src/jobs/gate.ts',
  'src/jobs/pool.ts',
  'src/jobs/queue.ts',
  'src/jobs/worker.ts',
  'src/ledger.ts',
  'src/legacy/worker.ts',
];

/** The full sample report; `overrides` replace top-level fields. */
export function sampleReport(overrides: Partial<Report> = {}): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'lockstep', version: '0.1.0' },
    root: '/home/dev/shop',
    files: FILES,
    errors: [
      { code: 'parse', file: 'src/broken.ts', line: 3, column: 14, message: "';' expected." },
      { code: 'missing-path', file: 'src/gone', message: 'No such file or directory.' },
    ],
    locks: LOCKS,
    edges: EDGES,
    findings: FINDINGS,
    suppressed: {
      gatedCycles: [{ locks: [ID.index, ID.settings], gates: [ID.gate] }],
      baselined: [BASELINED_FINGERPRINT],
    },
    stats: {
      files: FILES.length,
      functions: 27,
      locks: LOCKS.length,
      locksRecognised: { total: 9, typed: 8, guessed: 1, bySource: { lockstep: 6, 'async-mutex': 2, 'name-fallback': 1 } },
      lockOperations: 31,
      edges: EDGES.length,
      durationMs: 123,
    },
    ...overrides,
  };
}

/** A report of a clean codebase: edges but no finding, nothing suppressed, no error. */
export function cleanReport(): Report {
  return sampleReport({
    errors: [],
    findings: [],
    edges: EDGES.filter((e) => e.from === ID.gate),
    suppressed: { gatedCycles: [], baselined: [] },
  });
}
