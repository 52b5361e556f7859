/** Problems with the input (paths, tsconfig, files, config): reported, never fatal to the rest of a run. */

/**
 * `too-deep`: a file nested so deeply (thousands of parentheses, blocks, `else if`s) that parsing,
 * binding or analysing it ran out of stack; it is left out of the program.
 */
export type InputErrorCode = 'missing-path' | 'tsconfig' | 'parse' | 'too-deep' | 'config' | 'read' | 'usage';

/** A problem with the input that kept some of it from being analysed. Never fatal to the rest. */
export interface InputError {
  readonly code: InputErrorCode;
  /** The file concerned (relative to the root when inside it). */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}
