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
  // Wake locks keep a device awake and exclude nobody (Android's PowerManager.WakeLock, the Screen Wake
  // Lock API's WakeLockSentinel): a name with the word `wake` is never a lock.
  it.each(['wakeLock', 'wake_lock', 'WAKE_LOCK', 'WakeLockSentinel', 'screenWakeLock', 'cpuWakeLockMutex', 'wake-lock'])('%s is a wake lock, not a lock', (name) => {
    expect(looksLikeLockName(name)).toBe(false);
  });
  it.each(['awakeLock', 'wakeupLock', 'wakerMutex'])('%s has no word `wake` and still reads as a lock', (name) => {
    expect(looksLikeLockName(name)).toBe(true);
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
