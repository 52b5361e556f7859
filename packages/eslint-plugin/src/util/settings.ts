/**
 * Reading `settings.lockstep` from the ESLint config. It takes the same `lockTypes` as the analyzer's
 * `lockstep.config.json`, so one description of a team's own lock classes serves both tools.
 */
import path from 'node:path';
import type { LockTypeConfig } from '@lockstep/analyzer';

/** The lock flavors a user lock type may declare (the analyzer's `LockFlavor`). */
const FLAVORS = ['mutex', 'reentrant', 'semaphore'] as const;
const METHOD_ROLES = ['acquire', 'tryAcquire', 'release', 'scoped', 'hold'] as const;
const TAKING_ROLES = ['acquire', 'tryAcquire', 'scoped', 'hold'] as const;
const LOCK_TYPE_KEYS: readonly string[] = ['name', 'module', 'flavor', ...METHOD_ROLES];
const SETTINGS_KEYS: readonly string[] = ['lockTypes'];

/** `settings.lockstep` as users write it: every field optional except a lock type's `name`. */
export interface LockstepSettings {
  readonly lockTypes?: readonly LockTypeSetting[];
}

/** One entry of `settings.lockstep.lockTypes`, as in the analyzer's config file. */
export interface LockTypeSetting {
  readonly name: string;
  /** A package name, or a path relative to ESLint's working directory. */
  readonly module?: string;
  readonly flavor?: (typeof FLAVORS)[number];
  readonly acquire?: readonly string[];
  readonly tryAcquire?: readonly string[];
  readonly release?: readonly string[];
  readonly scoped?: readonly string[];
  readonly hold?: readonly string[];
}

/** What the rules need from the settings, defaults applied. */
export interface ResolvedSettings {
  readonly lockTypes: readonly LockTypeConfig[];
  /** Identifies equal settings, so analyses made with them can be shared. */
  readonly key: string;
}

/** A `settings.lockstep` that is not what the plugin expects. */
export class LockstepSettingsError extends Error {
  constructor(detail: string) {
    super(`@lockstep/eslint-plugin: invalid settings: ${detail}`);
    this.name = 'LockstepSettingsError';
  }
}

// Settings objects are shared by every file a config block applies to: validate each object once.
const resolvedBySettings = new WeakMap<object, Map<string, ResolvedSettings>>();
const EMPTY: ResolvedSettings = { lockTypes: [], key: '[]' };

/**
 * Validates `settings.lockstep` and applies the defaults of the analyzer's config (flavor `mutex`,
 * empty method lists). A `module` starting with `.` is resolved against `cwd`, as the analyzer resolves
 * it against its config file's directory.
 *
 * @throws {LockstepSettingsError} naming the faulty setting, so a typo does not silently disable a lock type.
 */
export function resolveSettings(settings: Readonly<Record<string, unknown>>, cwd: string): ResolvedSettings {
  const raw = settings['lockstep'];
  if (raw === undefined) return EMPTY;
  if (!isRecord(raw)) throw new LockstepSettingsError('settings.lockstep must be an object');
  let byCwd = resolvedBySettings.get(raw);
  const cached = byCwd?.get(cwd);
  if (cached !== undefined) return cached;

  for (const key of Object.keys(raw)) {
    if (!SETTINGS_KEYS.includes(key)) throw new LockstepSettingsError(`unknown key settings.lockstep.${key} (expected ${SETTINGS_KEYS.join(', ')})`);
  }
  const list = raw['lockTypes'];
  let lockTypes: LockTypeConfig[] = [];
  if (list !== undefined) {
    if (!Array.isArray(list)) throw new LockstepSettingsError('settings.lockstep.lockTypes must be an array of lock types');
    lockTypes = list.map((item: unknown, index) => lockType(item, `settings.lockstep.lockTypes[${index}]`, cwd));
  }
  const resolved: ResolvedSettings = { lockTypes, key: JSON.stringify(lockTypes) };
  if (byCwd === undefined) resolvedBySettings.set(raw, (byCwd = new Map<string, ResolvedSettings>()));
  byCwd.set(cwd, resolved);
  return resolved;
}

function lockType(item: unknown, at: string, cwd: string): LockTypeConfig {
  if (!isRecord(item)) throw new LockstepSettingsError(`${at} must be an object`);
  for (const key of Object.keys(item)) {
    if (!LOCK_TYPE_KEYS.includes(key)) throw new LockstepSettingsError(`unknown key ${at}.${key} (expected ${LOCK_TYPE_KEYS.join(', ')})`);
  }
  const name = item['name'];
  if (typeof name !== 'string' || name === '') throw new LockstepSettingsError(`${at}.name must be a non-empty string (the class or interface name)`);
  let module = item['module'];
  if (module !== undefined) {
    if (typeof module !== 'string' || module === '') throw new LockstepSettingsError(`${at}.module must be a non-empty string (a package name or a relative path)`);
    if (module.startsWith('.')) module = path.resolve(cwd, module);
  }
  const flavorValue = item['flavor'] ?? 'mutex';
  const flavor = FLAVORS.find((candidate) => candidate === flavorValue);
  if (flavor === undefined) throw new LockstepSettingsError(`${at}.flavor must be one of ${FLAVORS.map((f) => `"${f}"`).join(', ')}`);

  const methods = {} as Record<(typeof METHOD_ROLES)[number], string[]>;
  const roleOf = new Map<string, string>();
  for (const role of METHOD_ROLES) {
    const value = item[role] ?? [];
    if (!Array.isArray(value) || !value.every((method): method is string => typeof method === 'string' && method !== '')) {
      throw new LockstepSettingsError(`${at}.${role} must be an array of method names`);
    }
    for (const method of value) {
      const earlier = roleOf.get(method);
      // The lock model maps each method to one role; a second role would silently replace the first.
      if (earlier !== undefined && earlier !== role) throw new LockstepSettingsError(`${at}.${role}: "${method}" is already listed in ${earlier}: a method has one role`);
      roleOf.set(method, role);
    }
    methods[role] = value;
  }
  if (TAKING_ROLES.every((role) => methods[role].length === 0)) {
    throw new LockstepSettingsError(`${at} ("${name}") has no method that takes the lock: list at least one in acquire, tryAcquire, scoped or hold`);
  }
  return { name, ...(typeof module === 'string' ? { module } : {}), flavor, ...methods };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
