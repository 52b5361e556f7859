/**
 * Turns a captured stack into what a report shows of one acquisition: the calling function, the
 * primitive's method it called, its location and source line, and the stack outside the primitives.
 */
import { describeCurrentThread } from '../internal/thread-context.js';
import type { ValidationContext, ValidationFrame, ValidationSite } from './report.js';
import { relativeTo, sourceLine } from './source-files.js';
import { formOf, functionNameOf, isOwnFrame, parseStack, userFrames, type CapturedStack } from './stack-frames.js';

/** Frames shown per stack: enough for a call path through a few helpers. */
const FRAMES_SHOWN = 12;

/** The context a report names: this thread, and the async context number (0: its synchronous code). */
export function contextOf(asyncContext: number): ValidationContext {
  return { thread: describeCurrentThread(), asyncContext };
}

/** A site from a stack captured inside the primitives; `form` when no method of theirs is on it. */
export function siteOf(captured: CapturedStack, lock: string, form: string, context: ValidationContext, root: string): ValidationSite {
  const frames = parseStack(captured);
  // Without the primitives' frames further down too: a callback they run (runExclusive's, a Web Lock
  // request's) shows its caller's frames, not the package's.
  const users = userFrames(frames).filter((frame) => !isOwnFrame(frame));
  const first = users[0];
  const stack: ValidationFrame[] = users.slice(0, FRAMES_SHOWN).map((frame, index) => ({
    function: `${frame.async ? 'async ' : ''}${functionNameOf(frame, users[index + 1])}`,
    file: relativeTo(root, frame.file),
    line: frame.line,
    column: frame.column,
  }));
  const snippet = first === undefined ? undefined : sourceLine(first.file, first.line)?.trim();
  return {
    lock,
    function: first === undefined ? '<unknown>' : functionNameOf(first, users[1]),
    form: formOf(frames, form),
    ...(first === undefined ? {} : { location: { file: relativeTo(root, first.file), line: first.line, column: first.column } }),
    ...(snippet === undefined || snippet === '' ? {} : { snippet }),
    stack,
    context,
  };
}

/**
 * A site whose stack was not recorded (or lives in another thread): `what` stands where the function
 * would, saying why.
 */
export function unrecordedSite(lock: string, what: string, context: ValidationContext): ValidationSite {
  return { lock, function: what, form: 'acquire', stack: [], context };
}

/** `file#function` of a site: the function a single-lock finding's fingerprint names. */
export function functionIdOf(site: ValidationSite): string {
  return `${site.location?.file ?? '<unknown>'}#${site.function}`;
}

/** `thread 0 "MainThread", async context #3`. */
export function describeContext(context: ValidationContext): string {
  const thread = `thread ${context.thread.ident} ${JSON.stringify(context.thread.name)}`;
  return context.asyncContext === 0 ? `${thread} (synchronous code)` : `${thread}, async context #${context.asyncContext}`;
}
