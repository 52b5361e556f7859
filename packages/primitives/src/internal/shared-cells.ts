/**
 * Every primitive lives in `Int32Array` cells of a `SharedArrayBuffer`. Its handle is the buffer and the
 * byte offset of its first cell plus a `kind` tag, which is all another thread needs to rebuild a view on
 * the very same cells: the rebuilt primitive *is* the original, not a copy.
 */
export interface CellsHandle<K extends string = string> {
  readonly kind: K;
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  /** The lock's class for the run-time validator, when it has one (see `withName`). */
  readonly name?: string;
}

export function allocateCells(count: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(count * Int32Array.BYTES_PER_ELEMENT));
}

export function handleOf<K extends string>(kind: K, cells: Int32Array): CellsHandle<K> {
  return { kind, buffer: cells.buffer as SharedArrayBuffer, byteOffset: cells.byteOffset };
}

/** Rebuilds the cells a handle points at, with a clear error for anything that is not such a handle. */
export function cellsFromHandle(handle: unknown, kind: string, count: number): Int32Array {
  const where = `${kind}.from(handle)`;
  if (typeof handle !== 'object' || handle === null) {
    throw new TypeError(`${where}: expected the object from a ${kind}'s .handle, got ${handle === null ? 'null' : typeof handle}`);
  }
  const { kind: actual, buffer, byteOffset } = handle as Partial<CellsHandle>;
  if (actual === undefined) {
    throw new TypeError(`${where}: expected the object from a ${kind}'s .handle, got an object without a kind`);
  }
  if (actual !== kind) {
    throw new TypeError(`${where}: this handle belongs to ${article(String(actual))} ${String(actual)}, not ${article(kind)} ${kind}`);
  }
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new TypeError(`${where}: handle.buffer must be a SharedArrayBuffer`);
  }
  const bytes = count * Int32Array.BYTES_PER_ELEMENT;
  if (typeof byteOffset !== 'number' || !Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % 4 !== 0 || byteOffset + bytes > buffer.byteLength) {
    throw new RangeError(`${where}: handle.byteOffset ${String(byteOffset)} does not address ${bytes} bytes inside its buffer`);
  }
  return new Int32Array(buffer, byteOffset, count);
}

/** `a` or `an`, for a primitive's name in a message. */
function article(name: string): string {
  return /^[AEIOU]/i.test(name) ? 'an' : 'a';
}
