import { deserialize, serialize } from 'node:v8';

/**
 * How a queue item is stored in shared memory. Numbers and byte arrays skip serialization (the fast
 * path); strings are UTF-8 so a PriorityQueue can compare them cheaply; everything else goes through
 * V8's structured-clone serializer, so an item arrives exactly as `postMessage` would deliver it.
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

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function encodeItem(item: unknown): EncodedItem {
  if (typeof item === 'number') return { tag: ItemTag.Number, bytes: undefined, number: item, payloadLength: 8 };
  if (item instanceof Uint8Array && item.constructor === Uint8Array) {
    return { tag: ItemTag.Bytes, bytes: item, number: 0, payloadLength: item.byteLength };
  }
  if (typeof item === 'string') {
    const bytes = textEncoder.encode(item);
    return { tag: ItemTag.String, bytes, number: 0, payloadLength: bytes.byteLength };
  }
  let bytes: Uint8Array;
  try {
    bytes = serialize(item);
  } catch (error) {
    throw new TypeError(`Queue.put(): the item cannot be cloned to another thread (${(error as Error).message})`, { cause: error });
  }
  return { tag: ItemTag.Clone, bytes, number: 0, payloadLength: bytes.byteLength };
}

/** Turns a record copied out of the arena back into the item. */
export function decodeItem(tag: ItemTag, payload: Uint8Array | undefined, number: number): unknown {
  switch (tag) {
    case ItemTag.Number:
      return number;
    case ItemTag.Bytes:
      return payload;
    case ItemTag.String:
      return textDecoder.decode(payload);
    case ItemTag.Clone:
      return deserialize(payload!);
  }
}
