/** Cells of the control block shared by bench/contended-counter.ts and its workers. */
export const GO = 0; // generation number; bumped (and notified) to start a round
export const STOP = 1; // 1 ends the round
export const ARMED = 2; // how many workers are waiting at the start line
export const CONTROL_CELLS = 3;

export type CounterVariant = 'lockstep' | 'spin' | 'multithreading';
