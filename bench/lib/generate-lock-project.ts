/**
 * Generates a realistic TypeScript application of N files for the analyzer benchmark
 * (`analyzer-vs-tsc.ts`): the same seed and size always give the same project, byte for byte.
 *
 * The project is layered like a typical back end: `models` (interfaces, factories, validation),
 * `utils` (formatting, generic helpers, a few module-level caches guarded by a lock), `repositories`
 * (classes with in-memory stores), `services` (classes orchestrating repositories and other services)
 * and `handlers` (request handlers on top), each layer in domain folders of at most 40 files. Files
 * import only lower layers or earlier files of their own layer (a DAG), chosen mostly near themselves
 * (same domain) with a few hubs that many files import (fan-in), 0 to 7 imports each (fan-out).
 *
 * Most files hold ordinary code (mapping, validation, string formatting, generics, async functions
 * with awaits). About 15–20% use locks the way applications do: module-level and class-field `Lock`,
 * `RLock` and `Semaphore` from `@lockstep/primitives` and `Mutex` from `async-mutex`, held with
 * `using _ = lock.hold()`, `await using _ = await lock.holdAsync()`, acquire/try/finally/release,
 * `runExclusive(async () => …)` or async-mutex's `const release = await mutex.acquire()`, and while
 * held they call into other modules that take their own locks. Calls only go to lower modules, so
 * the lock order is consistent (no cycle) except for a handful of deliberate inversions: a module
 * whose lock is held while calling into a module that takes its exported lock, and elsewhere takes
 * that exported lock first and then its own.
 *
 * The project directory gets `src/`, a self-contained `tsconfig.json` (strict, NodeNext, noEmit) and a
 * `package.json` with `"type": "module"`. Put it inside this repository (the benchmark uses
 * `bench/.build/projects/<name>`) so that `@lockstep/primitives`, `async-mutex` and `@types/node`
 * resolve from the repository's `node_modules`.
 *
 * Run directly: `node bench/.build/js/lib/generate-lock-project.js <dir> <files> [seed]`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bumped whenever the output changes, so that a cached project of an older generator is rebuilt. */
export const GENERATOR_VERSION = 5;

export interface GenerateOptions {
  /** How many `.ts` files to write under `src/`. */
  readonly files: number;
  readonly seed?: number;
}

/** What was generated, also written to `<dir>/generated.json`. */
export interface GeneratedProject {
  readonly generatorVersion: number;
  readonly seed: number;
  readonly files: number;
  readonly lines: number;
  /** Files that create or hold a lock. */
  readonly lockFiles: number;
  /** Lock objects declared (one per lock file). */
  readonly locks: number;
  readonly locksByKind: Readonly<Record<LockKind, number>>;
  /** Call sites inside a held region that call another module's function which takes its own lock. */
  readonly lockedCrossFileCalls: number;
  /** Deliberate lock-order inversions (each a 2-lock cycle across two files). */
  readonly inversions: number;
  /**
   * The two locks of each inversion, as `src/<path>.ts#<name>` (`#<Class>.lock` for a class field):
   * `holder` is held while calling into `other`'s module, and elsewhere `other` is taken first.
   */
  readonly inversionPairs: readonly { readonly holder: string; readonly other: string }[];
  readonly filesByLayer: Readonly<Record<Layer, number>>;
  readonly imports: number;
}

const LAYERS = ['models', 'utils', 'repositories', 'services', 'handlers'] as const;
type Layer = (typeof LAYERS)[number];
const LAYER_SHARE: Record<Layer, number> = { models: 0.15, utils: 0.2, repositories: 0.2, services: 0.25, handlers: 0.2 };
/** Chance that a file of the layer uses a lock: about 17% of all files overall. */
const LOCK_SHARE: Record<Layer, number> = { models: 0, utils: 0.15, repositories: 0.3, services: 0.26, handlers: 0.08 };
/** Where a file's imports come from, by layer. */
const IMPORT_MIX: Record<Layer, Partial<Record<Layer, number>>> = {
  models: { models: 1 },
  utils: { models: 0.4, utils: 0.6 },
  repositories: { models: 0.3, utils: 0.4, repositories: 0.3 },
  services: { models: 0.1, utils: 0.2, repositories: 0.4, services: 0.3 },
  handlers: { models: 0.1, utils: 0.15, repositories: 0.15, services: 0.6 },
};
const FAN_OUT: Record<Layer, readonly [number, number]> = {
  models: [0, 2],
  utils: [1, 3],
  repositories: [2, 5],
  services: [3, 7],
  handlers: [2, 6],
};
const FOLDER_SIZE = 40;

type LockKind = 'Lock' | 'RLock' | 'Semaphore' | 'Mutex';
const LOCK_KINDS: readonly (readonly [LockKind, number])[] = [
  ['Lock', 0.4],
  ['RLock', 0.15],
  ['Semaphore', 0.15],
  ['Mutex', 0.3],
];

const NOUNS = [
  'Account', 'Invoice', 'Order', 'Customer', 'Shipment', 'Product', 'Payment', 'Ticket', 'Session', 'Report',
  'Warehouse', 'Supplier', 'Coupon', 'Refund', 'Subscription', 'Tenant', 'Profile', 'Address', 'Cart', 'Review',
  'Catalog', 'Inventory', 'Ledger', 'Transfer', 'Booking', 'Room', 'Route', 'Vehicle', 'Driver', 'Parcel',
  'Quote', 'Contract', 'Policy', 'Claim', 'Patient', 'Appointment', 'Device', 'Sensor', 'Alert', 'Metric',
  'Job', 'Task', 'Project', 'Team', 'Member', 'Message', 'Channel', 'Document', 'Folder', 'Asset', 'Batch', 'Receipt',
] as const;
const DOMAINS = [
  'billing', 'catalog', 'shipping', 'identity', 'support', 'analytics', 'inventory', 'payments', 'scheduling',
  'messaging', 'reporting', 'compliance', 'fleet', 'health', 'content', 'search',
] as const;
const TOPICS = [
  'LineItem', 'Discount', 'Invoice', 'Audit', 'Export', 'Import', 'Quota', 'Rate', 'Window', 'Digest', 'Token',
  'Notice', 'Sample', 'Bucket', 'Entry', 'Draft', 'Label', 'Snapshot', 'Delta', 'Budget', 'Forecast', 'Tariff',
  'Slot', 'Lease', 'Badge', 'Reminder', 'Estimate', 'Summary', 'Filter', 'Cursor',
] as const;
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK'] as const;

/** mulberry32: small, fast, and the same sequence everywhere for a given seed. */
class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const sum = entries.reduce((acc, [, w]) => acc + w, 0);
    let x = this.next() * sum;
    for (const [value, weight] of entries) {
      x -= weight;
      if (x < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }
}

type Returns = 'number' | 'string' | 'boolean';

/** A function another module can call: what to import and how to call it with an id and a number. */
interface ApiFn {
  readonly symbols: readonly string[];
  readonly call: (id: string, n: string) => string;
  readonly returns: Returns;
  readonly isAsync: boolean;
  readonly takesLock: boolean;
}

interface LockPlan {
  readonly kind: LockKind;
  /** `module`: an exported module-level constant; `field`: a private field of the file's class. */
  readonly placement: 'module' | 'field';
  /** The constant's name (module placement). */
  readonly name: string;
}

interface ModulePlan {
  readonly index: number;
  readonly layer: Layer;
  /** Index within the layer. */
  readonly n: number;
  readonly noun: string;
  /** `src/`-relative path without extension, posix. */
  readonly path: string;
  readonly lock: LockPlan | undefined;
  readonly imports: number[];
  api: ApiFn[];
  /** Deliberate inversion: the module whose exported lock this one takes before its own. */
  invertWith: number | undefined;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const indent = (lines: readonly string[], by = 2): string[] => lines.map((line) => (line.length === 0 ? line : ' '.repeat(by) + line));
/** Replaces `%name%` placeholders. */
const fill = (template: string, vars: Readonly<Record<string, string | number>>): string =>
  template.replace(/%([A-Za-z]+)%/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));

// ---------------------------------------------------------------------------------------------------
// Planning: which files exist, which use locks, who imports whom, what each exports.
// ---------------------------------------------------------------------------------------------------

function planModules(total: number, rng: Random): ModulePlan[] {
  const counts = {} as Record<Layer, number>;
  let assigned = 0;
  for (const layer of LAYERS) {
    counts[layer] = layer === 'handlers' ? total - assigned : Math.max(1, Math.round(total * LAYER_SHARE[layer]));
    assigned += counts[layer];
  }
  const modules: ModulePlan[] = [];
  for (const layer of LAYERS) {
    for (let n = 0; n < counts[layer]; n++) {
      const index = modules.length;
      const noun = rng.pick(NOUNS);
      const group = Math.floor(n / FOLDER_SIZE);
      const domain = `${DOMAINS[group % DOMAINS.length]!}${group >= DOMAINS.length ? `-${Math.floor(group / DOMAINS.length) + 1}` : ''}`;
      const suffix = { models: 'model', utils: 'utils', repositories: 'repository', services: 'service', handlers: 'handler' }[layer];
      const path = `${layer}/${domain}/${kebab(noun)}-${suffix}-${index}`;
      let lock: LockPlan | undefined;
      if (rng.chance(LOCK_SHARE[layer])) {
        const kind = rng.weighted(LOCK_KINDS);
        const placement = layer === 'repositories' || layer === 'services' ? (rng.chance(0.7) ? 'field' : 'module') : 'module';
        const what = { models: 'Model', utils: 'Cache', repositories: 'Store', services: 'State', handlers: 'Gate' }[layer];
        lock = { kind, placement, name: `${lowerFirst(noun)}${what}${kind === 'Semaphore' ? 'Permits' : kind === 'Mutex' ? 'Mutex' : 'Lock'}${index}` };
      }
      modules.push({ index, layer, n, noun, path, lock, imports: [], api: [], invertWith: undefined });
    }
  }
  for (const m of modules) m.api = apiOf(m);
  return modules;
}

/** The functions a module exports for others to call (handlers export none). */
function apiOf(m: ModulePlan): ApiFn[] {
  const id = `${m.noun}${m.index}`;
  const lock = m.lock;
  const syncLock = lock !== undefined && lock.kind !== 'Mutex';
  switch (m.layer) {
    case 'models':
      return [
        { symbols: [`create${id}`, `describe${id}`], call: (i) => `describe${id}(create${id}(${i}, 'item'))`, returns: 'string', isAsync: false, takesLock: false },
        { symbols: [`create${id}`, `score${id}`], call: (i, n) => `score${id}({ ...create${id}(${i}, 'item'), amount: ${n} })`, returns: 'number', isAsync: false, takesLock: false },
        { symbols: [`is${id}`], call: (i) => `is${id}({ id: ${i} })`, returns: 'boolean', isAsync: false, takesLock: false },
      ];
    case 'utils': {
      const api: ApiFn[] = [
        { symbols: [`format${id}`], call: (i, n) => `format${id}(${i}, ${n})`, returns: 'string', isAsync: false, takesLock: false },
        { symbols: [`total${id}`], call: (_i, n) => `total${id}([${n}, ${n} * 2])`, returns: 'number', isAsync: false, takesLock: false },
      ];
      if (lock !== undefined) {
        api.push(
          { symbols: [`record${id}`], call: (i, n) => `record${id}(${i}, ${n})`, returns: 'number', isAsync: !syncLock, takesLock: true },
          { symbols: [`flush${id}`], call: () => `flush${id}()`, returns: 'number', isAsync: true, takesLock: true },
        );
      }
      return api;
    }
    case 'repositories': {
      const single = `${lowerFirst(m.noun)}Repository${m.index}`;
      return [
        { symbols: [single], call: () => `${single}.count()`, returns: 'number', isAsync: false, takesLock: syncLock },
        { symbols: [single], call: (i) => `${single}.upsert(${i}, 'imported')`, returns: 'string', isAsync: lock !== undefined && !syncLock, takesLock: lock !== undefined },
        { symbols: [single], call: (i) => `${single}.exists(${i})`, returns: 'boolean', isAsync: false, takesLock: false },
        { symbols: [single], call: (i) => `${single}.loadMany([${i}])`, returns: 'number', isAsync: true, takesLock: lock !== undefined },
      ];
    }
    case 'services': {
      const single = `${lowerFirst(m.noun)}Service${m.index}`;
      return [
        { symbols: [single], call: (i) => `${single}.touch(${i})`, returns: 'number', isAsync: false, takesLock: syncLock },
        { symbols: [single], call: (i) => `${single}.run(${i})`, returns: 'number', isAsync: true, takesLock: lock !== undefined },
        { symbols: [single], call: () => `${single}.describe()`, returns: 'string', isAsync: false, takesLock: false },
      ];
    }
    case 'handlers':
      return [];
  }
}

function planImports(modules: readonly ModulePlan[], rng: Random): void {
  const byLayer = new Map<Layer, ModulePlan[]>(LAYERS.map((l) => [l, modules.filter((m) => m.layer === l)]));
  const lockersByLayer = new Map<Layer, ModulePlan[]>(LAYERS.map((l) => [l, byLayer.get(l)!.filter((m) => m.lock !== undefined)]));
  /** How many modules of the (index-sorted) pool come before `index`. */
  const countBelow = (pool: readonly ModulePlan[], index: number): number => {
    let lo = 0;
    let hi = pool.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pool[mid]!.index < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** A module of `pool` below `self`: mostly near its relative position (same domain), sometimes a hub. */
  const choose = (self: ModulePlan, pool: readonly ModulePlan[], sameLayer: boolean): ModulePlan | undefined => {
    const available = sameLayer ? countBelow(pool, self.index) : pool.length;
    if (available === 0) return undefined;
    if (rng.chance(0.25)) return pool[rng.int(0, Math.min(available, Math.max(3, Math.ceil(available * 0.03))) - 1)];
    const ownLayerSize = byLayer.get(self.layer)!.length;
    const centre = sameLayer ? available - 1 - rng.int(0, 30) : Math.round((self.n / ownLayerSize) * (available - 1)) + rng.int(-30, 30);
    return pool[Math.min(available - 1, Math.max(0, centre))];
  };
  for (const m of modules) {
    const [lo, hi] = FAN_OUT[m.layer];
    const want = rng.int(lo, hi);
    const mix = Object.entries(IMPORT_MIX[m.layer]) as [Layer, number][];
    const chosen = new Set<number>();
    for (let attempt = 0; attempt < want * 3 && chosen.size < want; attempt++) {
      const layer = rng.weighted(mix);
      const target = choose(m, byLayer.get(layer)!, layer === m.layer);
      if (target !== undefined && target.index !== m.index) chosen.add(target.index);
    }
    // A file that holds a lock usually calls something that takes another lock (the graph's edges).
    if (m.lock !== undefined && rng.chance(0.85)) {
      const layers = mix.map(([l]) => l).filter((l) => l !== 'models');
      for (let k = rng.int(1, 2); k > 0; k--) {
        const layer = rng.pick(layers);
        const target = choose(m, lockersByLayer.get(layer)!, layer === m.layer);
        if (target !== undefined && target.index !== m.index) chosen.add(target.index);
      }
    }
    m.imports.push(...[...chosen].sort((a, b) => a - b));
  }
}

/** A handful of deliberate inversions: 3 + 1 per 2 500 files, at most 12. */
function planInversions(modules: readonly ModulePlan[], rng: Random): number {
  const wanted = Math.min(12, 3 + Math.floor(modules.length / 2500));
  const candidates = modules.filter((m) => m.lock !== undefined && m.layer !== 'models');
  const taken = new Set<number>();
  let made = 0;
  for (let tries = 0; made < wanted && tries < candidates.length * 4; tries++) {
    const a = rng.pick(candidates);
    if (taken.has(a.index)) continue;
    const bs = a.imports.map((j) => modules[j]!).filter((b) => b.lock?.placement === 'module' && b.layer !== 'handlers' && !taken.has(b.index));
    if (bs.length === 0) continue;
    const b = rng.pick(bs);
    a.invertWith = b.index;
    taken.add(a.index).add(b.index);
    made++;
  }
  return made;
}

// ---------------------------------------------------------------------------------------------------
// Writing one file.
// ---------------------------------------------------------------------------------------------------

type HoldForm = 'using' | 'acquire-finally' | 'await-using' | 'acquire-async-finally' | 'run-exclusive' | 'mutex-acquire';

interface LockRef {
  readonly expr: string;
  readonly kind: LockKind;
}

class FileBuilder {
  readonly lines: string[] = [];
  /** module index → imported symbol → type-only */
  readonly imports = new Map<number, Map<string, boolean>>();
  readonly primitives = new Set<string>();
  asyncMutex = false;
  delay = false;
  lockedCalls = 0;
  readonly topics = new Set<string>();

  constructor(
    readonly self: ModulePlan,
    readonly modules: readonly ModulePlan[],
    readonly rng: Random,
  ) {}

  add(...lines: string[]): void {
    this.lines.push(...lines);
  }

  use(module: number, symbol: string, typeOnly = false): void {
    let symbols = this.imports.get(module);
    if (symbols === undefined) this.imports.set(module, (symbols = new Map()));
    symbols.set(symbol, (symbols.get(symbol) ?? true) && typeOnly);
  }

  useLockClass(kind: LockKind): void {
    if (kind === 'Mutex') this.asyncMutex = true;
    else this.primitives.add(kind);
  }

  /** A topic word no other snippet of this file uses. */
  topic(): string {
    for (let tries = 0; tries < 20; tries++) {
      const t = this.rng.pick(TOPICS);
      if (!this.topics.has(t)) {
        this.topics.add(t);
        return t;
      }
    }
    const t = `${this.rng.pick(TOPICS)}${this.topics.size}`;
    this.topics.add(t);
    return t;
  }

  /** Imported modules' functions callable here (sync only unless `async`). */
  candidates(async: boolean): { module: number; api: ApiFn }[] {
    const out: { module: number; api: ApiFn }[] = [];
    for (const j of this.self.imports) for (const api of this.modules[j]!.api) if (async || !api.isAsync) out.push({ module: j, api });
    return out;
  }

  /** Imports whose functions this file has not called yet. */
  unusedImports(): number[] {
    return this.self.imports.filter((j) => !this.imports.has(j) && this.modules[j]!.api.length > 0);
  }
}

/** Accumulating calls: statements plus the variables they need and a number expression of the result. */
class CallBlock {
  readonly stmts: string[] = [];
  readonly used = new Set<Returns>();
  readonly calls = new Set<ApiFn>();

  constructor(readonly fb: FileBuilder) {}

  call(module: number, api: ApiFn, id: string, n: string, underLock: boolean): void {
    for (const s of api.symbols) this.fb.use(module, s);
    this.calls.add(api);
    const expr = `${api.isAsync ? 'await ' : ''}${api.call(id, n)}`;
    this.used.add(api.returns);
    this.stmts.push(api.returns === 'number' ? `total += ${expr};` : api.returns === 'string' ? `labels.push(${expr});` : `if (${expr}) hits++;`);
    if (underLock && api.takesLock && module !== this.fb.self.index) this.fb.lockedCalls++;
  }

  /** `count` calls into imported modules, preferring ones that take a lock when `preferLocked`. */
  pick(count: number, opts: { async: boolean; preferLocked: boolean; underLock: boolean; id: string; n: string; only?: readonly number[] }): void {
    let pool = this.fb.candidates(opts.async).filter((c) => !this.calls.has(c.api));
    if (opts.only !== undefined) pool = pool.filter((c) => opts.only!.includes(c.module));
    for (let k = 0; k < count && pool.length > 0; k++) {
      const locked = pool.filter((c) => c.api.takesLock);
      const from = opts.preferLocked && locked.length > 0 && this.fb.rng.chance(0.8) ? locked : pool;
      const chosen = this.fb.rng.pick(from);
      this.call(chosen.module, chosen.api, opts.id, opts.n, opts.underLock);
      pool = pool.filter((c) => c !== chosen);
    }
  }

  decls(): string[] {
    const out = ['let total = 0;'];
    if (this.used.has('string')) out.push('const labels: string[] = [];');
    if (this.used.has('boolean')) out.push('let hits = 0;');
    return out;
  }

  result(): string {
    return ['total', ...(this.used.has('boolean') ? ['hits'] : []), ...(this.used.has('string') ? ['labels.length'] : [])].join(' + ');
  }
}

function syncForms(kind: LockKind): HoldForm[] {
  return kind === 'Mutex' ? [] : ['using', 'using', 'acquire-finally'];
}

function asyncForms(kind: LockKind): HoldForm[] {
  return kind === 'Mutex' ? ['run-exclusive', 'run-exclusive', 'mutex-acquire'] : ['await-using', 'await-using', 'run-exclusive', 'acquire-async-finally'];
}

/** `body` run while `lock` is held, in the given form; `tag` keeps nested guards' names apart. */
function holdRegion(lock: LockRef, form: HoldForm, body: readonly string[], tag = ''): string[] {
  const guard = `_held${tag}`;
  switch (form) {
    case 'using':
      return [`using ${guard} = ${lock.expr}.hold();`, ...body];
    case 'await-using':
      return [`await using ${guard} = await ${lock.expr}.holdAsync();`, ...body];
    case 'acquire-finally':
      return [`${lock.expr}.acquire();`, 'try {', ...indent(body), '} finally {', `  ${lock.expr}.release();`, '}'];
    case 'acquire-async-finally':
      return [
        `if (!(await ${lock.expr}.acquireAsync({ timeout: 5_000 }))) throw new Error('timed out waiting for ${lock.expr}');`,
        'try {',
        ...indent(body),
        '} finally {',
        `  ${lock.expr}.release();`,
        '}',
      ];
    case 'run-exclusive':
      return [`await ${lock.expr}.runExclusive(async () => {`, ...indent(body), '});'];
    case 'mutex-acquire':
      return [`const release${tag} = await ${lock.expr}.acquire();`, 'try {', ...indent(body), '} finally {', `  release${tag}();`, '}'];
  }
}

/** A region that the form makes async needs at least one await inside `runExclusive`'s callback. */
function ensureAwait(fb: FileBuilder, body: string[], form: HoldForm): string[] {
  if (form !== 'run-exclusive' || body.some((line) => line.includes('await '))) return body;
  fb.delay = true;
  return [...body, 'await delay(0);'];
}

function lockRefOf(fb: FileBuilder): LockRef | undefined {
  const lock = fb.self.lock;
  if (lock === undefined) return undefined;
  return { expr: lock.placement === 'field' ? 'this.lock' : lock.name, kind: lock.kind };
}

function newLockExpr(kind: LockKind, rng: Random): string {
  return kind === 'Semaphore' ? `new Semaphore(${rng.int(2, 8)})` : `new ${kind}()`;
}

/** A call into the module this one inverts with (its locked function), placed in an async region. */
function forcedInversionCall(fb: FileBuilder, block: CallBlock, id: string, n: string): void {
  const target = fb.self.invertWith;
  if (target === undefined) return;
  const api = fb.modules[target]!.api.find((a) => a.takesLock);
  if (api !== undefined) block.call(target, api, id, n, true);
}

/**
 * The inversion's other half: take the other module's exported lock, then our own, e.g. a
 * reconciliation that must see both states at once.
 */
function inversionFunction(fb: FileBuilder, asMethod: boolean, state: string): string[] {
  const target = fb.self.invertWith;
  const own = lockRefOf(fb);
  if (target === undefined || own === undefined) return [];
  const other = fb.modules[target]!;
  const otherLock = other.lock!;
  fb.use(target, otherLock.name);
  fb.useLockClass(otherLock.kind);
  const rng = fb.rng;
  // Not the timed form (acquireAsync({ timeout })): a wait that gives up cannot close a deadlock.
  const innerForm = rng.pick(asyncForms(own.kind).filter((f) => f !== 'acquire-async-finally'));
  const inner = holdRegion(own, innerForm, ensureAwait(fb, [`total += ${state};`], 'run-exclusive'), 'Own');
  const outer = holdRegion({ expr: otherLock.name, kind: otherLock.kind }, rng.pick(asyncForms(otherLock.kind)), inner, 'Other');
  fb.delay = true;
  const name = `reconcileWith${other.noun}${other.index}`;
  return [
    `/** Reconciles our state with ${other.noun}${other.index}'s: takes its \`${otherLock.name}\` first, then our lock. */`,
    `${asMethod ? '' : 'export '}async ${asMethod ? '' : 'function '}${name}(): Promise<number> {`,
    '  let total = 0;',
    ...indent(outer),
    '  return total;',
    '}',
  ];
}

/** `export async function warm…` calling one function of every import not called yet (keeps the DAG real). */
function warmFunction(fb: FileBuilder, name: string): string[] {
  const unused = fb.unusedImports();
  if (unused.length === 0) return [];
  const block = new CallBlock(fb);
  for (const j of unused) block.call(j, fb.rng.pick(fb.modules[j]!.api), 'key', 'attempt', false);
  fb.delay = true;
  return [
    `/** Warms the caches this module depends on. */`,
    `export async function ${name}(key: string, attempt = 1): Promise<number> {`,
    ...indent(block.decls()),
    '  await delay(0);',
    ...indent(block.stmts),
    `  return ${block.result()};`,
    '}',
  ];
}

function writeModel(fb: FileBuilder): void {
  const m = fb.self;
  const M = `${m.noun}${m.index}`;
  const refs = m.imports.filter((j) => fb.modules[j]!.layer === 'models');
  const ref = refs.length > 0 ? fb.modules[refs[0]!]! : undefined;
  const R = ref === undefined ? '' : `${ref.noun}${ref.index}`;
  if (ref !== undefined) {
    fb.use(ref.index, R, true);
    fb.use(ref.index, `create${R}`);
  }
  fb.add(
    `export type ${M}Status = 'draft' | 'active' | 'suspended' | 'closed';`,
    '',
    `/** A ${lowerFirst(m.noun)} as stored and exchanged between services. */`,
    `export interface ${M} {`,
    '  readonly id: string;',
    '  name: string;',
    `  status: ${M}Status;`,
    '  amount: number;',
    '  tags: string[];',
    '  updatedAt: Date;',
    '  metadata: Record<string, string>;',
    ...(ref === undefined ? [] : [`  owner?: ${R};`]),
    '}',
    '',
    `export function create${M}(id: string, name: string): ${M} {`,
    `  return { id, name, status: 'draft', amount: 0, tags: [], updatedAt: new Date(0), metadata: {} };`,
    '}',
    '',
    `export function is${M}(value: unknown): value is ${M} {`,
    `  if (typeof value !== 'object' || value === null) return false;`,
    '  const record = value as Record<string, unknown>;',
    `  return typeof record['id'] === 'string' && typeof record['name'] === 'string' && typeof record['amount'] === 'number' && Array.isArray(record['tags']);`,
    '}',
    '',
    `export function describe${M}(item: ${M}): string {`,
    `  const tags = item.tags.length > 0 ? \` [\${item.tags.join(', ')}]\` : '';`,
    `  return \`\${item.name} (\${item.status}, \${item.amount.toFixed(2)})\${tags}\`;`,
    '}',
    '',
    `export function score${M}(item: ${M}): number {`,
    `  const base = item.status === 'active' ? 10 : item.status === 'draft' ? 3 : 0;`,
    '  return base + Math.min(item.tags.length, 5) + Math.round(item.amount / 100);',
    '}',
  );
  if (ref !== undefined) {
    fb.add(
      '',
      `export function assign${R}To${M}(item: ${M}, ownerId: string): ${M} {`,
      `  return { ...item, owner: create${R}(ownerId, item.name), updatedAt: new Date() };`,
      '}',
    );
  }
}

function writeUtils(fb: FileBuilder): void {
  const m = fb.self;
  const U = `${m.noun}${m.index}`;
  fb.add(
    `export function format${U}(value: string, width: number): string {`,
    `  const trimmed = value.trim().replace(/\\s+/g, ' ');`,
    `  return trimmed.length > width ? \`\${trimmed.slice(0, Math.max(0, width - 1))}~\` : trimmed.padEnd(width, ' ');`,
    '}',
    '',
    `export function total${U}(values: readonly number[]): number {`,
    '  let sum = 0;',
    '  for (const value of values) if (Number.isFinite(value)) sum += value;',
    '  return Math.round(sum * 100) / 100;',
    '}',
  );
  const own = lockRefOf(fb);
  if (own === undefined) return;
  const rng = fb.rng;
  fb.useLockClass(own.kind);
  const sync = own.kind !== 'Mutex';
  const record = new CallBlock(fb);
  record.pick(rng.int(0, 2), { async: !sync, preferLocked: true, underLock: true, id: 'key', n: 'delta' });
  const recordForm = rng.pick(sync ? syncForms(own.kind) : asyncForms(own.kind));
  const flush = new CallBlock(fb);
  forcedInversionCall(fb, flush, `'flush'`, 'flushed');
  flush.pick(rng.int(1, 2), { async: true, preferLocked: true, underLock: true, id: `'flush'`, n: 'flushed' });
  const flushForm = rng.pick(asyncForms(own.kind));
  fb.delay = true;
  fb.add(
    '',
    `/** Guards \`counters\`, which workers and request handlers update concurrently. */`,
    `export const ${own.expr} = ${newLockExpr(own.kind, rng)};`,
    'const counters = new Map<string, number>();',
    '',
    `export ${sync ? '' : 'async '}function record${U}(key: string, delta: number): ${sync ? 'number' : 'Promise<number>'} {`,
    ...indent(record.decls()),
    ...indent(
      holdRegion(own, recordForm, ensureAwait(fb, ['const next = (counters.get(key) ?? 0) + delta;', 'counters.set(key, next);', 'total += next;', ...record.stmts], recordForm)),
    ),
    `  return ${record.result()};`,
    '}',
    '',
    `export async function flush${U}(): Promise<number> {`,
    '  let flushed = 0;',
    ...indent(flush.decls()),
    ...indent(
      holdRegion(own, flushForm, [
        'for (const [key, value] of counters) {',
        '  if (value === 0) counters.delete(key);',
        '  else flushed += value;',
        '}',
        'await delay(0);',
        ...flush.stmts,
      ]),
    ),
    `  return flushed + ${flush.result()};`,
    '}',
  );
  if (m.invertWith !== undefined) fb.add('', ...inversionFunction(fb, false, 'counters.size'));
}

function modelOf(fb: FileBuilder): ModulePlan | undefined {
  const j = fb.self.imports.find((k) => fb.modules[k]!.layer === 'models');
  return j === undefined ? undefined : fb.modules[j];
}

function writeRepository(fb: FileBuilder): void {
  const m = fb.self;
  const rng = fb.rng;
  const cls = `${m.noun}Repository${m.index}`;
  const model = modelOf(fb);
  const M = model === undefined ? `${m.noun}Record${m.index}` : `${model.noun}${model.index}`;
  if (model === undefined) {
    fb.add(
      `export interface ${M} {`,
      '  readonly id: string;',
      '  name: string;',
      '  updatedAt: Date;',
      '}',
      '',
      `function create${M}(id: string, name: string): ${M} {`,
      '  return { id, name, updatedAt: new Date(0) };',
      '}',
      '',
    );
  } else {
    fb.use(model.index, M, true);
    fb.use(model.index, `create${M}`);
  }
  const own = lockRefOf(fb);
  const sync = own !== undefined && own.kind !== 'Mutex';
  if (own !== undefined) fb.useLockClass(own.kind);
  if (own !== undefined && own.expr !== 'this.lock') {
    fb.add(`/** Guards every ${cls}'s store and change log. */`, `export const ${own.expr} = ${newLockExpr(own.kind, rng)};`, '');
  }
  // upsert: sync under a sync lock, async under a Mutex, plain without a lock.
  const upsert = new CallBlock(fb);
  const upsertAsync = own !== undefined && !sync;
  upsert.pick(own === undefined ? rng.int(0, 1) : rng.int(1, 2), { async: upsertAsync, preferLocked: true, underLock: own !== undefined, id: 'id', n: 'this.version' });
  const upsertBody = [
    'const existing = this.items.get(id);',
    `const item = existing ?? create${M}(id, name);`,
    'item.updatedAt = new Date();',
    'this.items.set(id, item);',
    `this.changes.push(\`\${existing === undefined ? 'insert' : 'update'} \${id}\`);`,
    'this.version++;',
    ...upsert.stmts,
  ];
  const upsertForm = own === undefined ? undefined : rng.pick(sync ? syncForms(own.kind) : asyncForms(own.kind));
  const load = new CallBlock(fb);
  forcedInversionCall(fb, load, `ids[0] ?? 'none'`, 'ids.length');
  load.pick(rng.int(0, 2), { async: true, preferLocked: true, underLock: own !== undefined, id: `ids[0] ?? 'none'`, n: 'ids.length' });
  const loadBody = [
    'for (const id of ids) {',
    '  await delay(1);',
    '  if (!this.items.has(id)) {',
    `    this.items.set(id, create${M}(id, id.toUpperCase()));`,
    '    loaded++;',
    '  }',
    '}',
    ...load.stmts,
  ];
  const loadForm = own === undefined ? undefined : rng.pick(asyncForms(own.kind));
  const countForm = sync ? rng.pick(syncForms(own.kind)) : undefined;
  fb.delay = true;
  fb.add(
    `/** In-memory store of ${M} records with a change log, the source of truth for ${lowerFirst(m.noun)} lookups. */`,
    `export class ${cls} {`,
    `  private readonly items = new Map<string, ${M}>();`,
    '  private readonly changes: string[] = [];',
    ...(own?.expr === 'this.lock' ? [`  private readonly lock = ${newLockExpr(own.kind, rng)};`] : []),
    '  private version = 0;',
    '',
    '  count(): number {',
    ...indent(countForm === undefined || own === undefined ? ['return this.items.size;'] : holdRegion(own, countForm, ['return this.items.size;']), 4),
    '  }',
    '',
    `  ${upsertAsync ? 'async ' : ''}upsert(id: string, name: string): ${upsertAsync ? 'Promise<string>' : 'string'} {`,
    ...indent(upsert.decls(), 4),
    ...indent(upsertForm === undefined || own === undefined ? upsertBody : holdRegion(own, upsertForm, ensureAwait(fb, upsertBody, upsertForm)), 4),
    `    return \`\${id}:\${${upsert.result()}}\`;`,
    '  }',
    '',
    '  exists(id: string): boolean {',
    '    return this.items.has(id);',
    '  }',
    '',
    '  async loadMany(ids: readonly string[]): Promise<number> {',
    '    let loaded = 0;',
    ...indent(load.decls(), 4),
    ...indent(loadForm === undefined || own === undefined ? loadBody : holdRegion(own, loadForm, loadBody), 4),
    `    return loaded + ${load.result()};`,
    '  }',
    '',
    '  history(limit = 20): readonly string[] {',
    '    return this.changes.slice(-limit);',
    '  }',
    ...(m.invertWith === undefined ? [] : ['', ...indent(inversionFunction(fb, true, 'this.items.size'))]),
    '}',
    '',
    `export const ${lowerFirst(m.noun)}Repository${m.index} = new ${cls}();`,
  );
}

function writeService(fb: FileBuilder): void {
  const m = fb.self;
  const rng = fb.rng;
  const cls = `${m.noun}Service${m.index}`;
  const own = lockRefOf(fb);
  const sync = own !== undefined && own.kind !== 'Mutex';
  if (own !== undefined) fb.useLockClass(own.kind);
  if (own !== undefined && own.expr !== 'this.lock') {
    fb.add(`/** Serializes ${cls}'s cache updates and runs. */`, `export const ${own.expr} = ${newLockExpr(own.kind, rng)};`, '');
  }
  const touch = new CallBlock(fb);
  touch.pick(rng.int(1, 2), { async: false, preferLocked: sync, underLock: sync, id: 'id', n: 'seen' });
  const touchBody = ['seen = (this.cache.get(id) ?? 0) + 1;', 'this.cache.set(id, seen);', ...touch.stmts];
  const touchForm = sync ? rng.pick(syncForms(own.kind)) : undefined;
  const run = new CallBlock(fb);
  forcedInversionCall(fb, run, 'id', 'this.runs');
  run.pick(rng.int(1, 3), { async: true, preferLocked: own !== undefined, underLock: own !== undefined, id: 'id', n: 'this.runs' });
  const runBody = ['this.runs++;', ...run.stmts];
  const runForm = own === undefined ? undefined : rng.pick(asyncForms(own.kind));
  const threshold = rng.int(2, 50);
  fb.add(
    `/** Coordinates ${lowerFirst(m.noun)} work across repositories and other services. */`,
    `export class ${cls} {`,
    '  private readonly cache = new Map<string, number>();',
    ...(own?.expr === 'this.lock' ? [`  private readonly lock = ${newLockExpr(own.kind, rng)};`] : []),
    '  private runs = 0;',
    '',
    '  touch(id: string): number {',
    '    let seen = 0;',
    ...indent(touch.decls(), 4),
    ...indent(touchForm === undefined || own === undefined ? touchBody : holdRegion(own, touchForm, touchBody), 4),
    `    return seen + ${touch.result()};`,
    '  }',
    '',
    '  async run(input: string): Promise<number> {',
    '    const id = input.trim().toLowerCase();',
    `    if (id.length === 0) throw new RangeError('${cls}.run: empty input');`,
    ...indent(run.decls(), 4),
    ...indent(runForm === undefined || own === undefined ? runBody : holdRegion(own, runForm, ensureAwait(fb, runBody, runForm)), 4),
    `    return ${run.result()};`,
    '  }',
    '',
    '  describe(): string {',
    `    const hot = [...this.cache.entries()].filter(([, hits]) => hits >= ${threshold}).map(([key]) => key);`,
    `    return \`${cls}: \${this.cache.size} cached, \${this.runs} runs, hot: \${hot.join(', ') || 'none'}\`;`,
    '  }',
    ...(m.invertWith === undefined ? [] : ['', ...indent(inversionFunction(fb, true, 'this.cache.size'))]),
    '}',
    '',
    `export const ${lowerFirst(m.noun)}Service${m.index} = new ${cls}();`,
  );
}

function writeHandler(fb: FileBuilder): void {
  const m = fb.self;
  const rng = fb.rng;
  const H = `${m.noun}${m.index}`;
  const own = lockRefOf(fb);
  if (own !== undefined) {
    fb.useLockClass(own.kind);
    fb.add(`/** Lets one write at a time through to the ${lowerFirst(m.noun)} services. */`, `export const ${own.expr} = ${newLockExpr(own.kind, rng)};`, '');
  }
  const get = new CallBlock(fb);
  get.pick(rng.int(1, 2), { async: false, preferLocked: false, underLock: false, id: 'id', n: 'quantity' });
  const post = new CallBlock(fb);
  forcedInversionCall(fb, post, 'id', 'quantity');
  post.pick(rng.int(1, 3), { async: true, preferLocked: own !== undefined, underLock: own !== undefined, id: 'id', n: 'quantity' });
  const postForm = own === undefined ? undefined : rng.pick(asyncForms(own.kind));
  const del = new CallBlock(fb);
  del.pick(1, { async: true, preferLocked: false, underLock: false, id: 'id', n: '0' });
  fb.add(
    `export interface ${H}Request {`,
    `  readonly method: 'GET' | 'POST' | 'DELETE';`,
    '  readonly path: string;',
    '  readonly query: Readonly<Record<string, string | undefined>>;',
    '  readonly body?: unknown;',
    '}',
    '',
    `export interface ${H}Response {`,
    '  readonly status: number;',
    '  readonly body: string;',
    '  readonly headers: Record<string, string>;',
    '}',
    '',
    `function respond(status: number, body: unknown): ${H}Response {`,
    `  return { status, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };`,
    '}',
    '',
    `/** Routes ${kebab(m.noun)} requests: GET reads, POST writes, DELETE evicts. */`,
    `export async function handle${H}(request: ${H}Request): Promise<${H}Response> {`,
    `  const id = request.path.split('/').filter((part) => part.length > 0).at(-1) ?? '';`,
    `  if (id.length === 0) return respond(400, { error: 'missing id' });`,
    `  const quantity = Number.parseInt(request.query['quantity'] ?? '1', 10);`,
    `  if (!Number.isInteger(quantity) || quantity < 0) return respond(422, { error: \`bad quantity \${request.query['quantity']}\` });`,
    '  switch (request.method) {',
    `    case 'GET': {`,
    ...indent(get.decls(), 6),
    ...indent(get.stmts, 6),
    `      return respond(200, { id, value: ${get.result()} });`,
    '    }',
    `    case 'POST': {`,
    ...indent(post.decls(), 6),
    ...indent(postForm === undefined || own === undefined ? post.stmts : holdRegion(own, postForm, ensureAwait(fb, post.stmts, postForm)), 6),
    `      return respond(201, { id, value: ${post.result()} });`,
    '    }',
    `    case 'DELETE': {`,
    ...indent(del.decls(), 6),
    ...indent(del.stmts, 6),
    `      return respond(204, { id, value: ${del.result()} });`,
    '    }',
    '  }',
    '}',
  );
  if (m.invertWith !== undefined) fb.add('', ...inversionFunction(fb, false, 'quantityCache.size'), '', 'const quantityCache = new Map<string, number>();');
}

// ---------------------------------------------------------------------------------------------------
// Ordinary code that fills files up to their length: each snippet uses a topic word unique in the file.
// ---------------------------------------------------------------------------------------------------

type Snippet = (fb: FileBuilder) => string;

const SNIPPETS: readonly Snippet[] = [
  (fb) =>
    fill(
      `export interface %T%Input {
  readonly id: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly tags: readonly string[];
  readonly note?: string;
}

export interface %T%Row {
  readonly key: string;
  readonly label: string;
  readonly total: number;
  readonly tagList: string;
}

export function parse%T%Input(raw: unknown): %T%Input | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { id, name, quantity, unitPrice, tags, note } = raw as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0) return undefined;
  if (typeof name !== 'string') return undefined;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 0) return undefined;
  if (typeof unitPrice !== 'number' || !Number.isFinite(unitPrice)) return undefined;
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) return undefined;
  return { id, name: name.trim(), quantity, unitPrice, tags: tags as string[], ...(typeof note === 'string' ? { note } : {}) };
}

export function to%T%Row(input: %T%Input): %T%Row {
  const total = Math.round(input.quantity * input.unitPrice * %scale%) / %scale%;
  return {
    key: \`%prefix%-\${input.id}\`.toUpperCase(),
    label: input.note === undefined ? input.name : \`\${input.name} (\${input.note})\`,
    total,
    tagList: [...input.tags].sort().join(', '),
  };
}`,
      { T: fb.topic(), scale: fb.rng.pick([100, 1000]), prefix: fb.rng.pick(['ord', 'inv', 'row', 'itm', 'rec']) },
    ),
  (fb) => {
    fb.delay = true;
    return fill(
      `export async function load%T%Pages(ids: readonly string[], pageSize = %size%): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  for (let start = 0; start < ids.length; start += pageSize) {
    const page = ids.slice(start, start + pageSize);
    await delay(%ms%);
    const sizes = await Promise.all(
      page.map(async (id) => {
        await delay(0);
        return id.length * %weight%;
      }),
    );
    sizes.forEach((size, offset) => {
      const id = page[offset];
      if (id !== undefined) result.set(id, size);
    });
  }
  return result;
}`,
      { T: fb.topic(), size: fb.rng.int(10, 100), ms: fb.rng.int(1, 20), weight: fb.rng.int(1, 9) },
    );
  },
  (fb) =>
    fill(
      `/** Keeps the last %cap% distinct items by id, oldest dropped first. */
export class %T%Buffer<T extends { readonly id: string }> {
  private readonly items: T[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number = %cap%) {}

  push(item: T): boolean {
    if (this.seen.has(item.id)) return false;
    if (this.items.length >= this.capacity) {
      const dropped = this.items.shift();
      if (dropped !== undefined) this.seen.delete(dropped.id);
    }
    this.items.push(item);
    this.seen.add(item.id);
    return true;
  }

  drain(predicate: (item: T) => boolean = () => true): T[] {
    const taken = this.items.filter(predicate);
    for (const item of taken) this.seen.delete(item.id);
    this.items.splice(0, this.items.length, ...this.items.filter((item) => !predicate(item)));
    return taken;
  }

  get size(): number {
    return this.items.length;
  }
}`,
      { T: fb.topic(), cap: fb.rng.int(16, 512) },
    ),
  (fb) =>
    fill(
      `export type %T%State = 'pending' | 'running' | 'blocked' | 'done' | 'failed';
export type %T%Event = 'start' | 'block' | 'unblock' | 'finish' | 'fail';

export function next%T%State(state: %T%State, event: %T%Event): %T%State {
  switch (state) {
    case 'pending':
      return event === 'start' ? 'running' : event === 'fail' ? 'failed' : state;
    case 'running':
      if (event === 'block') return 'blocked';
      if (event === 'finish') return 'done';
      return event === 'fail' ? 'failed' : state;
    case 'blocked':
      return event === 'unblock' ? 'running' : event === 'fail' ? 'failed' : state;
    case 'done':
    case 'failed':
      return state;
  }
}`,
      { T: fb.topic() },
    ),
  (fb) =>
    fill(
      `export function format%T%Amount(cents: number, currency = '%cur%'): string {
  const sign = cents < 0 ? '-' : '';
  const absolute = Math.abs(Math.round(cents));
  const whole = Math.floor(absolute / 100).toString().replace(/\\B(?=(\\d{3})+(?!\\d))/g, ',');
  const fraction = (absolute % 100).toString().padStart(2, '0');
  return \`\${sign}\${currency} \${whole}.\${fraction}\`;
}

export function format%T%Duration(ms: number): string {
  if (ms < 1_000) return \`\${ms.toFixed(0)} ms\`;
  const seconds = ms / 1_000;
  if (seconds < 60) return \`\${seconds.toFixed(1)} s\`;
  const minutes = Math.floor(seconds / 60);
  return \`\${minutes} min \${Math.round(seconds % 60)} s\`;
}`,
      { T: fb.topic(), cur: fb.rng.pick(CURRENCIES) },
    ),
  (fb) =>
    fill(
      `export function partition%T%<T>(items: readonly T[], predicate: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (predicate(item) ? yes : no).push(item);
  return [yes, no];
}

export function group%T%By<T, K extends PropertyKey>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}`,
      { T: fb.topic() },
    ),
  (fb) => {
    fb.delay = true;
    return fill(
      `export async function retry%T%<T>(attempt: (tryNumber: number) => Promise<T>, tries = %tries%, backoffMs = %backoff%): Promise<T> {
  let lastError: unknown;
  for (let tryNumber = 1; tryNumber <= tries; tryNumber++) {
    try {
      return await attempt(tryNumber);
    } catch (error) {
      lastError = error;
      await delay(backoffMs * 2 ** (tryNumber - 1));
    }
  }
  throw lastError instanceof Error ? lastError : new Error(\`%T%: \${String(lastError)}\`);
}`,
      { T: fb.topic(), tries: fb.rng.int(2, 6), backoff: fb.rng.int(5, 250) },
    );
  },
  (fb) =>
    fill(
      `export class %T%Error extends Error {
  constructor(
    readonly code: '%code%' | 'NOT_FOUND' | 'CONFLICT',
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = '%T%Error';
  }
}

export function is%T%Conflict(error: unknown): error is %T%Error {
  return error instanceof %T%Error && error.code === 'CONFLICT';
}`,
      { T: fb.topic(), code: fb.rng.pick(['INVALID', 'EXPIRED', 'LOCKED', 'QUOTA', 'DENIED']) },
    ),
  (fb) =>
    fill(
      `export interface %T%Options {
  readonly retries: number;
  readonly timeoutMs: number;
  readonly label: string;
  readonly verbose: boolean;
}

const default%T%Options: %T%Options = { retries: %retries%, timeoutMs: %timeout%, label: '%label%', verbose: false };

export function resolve%T%Options(overrides: Partial<%T%Options> = {}): %T%Options {
  const merged = { ...default%T%Options, ...overrides };
  if (merged.retries < 0 || !Number.isInteger(merged.retries)) {
    throw new RangeError(\`retries must be a whole number, got \${merged.retries}\`);
  }
  return Object.freeze(merged);
}`,
      { T: fb.topic(), retries: fb.rng.int(0, 5), timeout: fb.rng.int(1, 60) * 500, label: kebab(fb.self.noun) },
    ),
  (fb) =>
    fill(
      `export function slugify%T%(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\\u0300-\\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function initials%T%(name: string, max = %max%): string {
  return name
    .split(/\\s+/)
    .filter((part) => part.length > 0)
    .slice(0, max)
    .map((part) => part.charAt(0).toUpperCase())
    .join('');
}`,
      { T: fb.topic(), max: fb.rng.int(2, 4) },
    ),
  (fb) =>
    fill(
      `export type %T%Event<K extends string = string> = { readonly kind: K; readonly at: number; readonly payload: Readonly<Record<string, unknown>> };

export function summarize%T%Events<K extends string>(events: readonly %T%Event<K>[]): Record<string, { count: number; last: number }> {
  const summary: Record<string, { count: number; last: number }> = {};
  for (const event of events) {
    const entry = summary[event.kind] ?? { count: 0, last: 0 };
    entry.count++;
    entry.last = Math.max(entry.last, event.at);
    summary[event.kind] = entry;
  }
  return summary;
}`,
      { T: fb.topic() },
    ),
];

/** Adds snippets in a random order while they fit under `target` lines (one may overshoot by 10). */
function fillTo(fb: FileBuilder, target: number, current: () => number): void {
  const order = [...SNIPPETS.keys()];
  for (let i = order.length - 1; i > 0; i--) {
    const j = fb.rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const k of order) {
    const room = target - current();
    if (room < 8) break;
    const saved = { delay: fb.delay, topics: new Set(fb.topics) };
    const lines = SNIPPETS[k]!(fb).split('\n');
    if (lines.length + 1 <= room + 10) {
      fb.add('', ...lines);
    } else {
      fb.delay = saved.delay;
      fb.topics.clear();
      for (const t of saved.topics) fb.topics.add(t);
    }
  }
}

function importPath(from: string, to: string): string {
  const rel = posix.relative(posix.dirname(from), to);
  return `${rel.startsWith('.') ? rel : `./${rel}`}.js`;
}

const HEADERS: Record<Layer, readonly string[]> = {
  models: ['The %n% model of the %d% domain: its shape, a factory, validation and derived values.', '%N% records (%d%): what is stored and exchanged, and how to check it.'],
  utils: ['Helpers shared by the %d% domain: formatting, totals and small generic tools.', '%N% utilities (%d%): string formatting, arithmetic and collections.'],
  repositories: ['Storage of %n% records for the %d% domain.', '%N% repository (%d%): the in-memory store and its change log.'],
  services: ['The %n% service of the %d% domain: orchestrates repositories and other services.', '%N% workflows (%d%): caching, runs and summaries.'],
  handlers: ['HTTP-style handlers for %n% requests (%d% domain).', '%N% endpoints (%d%): parses requests, calls services, shapes responses.'],
};

function renderFile(fb: FileBuilder): string {
  const m = fb.self;
  const target = fb.rng.int(60, 150);
  switch (m.layer) {
    case 'models':
      writeModel(fb);
      break;
    case 'utils':
      writeUtils(fb);
      break;
    case 'repositories':
      writeRepository(fb);
      break;
    case 'services':
      writeService(fb);
      break;
    case 'handlers':
      writeHandler(fb);
      break;
  }
  const warm = warmFunction(fb, `warm${m.noun}${m.layer === 'models' ? 'Model' : 'Dependencies'}${m.index}`);
  if (warm.length > 0) fb.add('', ...warm);
  const importLines = (): number => 4 + fb.imports.size + (fb.primitives.size > 0 ? 1 : 0) + (fb.asyncMutex ? 1 : 0) + (fb.delay ? 1 : 0);
  fillTo(fb, target, () => fb.lines.length + importLines());

  const header = fill(fb.rng.pick(HEADERS[m.layer]), { n: lowerFirst(m.noun), N: m.noun, d: m.path.split('/')[1]! });
  const out: string[] = ['/**', ` * ${header}`, ' */'];
  if (fb.delay) out.push(`import { setTimeout as delay } from 'node:timers/promises';`);
  if (fb.asyncMutex) out.push(`import { Mutex } from 'async-mutex';`);
  if (fb.primitives.size > 0) out.push(`import { ${[...fb.primitives].sort().join(', ')} } from '@lockstep/primitives';`);
  for (const [j, symbols] of [...fb.imports].sort(([a], [b]) => a - b)) {
    const names = [...symbols].sort(([a], [b]) => a.localeCompare(b)).map(([name, typeOnly]) => (typeOnly ? `type ${name}` : name));
    out.push(`import { ${names.join(', ')} } from '${importPath(m.path, fb.modules[j]!.path)}';`);
  }
  out.push('', ...fb.lines, '');
  return out.join('\n');
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2024', 'ESNext.Disposable'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  },
  include: ['src'],
};

/** The stamp of an already generated project, if it was made by this generator with these options. */
function existing(dir: string, files: number, seed: number): GeneratedProject | undefined {
  const stamp = join(dir, 'generated.json');
  if (!existsSync(stamp)) return undefined;
  try {
    const info = JSON.parse(readFileSync(stamp, 'utf8')) as GeneratedProject;
    return info.generatorVersion === GENERATOR_VERSION && info.files === files && info.seed === seed ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the project into `dir` (replacing what is there), or keeps it when `dir/generated.json` says
 * it was generated by this generator version with the same size and seed (`reused: true`).
 */
export function generateLockProject(dir: string, options: GenerateOptions): GeneratedProject & { readonly reused: boolean } {
  const seed = options.seed ?? 20_240_917;
  const files = options.files;
  if (!Number.isInteger(files) || files < 10) throw new RangeError(`generateLockProject: files must be an integer ≥ 10, got ${files}`);
  const previous = existing(dir, files, seed);
  if (previous !== undefined) return { ...previous, reused: true };

  const rng = new Random(seed);
  const modules = planModules(files, rng);
  planImports(modules, rng);
  const inversions = planInversions(modules, rng);

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `lockstep-bench-generated-${files}`, private: true, type: 'module' }, null, 2)}\n`);

  let lines = 0;
  let lockedCrossFileCalls = 0;
  let imports = 0;
  const made = new Set<string>();
  for (const m of modules) {
    const fb = new FileBuilder(m, modules, rng);
    const text = renderFile(fb);
    lines += text.split('\n').length - 1;
    lockedCrossFileCalls += fb.lockedCalls;
    imports += fb.imports.size;
    const file = join(dir, 'src', `${m.path}.ts`);
    const folder = dirname(file);
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    writeFileSync(file, text);
  }
  const lockers = modules.filter((m) => m.lock !== undefined);
  const locksByKind: Record<LockKind, number> = { Lock: 0, RLock: 0, Semaphore: 0, Mutex: 0 };
  for (const m of lockers) locksByKind[m.lock!.kind]++;
  const lockId = (m: ModulePlan): string => {
    const cls = m.layer === 'repositories' ? `${m.noun}Repository${m.index}` : `${m.noun}Service${m.index}`;
    return `src/${m.path}.ts#${m.lock!.placement === 'field' ? `${cls}.lock` : m.lock!.name}`;
  };
  const inversionPairs = modules.filter((m) => m.invertWith !== undefined).map((m) => ({ holder: lockId(m), other: lockId(modules[m.invertWith!]!) }));
  const filesByLayer = Object.fromEntries(LAYERS.map((l) => [l, modules.filter((m) => m.layer === l).length])) as Record<Layer, number>;
  const info: GeneratedProject = {
    generatorVersion: GENERATOR_VERSION,
    seed,
    files,
    lines,
    lockFiles: lockers.length,
    locks: lockers.length,
    locksByKind,
    lockedCrossFileCalls,
    inversions,
    inversionPairs,
    filesByLayer,
    imports,
  };
  writeFileSync(join(dir, 'generated.json'), `${JSON.stringify(info, null, 2)}\n`);
  return { ...info, reused: false };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, files, seed] = process.argv.slice(2);
  if (dir === undefined || files === undefined) {
    console.error('usage: node generate-lock-project.js <dir> <files> [seed]');
    process.exit(2);
  }
  const info = generateLockProject(resolve(dir), { files: Number(files), ...(seed === undefined ? {} : { seed: Number(seed) }) });
  console.log(JSON.stringify(info, null, 2));
}
