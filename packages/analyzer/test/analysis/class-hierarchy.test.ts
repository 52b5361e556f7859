/**
 * Calls through interfaces, abstract methods and unions reach every implementation in the program
 * (class-hierarchy analysis in call-resolver.ts / class-hierarchy.ts), so a lock taken in one of them
 * orders after what the caller holds, and the witness names the implementation followed.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/graph/finding.js';
import { analyseSources, type Analysed } from '../support/virtual-program.js';

const LOCKS = `import { Lock } from '@lockstep/primitives';
export const a = new Lock();
export const b = new Lock();
export const c = new Lock();
`;

function analyse(main: string, extra: Record<string, string> = {}): Analysed {
  return analyseSources({ 'locks.ts': LOCKS, 'main.ts': `import { a, b, c } from './locks.js';\n${main}`, ...extra });
}

/** Every call chain of the finding's witnesses, as `caller → callee` steps. */
function chains(finding: Finding | undefined): string[] {
  return (finding?.steps ?? []).flatMap((step) =>
    [step.witness.held.callChain, step.witness.acquired.callChain].filter((chain) => chain.length > 0).map((chain) => chain.map((s) => `${s.caller} → ${s.callee}`).join(', ')),
  );
}

/** Holds `a` and calls `save` through the receiver; elsewhere `b` is held while `a` is taken. */
const INVERSE = `export function audit() { b.acquire(); a.acquire(); a.release(); b.release(); }\n`;

describe('calls through an interface', () => {
  it('follow every class assignable to it, with no implements clause needed', () => {
    const result = analyse(`${INVERSE}
      export interface Store { save(key: string): void; load(key: string): string }
      export class MemoryStore implements Store {
        save(key: string) { void key; }
        load(key: string) { return key; }
      }
      export class FileStore {
        save(key: string) { b.acquire(); void key; b.release(); }
        load(key: string) { return key; }
      }
      export function commit(store: Store) { a.acquire(); try { store.save('k'); } finally { a.release(); } }`);
    expect(result.edgeNames).toEqual(['a -> b', 'b -> a']);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b']);
    // The witness names the implementation the call was followed into.
    expect(chains(result.findings[0])).toEqual(['commit → FileStore.save']);
  });

  it('reach nothing when no implementation takes a lock', () => {
    const result = analyse(`${INVERSE}
      export interface Store { save(key: string): void }
      export class MemoryStore implements Store { save(key: string) { void key; } }
      export function commit(store: Store) { a.acquire(); store.save('k'); a.release(); }`);
    expect(result.edgeNames).toEqual(['b -> a']);
  });

  it('do not follow a same-named method of a class that is not assignable to the interface', () => {
    const result = analyse(`${INVERSE}
      export interface Store { save(key: string): void; load(key: string): string }
      export class Cache { save(key: string) { b.acquire(); void key; b.release(); } }
      export class Journal { save(entry: { at: number }) { b.acquire(); void entry; b.release(); } load(key: string) { return key; } }
      export class Disk { save(key: string) { c.acquire(); void key; c.release(); } load(key: string) { return key; } }
      export function commit(store: Store) { a.acquire(); store.save('k'); a.release(); }`);
    // Disk is a Store (a -> c); Cache lacks load and Journal's save takes another parameter type.
    expect(result.edgeNames).toEqual(['a -> c', 'b -> a']);
    expect(result.findings).toEqual([]);
  });

  it('follow object-literal methods and arrow-function properties of objects typed as the interface', () => {
    const result = analyse(`${INVERSE}
      export interface Store { save(key: string): void; readonly name: string }
      export const remote: Store = {
        name: 'remote',
        save(key) { b.acquire(); void key; b.release(); },
      };
      // Not written as a Store, and with a member a Store does not have: still one.
      export const local = { name: 'local', retries: 3, save(key: string) { c.acquire(); void key; c.release(); } };
      export function commit(store: Store) { a.acquire(); store.save('k'); a.release(); }`);
    expect(result.edgeNames).toEqual(['a -> b', 'a -> c', 'b -> a']);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b']);
    expect(chains(result.findings[0])).toEqual(['commit → remote.save']);

    const arrows = analyse(`${INVERSE}
      export interface Store { save(key: string): void }
      export function openStore(): Store {
        return { save: (key: string) => { b.acquire(); void key; b.release(); } };
      }
      export class Queue { readonly save = (key: string) => { void key; }; }
      export function commit(store: Store) { a.acquire(); store.save('k'); a.release(); }`);
    expect(arrows.findingNames).toEqual(['lock-order-cycle: a, b']);
  });

  it('follow implementations of generic interfaces, open or instantiated', () => {
    const result = analyse(`${INVERSE}
      export interface Store<T> { save(value: T): void }
      export class Repository<T> implements Store<T> { save(value: T) { b.acquire(); void value; b.release(); } }
      export function createStore<T>(): Store<T> { return { save(value: T) { void value; } }; }
      export function commit(store: Store<number>) { a.acquire(); store.save(1); a.release(); }`);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b']);
    expect(chains(result.findings[0])).toEqual(['commit → Repository.save']);
  });

  it('follow a function-typed property of the interface to the methods that implement it', () => {
    const result = analyse(`${INVERSE}
      export interface Sink { readonly write: (line: string) => void }
      export class LogFile implements Sink { write(line: string) { b.acquire(); void line; b.release(); } }
      export function log(sink: Sink) { a.acquire(); sink.write('x'); a.release(); }`);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b']);
  });

  it('terminate on recursion through interfaces', () => {
    const result = analyse(`${INVERSE}
      export interface Node { visit(depth: number): void }
      export class Branch implements Node {
        constructor(readonly children: Node[]) {}
        visit(depth: number) { for (const child of this.children) child.visit(depth + 1); }
      }
      export class Leaf implements Node { visit(depth: number) { b.acquire(); void depth; b.release(); } }
      export class Mirror implements Node {
        constructor(readonly other: Node) {}
        visit(depth: number) { this.other.visit(depth); }
      }
      export function walk(root: Node) { a.acquire(); root.visit(0); a.release(); }`);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b']);
    expect(chains(result.findings[0])).toEqual(['walk → Leaf.visit']);
  });
});

describe('ordinary method calls', () => {
  it('still reach only the method they name, not its overrides', () => {
    const result = analyse(`${INVERSE}
      export class Store { save() {} }
      export class LockedStore extends Store { override save() { b.acquire(); b.release(); } }
      export function commit(store: Store) { a.acquire(); store.save(); a.release(); }`);
    expect(result.edgeNames).toEqual(['b -> a']);
  });
});

describe('calls to abstract methods', () => {
  it('follow the overriding methods of the subclasses, transitively', () => {
    const result = analyse(`${INVERSE}
      export abstract class Job {
        abstract step(): void;
        run() { a.acquire(); try { this.step(); } finally { a.release(); } }
      }
      export abstract class BatchJob extends Job { readonly size = 10; }
      export class Quiet extends Job { step() {} }
      export class Flush extends BatchJob { step() { b.acquire(); b.release(); } }`);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b']);
    expect(chains(result.findings[0])).toEqual(['Job.run → Flush.step']);
  });

  it('follow only the subclasses of the receiver class', () => {
    const result = analyse(`${INVERSE}
      export abstract class Job { abstract step(): void; }
      export abstract class Batch extends Job {}
      export class Flush extends Job { step() { b.acquire(); b.release(); } }
      export class Copy extends Batch { step() { c.acquire(); c.release(); } }
      export function run(job: Batch) { a.acquire(); job.step(); a.release(); }`);
    expect(result.edgeNames).toEqual(['a -> c', 'b -> a']);
  });

  it('keep the same instance through this.step(), so the subclass retaking the base lock is a self-deadlock', () => {
    const result = analyseSources({
      'main.ts': `import { Lock } from '@lockstep/primitives';
      export abstract class Job {
        protected readonly lock = new Lock();
        abstract step(): void;
        run() { using _held = this.lock.hold(); this.step(); }
      }
      export class Flush extends Job { step() { using _held = this.lock.hold(); } }`,
    });
    expect(result.findingNames.filter((name) => name.startsWith('self-deadlock'))).toEqual(['self-deadlock: Job.lock']);
    expect(result.findings.find((finding) => finding.kind === 'self-deadlock')!.steps[0]!.witness.acquired.callChain.map((step) => step.callee)).toEqual(['Flush.step']);
  });
});

describe('calls on a union-typed receiver', () => {
  it("follow each member's method", () => {
    const result = analyse(`${INVERSE}
      export class Memory { save() {} }
      export class Disk { save() { b.acquire(); b.release(); } }
      export function commit(store: Memory | Disk) { a.acquire(); store.save(); a.release(); }`);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b']);
    expect(chains(result.findings[0])).toEqual(['commit → Disk.save']);
  });

  it('recurse into members that are interfaces, and skip members without the method', () => {
    const result = analyse(`${INVERSE}
      export interface Remote { save(): void }
      export class Memory { save() {} }
      export class Upload implements Remote { save() { b.acquire(); b.release(); } }
      export function commit(store: Memory | Remote | undefined) { a.acquire(); store?.save(); a.release(); }`);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b']);
    expect(chains(result.findings[0])).toEqual(['commit → Upload.save']);
  });
});

describe('self-deadlocks through an interface', () => {
  it('are not reported when the receiver may be another instance', () => {
    const result = analyseSources({
      'main.ts': `import { Lock } from '@lockstep/primitives';
      import { b } from './locks.js';
      export interface Store { save(): void }
      export class FileStore implements Store {
        readonly lock = new Lock();
        save() { using _held = this.lock.hold(); b.acquire(); b.release(); }
        flushTo(other: Store) { using _held = this.lock.hold(); other.save(); }
      }`,
      'locks.ts': LOCKS,
    });
    // Another instance's FileStore.lock is no self-deadlock (nested instances of one lock class are
    // another matter), but the call was followed: its witness is there.
    expect(result.findings.filter((finding) => finding.kind === 'self-deadlock')).toEqual([]);
    const edge = result.graph.edges().find((candidate) => candidate.to.endsWith('#b'));
    expect(edge?.witnesses.map((witness) => `${witness.held.function}: ${witness.acquired.callChain.map((step) => step.callee).join(', ')}`)).toEqual([
      'FileStore.save: ',
      'FileStore.flushTo: FileStore.save',
    ]);
  });

  it('are reported when the call is this.save() on the instance holding the lock', () => {
    const result = analyseSources({
      'main.ts': `import { Lock } from '@lockstep/primitives';
      export interface Store { readonly lock: Lock; save(): void; flush(): void }
      export const store: Store = {
        lock: new Lock(),
        save() { using _held = this.lock.hold(); },
        flush() { using _held = this.lock.hold(); this.save(); },
      };`,
    });
    expect(result.findingNames.filter((name) => name.startsWith('self-deadlock'))).toEqual(['self-deadlock: Store.lock']);
    expect(result.findings.find((finding) => finding.kind === 'self-deadlock')!.steps[0]!.witness.acquired.callChain.map((step) => step.callee)).toEqual(['store.save']);
  });
});

describe('a call through an interface-typed parameter', () => {
  // Amplify DataStore's shape: peek(storage: StorageFacade) calls storage.queryOne(); the facade's
  // locking implementation (ExclusiveStorage) is never what the callers pass, since they pass the
  // inner StorageClass they were handed under the lock.
  const facade = (argument: string): string => `
    export interface Facade { queryOne(): string }
    export class Inner implements Facade { queryOne() { return 'row'; } }
    export class Exclusive implements Facade {
      readonly inner = new Inner();
      queryOne() { a.acquire(); try { return this.inner.queryOne(); } finally { a.release(); } }
      run(fn: (inner: Inner) => void) { a.acquire(); try { fn(this.inner); } finally { a.release(); } }
    }
    export function peek(storage: Facade) { return storage.queryOne(); }
    export function dequeue(storage: Facade) { return peek(storage); }
    export function resume(exclusive: Exclusive, other: Facade) {
      void other;
      exclusive.run((inner) => { dequeue(${argument}); });
    }`;

  it('does not reach the implementation the argument cannot be: a class of another branch', () => {
    const result = analyse(facade('inner'));
    expect(result.findingNames).toEqual([]);
  });

  it('reaches it when the argument may be it: an interface-typed value', () => {
    const result = analyse(facade('other'));
    expect(result.findingNames).toEqual(['self-deadlock: a']);
  });

  it('reaches it when the argument is that class', () => {
    const result = analyse(facade('exclusive'));
    expect(result.findingNames).toEqual(['self-deadlock: a']);
  });
});
