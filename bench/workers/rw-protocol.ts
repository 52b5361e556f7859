/** Shared by bench/contended-read-heavy.ts, bench/web-locks-read-heavy.ts and their workers (the start line: bench/lib/start-line.ts). */

/** One write in this many operations; the others read. */
export const WRITE_EVERY = 10;
/** Cells of the table the readers sum and the writers bump. */
export const TABLE_CELLS = 16;

/** Reads every cell; false when they differ (a write was in progress: a torn read). */
export function readTable(table: Int32Array): boolean {
  const first = table[0]!;
  let same = true;
  for (let i = 1; i < TABLE_CELLS; i++) if (table[i] !== first) same = false;
  return same;
}

/** Bumps every cell, one at a time. */
export function writeTable(table: Int32Array): void {
  for (let i = 0; i < TABLE_CELLS; i++) table[i] = table[i]! + 1;
}

export type RwVariant = 'lockstep-rw' | 'lockstep-lock' | 'multithreading-rw';
