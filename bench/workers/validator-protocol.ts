/** Cells of the control block shared by bench/validator.ts's contended rows and their workers. */
export const GO = 0; // generation number; bumped (and notified) to start a round
export const STOP = 1; // 1 ends the round
export const ARMED = 2; // how many workers are waiting at the start line
export const CONTROL_CELLS = 3;

/** How a worker takes the shared lock: `acquire()` (blocking) or `await acquireAsync()`. */
export type ContendedForm = 'blocking' | 'async';

export interface ContendedCommand {
  readonly form: ContendedForm;
  readonly on: boolean;
  readonly generation: number;
}
