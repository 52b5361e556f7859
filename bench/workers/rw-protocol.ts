/** Cells of the control block shared by bench/contended-read-heavy.ts and its workers. */
export const GO = 0; // generation number; bumped (and notified) to start a round
export const STOP = 1; // 1 ends the round
export const ARMED = 2; // how many workers are waiting at the start line
export const CONTROL_CELLS = 3;

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
