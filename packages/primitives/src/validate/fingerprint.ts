/**
 * The fingerprints of `lockstep` (packages/analyzer/src/report/fingerprint.ts), computed again here so
 * that the primitives need not depend on the analyzer: a cycle the validator sees at run time carries
 * the fingerprint the static report gives the same cycle, and a baseline or a SARIF upload matches
 * both. A root test (test/validator-fingerprint.test.ts) checks the two stay equal; change both or
 * neither.
 */
import type { LockValidationKind } from './report.js';
import { nodeBuiltin } from '../internal/runtime.js';

/** `lockstep`'s tag: hashed first, bumped there when the hashed content changes. */
const FINGERPRINT_VERSION = 'lockstep-fingerprint/v2';

interface Hash {
  update(data: string): Hash;
  digest(encoding: 'hex'): string;
}

const crypto = nodeBuiltin<{ createHash(algorithm: string): Hash }>('node:crypto');

/** The kinds whose finding is about one lock: their fingerprint also names the function to fix. */
export function isSingleLockKind(kind: LockValidationKind): boolean {
  return kind !== 'lock-order-cycle' && kind !== 'semaphore-cycle';
}

/** A cycle rotated to start at its smallest id, as `lockstep`'s `canonicalSteps` and `Finding.locks`. */
export function canonicalRotation<T>(items: readonly T[], idOf: (item: T) => string): T[] {
  let start = 0;
  items.forEach((item, index) => {
    const best = items[start];
    if (best !== undefined && idOf(item) < idOf(best)) start = index;
  });
  return [...items.slice(start), ...items.slice(0, start)];
}

/**
 * The fingerprint of a finding: sha256 of JSON `[version, kind, lock ids in canonical rotation]`,
 * plus, for a single-lock kind, the function where the fix goes (`file#Class.method`), 32 hex digits.
 *
 * @example
 * ```ts
 * import { fingerprintLockFinding } from '@lockstep/primitives/validate';
 *
 * // the same value `lockstep --format json` prints for this cycle
 * fingerprintLockFinding('lock-order-cycle', ['src/locks.ts#paymentsLock', 'src/locks.ts#inventoryLock']);
 * fingerprintLockFinding('self-deadlock', ['src/rates.ts#Rates.refreshLock'], 'src/rates.ts#Rates.convert');
 * ```
 */
export function fingerprintLockFinding(kind: LockValidationKind, cycle: readonly string[], fixFunction?: string): string {
  if (crypto === undefined) throw new Error('fingerprintLockFinding needs node:crypto (Node.js, Bun or Deno)');
  const locks = canonicalRotation(cycle, (id) => id);
  const fix = isSingleLockKind(kind) && fixFunction !== undefined ? [fixFunction] : [];
  // JSON keeps the parts unambiguous, exactly as lockstep hashes them.
  return crypto.createHash('sha256').update(JSON.stringify([FINGERPRINT_VERSION, kind, locks, ...fix])).digest('hex').slice(0, 32);
}
