/**
 * Progress for long runs, on standard error and only on a terminal: a single line rewritten in place,
 * shown once a run has taken more than a moment, and erased before the report is written.
 */

const SHOW_AFTER_MS = 800;

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export class Progress {
  readonly #stream: ProgressStream;
  readonly #enabled: boolean;
  readonly #started = performance.now();
  #shown = false;

  constructor(stream: ProgressStream, enabled: boolean) {
    this.#stream = stream;
    this.#enabled = enabled && stream.isTTY === true;
  }

  phase(text: string): void {
    if (!this.#enabled) return;
    if (!this.#shown && performance.now() - this.#started < SHOW_AFTER_MS && !text.startsWith('analysing')) return;
    this.#shown = true;
    this.#stream.write(`\r\u001b[2Klockstep: ${text}…`);
  }

  done(): void {
    if (this.#shown) this.#stream.write('\r\u001b[2K');
    this.#shown = false;
  }
}
