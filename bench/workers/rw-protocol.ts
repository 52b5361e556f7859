/** Cells of the control block shared by bench/contended-read-heavy.ts and its workers. */
export const GO = 0; // generation number; bumped (and notified) to start a round
export const STOP = 1; // 1 ends the round
export const ARMED = 2; // how many workers are waiting at the start line
export const CONTROL_CELLS = 3;

/** One write in this many operations; the others read. */
export const WRITE_EVERY = 10;
/** Cells of the table the readers sum and the writers bump. */
export const TABLE_CELLS = 16;

export type RwVariant = 'lockstep-rw' | 'lockstep-lock' | 'multithreading-rw';
