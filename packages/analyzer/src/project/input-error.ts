/** Problems with the input (paths, tsconfig, files, config): reported, never fatal to the rest of a run. */

export type InputErrorCode = 'missing-path' | 'tsconfig' | 'parse' | 'config' | 'read' | 'usage';

/** A problem with the input that kept some of it from being analysed. Never fatal to the rest. */
export interface InputError {
  readonly code: InputErrorCode;
  /** The file concerned (relative to the root when inside it). */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}
