/**
 * What every format shows a person for a lock: its name, never the id, unless two locks share a name.
 */
import type { LockInfo } from '../model/lock-info.js';
import type { SourceLocation } from '../model/source-location.js';

/** Maps a lock id to what a person reads, and gives access to the lock's info. */
export interface LockNamer {
  /** The lock's name; `name (id)` when another lock in the report has the same name; the id when unknown. */
  readonly name: (id: string) => string;
  readonly info: (id: string) => LockInfo | undefined;
}

function isLockList(locks: readonly LockInfo[] | ReadonlyMap<string, LockInfo>): locks is readonly LockInfo[] {
  return Array.isArray(locks);
}

/** Builds the namer for a report's locks (ids not among them are shown as they are). */
export function lockNamer(locks: readonly LockInfo[] | ReadonlyMap<string, LockInfo>): LockNamer {
  const list: Iterable<LockInfo> = isLockList(locks) ? locks : locks.values();
  const byId = new Map<string, LockInfo>();
  for (const lock of list) byId.set(lock.id, lock);
  const idsByName = new Map<string, Set<string>>();
  for (const lock of byId.values()) {
    const ids = idsByName.get(lock.name) ?? new Set<string>();
    ids.add(lock.id);
    idsByName.set(lock.name, ids);
  }
  return {
    name(id) {
      const lock = byId.get(id);
      if (lock === undefined) return id;
      // Two `Account.lock`s in different files must not read as one lock in a cycle.
      return (idsByName.get(lock.name)?.size ?? 0) > 1 ? `${lock.name} (${id})` : lock.name;
    },
    info: (id) => byId.get(id),
  };
}

/** `file:line:col`, the form editors and terminals turn into links. */
export function formatSite(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
