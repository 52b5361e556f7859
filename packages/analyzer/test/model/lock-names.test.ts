/** The name-based fallback's reading of identifiers. */
import { describe, expect, it } from 'vitest';
import { flavorFromName, looksLikeLockName } from '../../src/model/lock-catalog.js';

describe('looksLikeLockName', () => {
  it.each(['lock', 'accountsLock', 'LEDGER_MUTEX', 'dbSem', 'writeSemaphore', 'tableRLock', 'rlock', 'lock-a'])('%s reads as a lock', (name) => {
    expect(looksLikeLockName(name)).toBe(true);
  });
  it.each(['clock', 'blockSize', 'locked', 'semver', 'mutexes', 'unlockedCount'])('%s does not', (name) => {
    expect(looksLikeLockName(name)).toBe(false);
  });
});

describe('flavorFromName', () => {
  it('reads reentrant and counting locks from their names', () => {
    expect(flavorFromName('tableRLock')).toBe('reentrant');
    expect(flavorFromName('rlock')).toBe('reentrant');
    expect(flavorFromName('poolSemaphore')).toBe('semaphore');
    expect(flavorFromName('DB_SEM')).toBe('semaphore');
    expect(flavorFromName('ledgerMutex')).toBe('mutex');
  });
});
