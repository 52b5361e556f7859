/** Commands of bench/validator.ts's contended rows to their workers (the start line: bench/lib/start-line.ts). */

/** How a worker takes the shared lock: `acquire()` (blocking) or `await acquireAsync()`. */
export type ContendedForm = 'blocking' | 'async';

export interface ContendedCommand {
  readonly form: ContendedForm;
  readonly on: boolean;
  readonly generation: number;
}
