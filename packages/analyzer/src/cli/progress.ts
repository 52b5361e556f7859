/**
 * Progress for long runs, on standard error and only on a terminal: a single line rewritten in place,
 * shown once a run has taken more than a moment, and erased before the report is written.
 */

const SHOW_AFTER_MS = 800;
/** A count is redrawn at most this often: a terminal write per file would slow a big run down. */
const REDRAW_MS = 100;

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export class Progress {
  readonly #stream: ProgressStream;
  readonly #enabled: boolean;
  readonly #started = performance.now();
  #shown = false;
  #drawn = 0;

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

  /**
   * The phase with how far it got (`parsing files: 1200`, `analysing files: 40/120`), redrawn at most
   * every {@link REDRAW_MS} ms.
   */
  count(phase: string, done: number, total?: number): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#drawn < REDRAW_MS || now - this.#started < SHOW_AFTER_MS) return;
    this.#drawn = now;
    this.#shown = true;
    this.#stream.write(`\r\u001b[2Klockstep: ${phase}: ${done}${total === undefined ? '' : `/${total}`}…`);
  }

  done(): void {
    if (this.#shown) this.#stream.write('\r\u001b[2K');
    this.#shown = false;
  }
}
