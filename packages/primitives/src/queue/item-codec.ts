import { ItemDecodeError } from '../errors.js';
import { decode, decodeRange, decodeString, decodeStringRange } from './codec/decoder.js';
import { Encoder } from './codec/encoder.js';
import { CloneRefused, SharedMemoryRefused, sharedViewRefused } from './codec/refusals.js';
import type { Writer } from './codec/writer.js';

/**
 * How a queue item is stored in shared memory. Numbers and byte arrays skip serialization (the fast
 * path); a string is stored as the codec stores strings (ASCII, UTF-8, or UTF-16 when that decodes
 * faster, lone surrogates kept) without the codec's header; everything else goes through our structured-clone codec (`codec/`), so an
 * item arrives as `postMessage` would deliver it (the differences are in docs/primitives.md). Nothing
 * here needs Node: the codec uses only `TextEncoder`, `TextDecoder` and typed arrays.
 */
export const enum ItemTag {
  Number = 1,
  Bytes = 2,
  String = 3,
  Clone = 4,
}

export interface EncodedItem {
  readonly tag: ItemTag;
  /** Payload bytes; unused for numbers, whose payload is the 8 bytes of a float64. */
  readonly bytes: Uint8Array | undefined;
  readonly number: number;
  readonly payloadLength: number;
}

/** This thread's encoder, reused item after item (see `Encoder.busy`). */
const encoder = new Encoder();

export function encodeItem(item: unknown): EncodedItem {
  if (typeof item === 'number') return { tag: ItemTag.Number, bytes: undefined, number: item, payloadLength: 8 };
  if (isBytes(item)) return { tag: ItemTag.Bytes, bytes: item, number: 0, payloadLength: item.byteLength };
  if (typeof item === 'string') {
    const bytes = (encoder.busy ? new Encoder() : encoder).encodeString(item);
    return { tag: ItemTag.String, bytes, number: 0, payloadLength: bytes.byteLength };
  }
  let bytes: Uint8Array;
  try {
    bytes = (encoder.busy ? new Encoder() : encoder).encode(item);
  } catch (error) {
    throw cloneFailure(error);
  }
  return { tag: ItemTag.Clone, bytes, number: 0, payloadLength: bytes.byteLength };
}

/**
 * Writes an item other than a number as {@link encodeItem} encodes it, into `writer` at its position
 * (`encoder` writes there too), and leaves it unfinished for the caller; a byte array is copied.
 * Returns its tag. Accepts and refuses exactly what `encodeItem` does, with the same errors.
 */
export function writeItem(encoder: Encoder, writer: Writer, item: unknown): ItemTag {
  if (isBytes(item)) {
    try {
      writer.raw(item);
    } catch (error) {
      // A Uint8Array whose buffer was transferred away (detached) cannot be read.
      throw cloneFailure(error);
    }
    return ItemTag.Bytes;
  }
  if (typeof item === 'string') {
    encoder.writeString(item);
    return ItemTag.String;
  }
  try {
    encoder.write(item);
  } catch (error) {
    throw cloneFailure(error);
  }
  return ItemTag.Clone;
}

/** An exact `Uint8Array` (not a subclass: a `Buffer` takes the general path), on memory of its own. */
function isBytes(item: unknown): item is Uint8Array {
  if (!(item instanceof Uint8Array) || item.constructor !== Uint8Array) return false;
  if (item.buffer instanceof SharedArrayBuffer) throw sharedViewRefused(item);
  return true;
}

function cloneFailure(error: unknown): Error {
  if (error instanceof CloneRefused || error instanceof SharedMemoryRefused) return error;
  return new TypeError(`Queue.put(): the item cannot be cloned to another thread (${(error as Error).message})`, { cause: error });
}

/**
 * Turns a record copied out of the arena back into the item.
 * @throws ItemDecodeError when this thread cannot rebuild it (too deep for its stack, out of memory,
 *   bytes that are not an item).
 */
export function decodeItem(tag: ItemTag, payload: Uint8Array | undefined, number: number): unknown {
  switch (tag) {
    case ItemTag.Number:
      return number;
    case ItemTag.Bytes:
      return payload;
    case ItemTag.String:
      try {
        return decodeString(payload!);
      } catch (error) {
        throw new ItemDecodeError(`a queue item cannot be rebuilt on this thread (${(error as Error).message})`, { cause: error });
      }
    case ItemTag.Clone:
      try {
        return decode(payload!);
      } catch (error) {
        throw new ItemDecodeError(`a queue item cannot be rebuilt on this thread (${(error as Error).message})`, { cause: error });
      }
  }
}

/**
 * {@link decodeItem} of a string or general record's payload where it lies, `bytes[start, end)` (a
 * batch's scratch copy), without a view of its own; `view` is a DataView of all of `bytes`.
 * @throws ItemDecodeError as `decodeItem` does.
 */
export function decodeItemAt(tag: ItemTag.String | ItemTag.Clone, bytes: Uint8Array, view: DataView, start: number, end: number): unknown {
  try {
    return tag === ItemTag.String ? decodeStringRange(bytes, start, end, view) : decodeRange(bytes, start, end, view);
  } catch (error) {
    throw new ItemDecodeError(`a queue item cannot be rebuilt on this thread (${(error as Error).message})`, { cause: error });
  }
}
