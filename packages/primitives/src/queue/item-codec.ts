import { ItemDecodeError } from '../errors.js';
import { decode, decodeString } from './codec/decoder.js';
import { Encoder } from './codec/encoder.js';
import { CloneRefused, SharedMemoryRefused, sharedViewRefused } from './codec/refusals.js';

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
  if (item instanceof Uint8Array && item.constructor === Uint8Array) {
    if (item.buffer instanceof SharedArrayBuffer) throw sharedViewRefused(item);
    return { tag: ItemTag.Bytes, bytes: item, number: 0, payloadLength: item.byteLength };
  }
  if (typeof item === 'string') {
    const bytes = (encoder.busy ? new Encoder() : encoder).encodeString(item);
    return { tag: ItemTag.String, bytes, number: 0, payloadLength: bytes.byteLength };
  }
  let bytes: Uint8Array;
  try {
    bytes = (encoder.busy ? new Encoder() : encoder).encode(item);
  } catch (error) {
    if (error instanceof CloneRefused || error instanceof SharedMemoryRefused) throw error;
    throw new TypeError(`Queue.put(): the item cannot be cloned to another thread (${(error as Error).message})`, { cause: error });
  }
  return { tag: ItemTag.Clone, bytes, number: 0, payloadLength: bytes.byteLength };
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
