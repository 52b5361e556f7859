/**
 * `@lockstep/primitives`' ReadWriteLock in the lock model: every read and write method recognised with
 * its role, read holds marked shared, both sides one lock (one identity); and in the analysis, on
 * programs held in memory: two read holds of one instance are no self-deadlock, a read then a write
 * (an upgrade) or a write then a read is one, and a lock-order cycle through it is reported whichever
 * side each thread takes (a reader waits behind a waiting writer, so read sides still order locks).
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { lockTypesWith } from '../../src/config/configured-lock-types.js';
import { LockIdentityResolver } from '../../src/model/lock-identity.js';
import { LockRecognizer, type LockOperation } from '../../src/model/lock-recognizer.js';
import { analyseSources, virtualProgram, VIRTUAL_ROOT } from '../support/virtual-program.js';

function operationsIn(source: string): LockOperation[] {
  const { program, sources } = virtualProgram({ 'main.ts': source });
  const checker = program.getTypeChecker();
  const recognizer = new LockRecognizer(checker, new LockIdentityResolver(checker, VIRTUAL_ROOT), { lockTypes: lockTypesWith([]), nameFallback: false });
  const operations: LockOperation[] = [];
  const visit = (node: ts.Node, within: ts.SignatureDeclaration | undefined): void => {
    if (ts.isCallExpression(node)) {
      const operation = recognizer.operationOf(node, within);
      if (operation !== undefined) operations.push(operation);
    }
    ts.forEachChild(node, (child) => visit(child, ts.isFunctionLike(node) ? node : within));
  };
  visit(sources[0]!, undefined);
  return operations;
}

const TABLE = `import { ReadWriteLock } from '@lockstep/primitives';
export class Table {
  readonly rw = new ReadWriteLock();
  rows: number[] = [];
}
`;

describe('ReadWriteLock in the catalog', () => {
  it('recognises every read and write method, marks the read side shared, and gives both one identity', () => {
    const operations = operationsIn(`import { ReadWriteLock } from '@lockstep/primitives';
const rw = new ReadWriteLock();
export async function all(): Promise<void> {
  rw.acquireRead(); rw.releaseRead();
  await rw.acquireReadAsync(); rw.releaseRead();
  rw.tryAcquireRead(); rw.releaseRead();
  { using _r = rw.holdRead(); }
  { await using _r = await rw.holdReadAsync({ timeout: 5 }); }
  await rw.runRead(() => 1);
  rw.acquireWrite(); rw.releaseWrite();
  await rw.acquireWriteAsync(); rw.releaseWrite();
  rw.tryAcquireWrite(); rw.releaseWrite();
  { using _w = rw.holdWrite(); }
  { await using _w = await rw.holdWriteAsync(); }
  await rw.runWrite(() => 2);
  rw.downgrade();
}`);
    const seen = operations.map((operation) => `${operation.form}:${operation.role}:${operation.lock.shared === true ? 'shared' : 'exclusive'}`);
    expect(seen).toEqual([
      'acquireRead:acquire:shared',
      'releaseRead:release:exclusive',
      'acquireReadAsync:acquire:shared',
      'releaseRead:release:exclusive',
      'tryAcquireRead:tryAcquire:shared',
      'releaseRead:release:exclusive',
      'holdRead:hold:shared',
      'holdReadAsync:hold:shared',
      'runRead:scoped:shared',
      'acquireWrite:acquire:exclusive',
      'releaseWrite:release:exclusive',
      'acquireWriteAsync:acquire:exclusive',
      'releaseWrite:release:exclusive',
      'tryAcquireWrite:tryAcquire:exclusive',
      'releaseWrite:release:exclusive',
      'holdWrite:hold:exclusive',
      'holdWriteAsync:hold:exclusive',
      'runWrite:scoped:exclusive',
    ]);
    expect(new Set(operations.map((operation) => operation.lock.info.id)).size).toBe(1);
    expect(operations[0]!.lock.info).toMatchObject({ name: 'rw', flavor: 'mutex', source: 'lockstep' });
    expect(operations.find((operation) => operation.form === 'holdReadAsync')!.bounded).toBe(true);
  });
});

describe('ReadWriteLock in the analysis', () => {
  it('takes two read holds of one instance, nested or through a call, as no self-deadlock', () => {
    const result = analyseSources({
      'table.ts': TABLE,
      'read.ts': `import type { Table } from './table.js';
export function count(table: Table): number {
  using _ = table.rw.holdRead();
  return table.rows.length;
}
export function report(table: Table): string {
  using _ = table.rw.holdRead();
  return \`\${count(table)} rows, first \${table.rows[0]}\`;
}
export async function scoped(table: Table): Promise<number> {
  return table.rw.runRead(() => {
    using _ = table.rw.holdRead();
    return table.rows.length;
  });
}`,
    });
    expect(result.findingNames).toEqual([]);
  });

  it('reports a write asked while holding a read (an upgrade) and a read asked while holding the write', () => {
    const result = analyseSources({
      'table.ts': TABLE,
      'upgrade.ts': `import type { Table } from './table.js';
export function addIfMissing(table: Table, row: number): void {
  using _read = table.rw.holdRead();
  if (table.rows.includes(row)) return;
  using _write = table.rw.holdWrite();
  table.rows.push(row);
}`,
      'reread.ts': `import { ReadWriteLock } from '@lockstep/primitives';
const index = new ReadWriteLock();
const entries: string[] = [];
function size(): number {
  using _ = index.holdRead();
  return entries.length;
}
export function append(entry: string): number {
  using _ = index.holdWrite();
  entries.push(entry);
  return size();
}`,
    });
    expect(result.findingNames.sort()).toEqual(['self-deadlock: Table.rw', 'self-deadlock: index']);
  });

  it('orders locks through either side: read in one order and write in the other is a cycle', () => {
    const result = analyseSources({
      'locks.ts': `import { Lock, ReadWriteLock } from '@lockstep/primitives';
export const config = new ReadWriteLock();
export const audit = new Lock();
export function readThenLog(): void {
  using _c = config.holdRead();
  using _a = audit.hold();
}
export function logThenReload(): void {
  using _a = audit.hold();
  using _c = config.holdWrite();
}`,
    });
    expect(result.edgeNames.sort()).toEqual(['audit -> config', 'config -> audit']);
    expect(result.findingNames).toEqual(['lock-order-cycle: audit, config']);
  });
});
