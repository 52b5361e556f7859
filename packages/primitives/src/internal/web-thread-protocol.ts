/**
 * Messages between a `WebThread` and the bootstrap module its Web Worker runs. Each is tagged with
 * {@link MESSAGE_TAG} so that the user's own messages on the same worker are never taken for them.
 * This module has no imports and no side effects: the bootstrap imports it before anything else.
 */
export const MESSAGE_TAG = '@lockstep/primitives:web-thread';

/** Parent → worker, once, right after `new Worker()`. */
export interface StartMessage {
  readonly [MESSAGE_TAG]: 'start';
  /** Absolute URL of the thread's module. */
  readonly url: string;
  readonly ident: number;
  readonly name: string;
  readonly workerData: unknown;
  /** The parent's inherited values (see thread-context), for the worker and the threads it starts. */
  readonly inherited: ReadonlyMap<string, unknown>;
}

/** Worker → parent, once: the module finished (`error` unset) or threw. */
export interface EndMessage {
  readonly [MESSAGE_TAG]: 'end';
  readonly failed: boolean;
  readonly error?: unknown;
}

export function isTagged(data: unknown, kind: 'start' | 'end'): boolean {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>)[MESSAGE_TAG] === kind;
}
