/**
 * Deeply nested code (a thousand parentheses, thousands of nested blocks or `else if`s, generated
 * code) makes TypeScript's recursive parser, binder and checker — and our own walker — run out of
 * stack. That is a property of one input file, so it must become an input error for that file, never
 * the end of the run.
 */

/** The message V8 gives a `RangeError` when the stack is exhausted. */
const STACK_OVERFLOW = 'Maximum call stack size exceeded';

/** Whether `error` is V8's stack overflow (and not some other `RangeError`, which is a bug to report). */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && error.message.includes(STACK_OVERFLOW);
}

/** What an input error says about a file that overflowed the stack in `stage`. */
export function tooDeepMessage(stage: 'parse' | 'bind' | 'analyse'): string {
  const what = stage === 'parse' ? 'TypeScript could not parse it' : stage === 'bind' ? 'TypeScript could not bind it' : 'it could not be analysed';
  return `nested too deeply: ${what} (${STACK_OVERFLOW}); the file is left out`;
}
