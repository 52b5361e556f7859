/**
 * Stacks, captured and read: the validator names a lock class after the line that created it and
 * shows where an order was first taken, both from V8's stack text (source-mapped where the runtime
 * maps it: vitest, tsx, `--enable-source-maps`). Capturing costs microseconds, so it happens at a
 * lock's creation and when something new is seen, never on every acquisition.
 */
import { nodeBuiltin } from '../internal/runtime.js';

/** A stack as captured: its text is formatted only when read. */
export interface CapturedStack {
  readonly stack?: string;
}

/** One parsed frame. `file` is a path (or the URL as given when it is not a `file:` URL). */
export interface Frame {
  readonly fn: string | undefined;
  readonly async: boolean;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

const FRAMES_KEPT = 40;

/** Captures the caller's stack, deep enough to get past the primitives' own frames. */
export function captureStack(): CapturedStack {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = FRAMES_KEPT;
  Error.captureStackTrace(holder, captureStack);
  Error.stackTraceLimit = limit;
  return holder;
}

const url = nodeBuiltin<{ fileURLToPath(url: string): string }>('node:url');

// `    at async Class.method (file:///a/b.ts:12:5)` or `    at file:///a/b.ts:12:5`
const FRAME = /^\s*at (?:(async )?(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

/** The frames of a stack's text that have a location (`at Array.map (<anonymous>)` has none). */
export function parseStack(captured: CapturedStack | undefined): Frame[] {
  const frames: Frame[] = [];
  for (const line of (captured?.stack ?? '').split('\n')) {
    const match = FRAME.exec(line);
    if (match === null) continue;
    const [, isAsync, fn, location, lineText, columnText] = match;
    if (location === undefined || location.startsWith('node:') || location.startsWith('<')) continue;
    // `at async file:///x.ts:1:2` (an anonymous async frame) puts `async ` in the location.
    const plain = location.startsWith('async ') ? location.slice(6) : location;
    frames.push({
      fn: fn === undefined || fn === '' ? undefined : fn,
      async: isAsync !== undefined || plain !== location,
      file: toPath(plain),
      line: Number(lineText),
      column: Number(columnText),
    });
  }
  return frames;
}

function toPath(location: string): string {
  if (!location.startsWith('file://') || url === undefined) return location;
  try {
    return url.fileURLToPath(location);
  } catch {
    return location;
  }
}

/**
 * This package's directory (`…/packages/primitives/`, or `…/node_modules/@lockstep/primitives/`):
 * frames in its `dist/` and `src/` are the primitives' own, everything else is the user's.
 */
const packageDir = (() => {
  const here = toPath(new URL('../../', import.meta.url).href);
  return here.endsWith('/') || here.endsWith('\\') ? here : `${here}/`;
})();
const ownDirs = [`${packageDir}dist`, `${packageDir}src`];

/**
 * Lock libraries the validator instruments (async-mutex, await-semaphore): their frames are the lock's
 * own too, so a site is the user's call of `mutex.runExclusive(…)` or `mutex.use(…)`, not the
 * library's inner `this.acquire(…)`.
 */
const LIBRARY_FRAME = /[\\/]node_modules[\\/](?:async-mutex|await-semaphore|tslib)[\\/]/;
/** tslib's `__awaiter`/`__generator`, which async-mutex's CommonJS build runs in: no method of a lock's. */
const HELPER_FRAME = /[\\/]node_modules[\\/]tslib[\\/]/;

/** Whether a frame is the primitives' (or the validator's, or an instrumented library's) own. */
export function isOwnFrame(frame: Frame): boolean {
  return ownDirs.some((dir) => frame.file.startsWith(dir) && (frame.file[dir.length] === '/' || frame.file[dir.length] === '\\')) || LIBRARY_FRAME.test(frame.file);
}

/**
 * An error's stack text without the primitives' frames above the user's first: a refused acquisition
 * then points at the line that asked for the lock, not at the validator's insides.
 */
export function trimOwnFrames(stack: string): string {
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((line) => FRAME.test(line));
  if (firstFrame < 0) return stack;
  let userFrame = firstFrame;
  while (userFrame < lines.length) {
    const frame = parseStack({ stack: lines[userFrame] ?? '' })[0];
    if (frame !== undefined && !isOwnFrame(frame)) break;
    userFrame++;
  }
  return userFrame >= lines.length ? stack : [...lines.slice(0, firstFrame), ...lines.slice(userFrame)].join('\n');
}

/** The frames from the first one outside the primitives on. */
export function userFrames(frames: readonly Frame[]): Frame[] {
  const first = frames.findIndex((frame) => !isOwnFrame(frame));
  return first < 0 ? [] : frames.slice(first);
}

/**
 * The primitive's method the user called: the outermost of the primitives' frames before the first
 * user frame (`Lock.runExclusive` over the `acquireAsync` it makes), as its bare method name.
 */
export function formOf(frames: readonly Frame[], fallback: string): string {
  let form: string | undefined;
  for (const frame of frames) {
    if (!isOwnFrame(frame)) break;
    if (HELPER_FRAME.test(frame.file)) continue;
    // The validator's own frames are the innermost: an outer frame of the primitives replaces them.
    const method = frame.fn === undefined ? undefined : /(?:^|\.)#?([A-Za-z_$][\w$]*)$/.exec(frame.fn)?.[1];
    if (method !== undefined) form = method;
  }
  return form ?? fallback;
}

/**
 * A frame's function as the report names it, close to `lockstep`'s names: `Class.method`, `name`,
 * `Class.constructor` (V8's `new Class`), `<module>` for a file's top level.
 */
export function functionNameOf(frame: Frame, next: Frame | undefined): string {
  const fn = frame.fn;
  if (fn === undefined) return next === undefined ? '<module>' : '<anonymous>';
  if (fn.startsWith('new ')) return `${fn.slice(4)}.constructor`;
  if (fn === 'Object.<anonymous>' || fn === 'ModuleJob.run') return '<module>';
  return fn;
}
