/**
 * @livekit/mutex (LiveKit's client SDKs) by type: `Mutex` and `MultiMutex(limit)`, both taken by
 * `lock()`, which resolves to the function that releases. The repository does not depend on the
 * package, so each test writes a project on disk with the package's own declarations (1.1.1's
 * `dist/index.d.ts`, verbatim) under its `node_modules`: the catalog matches a type by the package.json
 * that owns its declaring file, which must be a real file.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeProgram } from '../../src/analyze-program.js';
import { lockTypesWith } from '../../src/config/configured-lock-types.js';
import { LockIdentityResolver } from '../../src/model/lock-identity.js';
import { LockRecognizer, type LockOperation } from '../../src/model/lock-recognizer.js';
import { tempProject } from '../support/temp-project.js';

const LIVEKIT_MUTEX_D_TS = `export declare class Mutex {
    private _locking;
    private _locks;
    constructor();
    isLocked(): boolean;
    lock(): Promise<() => void>;
}
export declare class MultiMutex {
    private _queue;
    private _limit;
    private _locks;
    constructor(limit: number);
    isLocked(): boolean;
    lock(): Promise<() => void>;
    private _unlock;
}
`;

const PACKAGE = {
  'node_modules/@livekit/mutex/package.json': JSON.stringify({
    name: '@livekit/mutex',
    version: '1.1.1',
    exports: { '.': { types: './dist/index.d.ts', import: './dist/index.mjs', require: './dist/index.js' } },
    typings: 'dist/index.d.ts',
  }),
  'node_modules/@livekit/mutex/dist/index.d.ts': LIVEKIT_MUTEX_D_TS,
  'node_modules/@livekit/mutex/dist/index.mjs': 'export class Mutex {}\nexport class MultiMutex {}\n',
};

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2024.d.ts'],
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  types: [],
};

const removals: (() => void)[] = [];
afterAll(() => {
  for (const remove of removals) remove();
});

function programOf(main: string): { program: ts.Program; dir: string; source: ts.SourceFile } {
  const project = tempProject({ ...PACKAGE, 'main.ts': main });
  removals.push(project.remove);
  const file = path.join(project.dir, 'main.ts');
  const program = ts.createProgram([file], OPTIONS);
  return { program, dir: project.dir, source: program.getSourceFile(file)! };
}

function analyse(main: string) {
  const { program, dir, source } = programOf(main);
  const analysis = analyzeProgram({ program, files: [source], root: dir, config: { lockTypes: [], nameFallback: false } });
  const name = (id: string) => analysis.locks.get(id)?.name ?? id;
  return {
    ...analysis,
    edgeNames: analysis.graph.edges().map((edge) => `${name(edge.from)} -> ${name(edge.to)}`),
    findingNames: analysis.findings.map((finding) => `${finding.kind}: ${finding.locks.map(name).join(', ')}`),
  };
}

function operationsIn(main: string): LockOperation[] {
  const { program, dir, source } = programOf(main);
  const checker = program.getTypeChecker();
  const recognizer = new LockRecognizer(checker, new LockIdentityResolver(checker, dir), { lockTypes: lockTypesWith([]), nameFallback: false });
  const operations: LockOperation[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      let within: ts.SignatureDeclaration | undefined;
      for (let current = node.parent; current !== undefined; current = current.parent) {
        if (ts.isFunctionLike(current)) {
          within = current;
          break;
        }
      }
      const operation = recognizer.operationOf(node, within);
      if (operation !== undefined) operations.push(operation);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return operations;
}

describe('@livekit/mutex', () => {
  it('the test project resolves the package from its own node_modules', () => {
    const { program } = programOf(`import { Mutex } from '@livekit/mutex';\nexport const m = new Mutex();\n`);
    const declared = program.getSourceFiles().map((file) => file.fileName).filter((name) => name.includes('@livekit'));
    expect(declared).toHaveLength(1);
    expect(fs.existsSync(declared[0]!)).toBe(true);
  });

  it('says lock() acquires and resolves to the release function, and isLocked() is nothing', () => {
    const [lock, multi, ...rest] = operationsIn(`import { Mutex, MultiMutex } from '@livekit/mutex';
      const m = new Mutex();
      const pool = new MultiMutex(3);
      export async function f() {
        const unlock = await m.lock();
        try { if (m.isLocked()) return; } finally { unlock(); }
        const release = await pool.lock();
        release();
      }`);
    expect(rest).toEqual([]);
    expect(lock).toMatchObject({ role: 'acquire', form: 'lock', releaser: 'function', returnsPromise: true, bounded: false });
    expect(lock!.lock.info).toMatchObject({ name: 'm', flavor: 'mutex', source: '@livekit/mutex' });
    expect(lock!.lock.guessed).toBe(false);
    expect(multi).toMatchObject({ role: 'acquire', releaser: 'function' });
    expect(multi!.lock.info).toMatchObject({ name: 'pool', flavor: 'semaphore', source: '@livekit/mutex', count: 3 });
  });

  it('finds an inversion between two class-field Mutexes taken with lock() and released through unlock()', () => {
    const result = analyse(`import { Mutex } from '@livekit/mutex';
      export class Room {
        private readonly connectLock = new Mutex();
        private readonly publishLock = new Mutex();
        async connect(): Promise<void> {
          const unlock = await this.connectLock.lock();
          try {
            const unlockPublish = await this.publishLock.lock();
            unlockPublish();
          } finally { unlock(); }
        }
        async publish(): Promise<void> {
          const unlock = await this.publishLock.lock();
          try {
            const unlockConnect = await this.connectLock.lock();
            unlockConnect();
          } finally { unlock(); }
        }
        async afterRelease(): Promise<void> {
          const unlock = await this.publishLock.lock();
          unlock();
          const unlockConnect = await this.connectLock.lock();
          unlockConnect();
        }
      }`);
    expect(result.edgeNames).toEqual(['Room.connectLock -> Room.publishLock', 'Room.publishLock -> Room.connectLock']);
    expect(result.findingNames).toEqual(['lock-order-cycle: Room.connectLock, Room.publishLock']);
    expect(result.findings[0]!.guessed).toBe(false);
  });

  it('finds a method holding the Mutex calling another that takes it (a self-deadlock: it is not reentrant)', () => {
    const result = analyse(`import { Mutex } from '@livekit/mutex';
      export class Track {
        private readonly trackChangeLock = new Mutex();
        async restart(): Promise<void> {
          const unlock = await this.trackChangeLock.lock();
          try { await this.replace(); } finally { unlock(); }
        }
        async replace(): Promise<void> {
          const unlock = await this.trackChangeLock.lock();
          unlock();
        }
      }`);
    expect(result.findingNames).toEqual(['self-deadlock: Track.trackChangeLock']);
  });

  it('is not matched by a Mutex class of another package or of the project', () => {
    const operations = operationsIn(`export class Mutex { async lock(): Promise<() => void> { return () => undefined; } }
      const m = new Mutex();
      export async function f() { const unlock = await m.lock(); unlock(); }`);
    expect(operations).toEqual([]);
  });
});
