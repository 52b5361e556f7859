/**
 * The lock types a run recognises: the built-in catalog plus the entries of the config file's (or the
 * ESLint settings') `lockTypes`, turned into the model's form.
 */
import { BUILT_IN_LOCK_TYPES, methodRoles, type LockType } from '../model/lock-catalog.js';
import type { LockTypeConfig } from './config-model.js';

/** The built-in catalog plus the user's lock types. */
export function lockTypesWith(configured: readonly LockTypeConfig[]): readonly LockType[] {
  const user: LockType[] = configured.map((config) => ({
    name: config.name,
    ...(config.module === undefined ? {} : { module: config.module }),
    flavor: config.flavor,
    source: 'config',
    methods: methodRoles({
      acquire: config.acquire,
      tryAcquire: config.tryAcquire,
      release: config.release,
      scoped: config.scoped,
      hold: config.hold,
    }),
  }));
  // A user's entry for a built-in name wins: they may declare extra methods on it.
  return [...user, ...BUILT_IN_LOCK_TYPES];
}
