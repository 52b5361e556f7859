/** How reports name locks: by name, and by id only where two locks share a name. */
import type { LockValidationReport, ValidatedLock } from './report.js';

/** Lock names, never ids, unless two locks share a name (as `lockstep`'s lock namer). */
export function lockNamer(reports: readonly LockValidationReport[]): (id: string) => string {
  const byId = new Map<string, ValidatedLock>();
  for (const report of reports) for (const lock of report.lockInfo) byId.set(lock.id, lock);
  const named = new Map<string, number>();
  for (const lock of byId.values()) named.set(lock.name, (named.get(lock.name) ?? 0) + 1);
  return (id) => {
    const lock = byId.get(id);
    if (lock === undefined) return id;
    return (named.get(lock.name) ?? 0) > 1 ? `${lock.name} (${id})` : lock.name;
  };
}
