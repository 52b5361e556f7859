import { DefaultSerializer, deserialize } from 'node:v8';
import { ItemDecodeError } from '../errors.js';

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

/**
 * Node's serializer copies the bytes of every typed array and `DataView`, shared ones too, so a view
 * on a `SharedArrayBuffer` would arrive as an unshared copy: a silent change of meaning. Items are
 * documented to hold no shared memory, so such a view is refused like the buffer itself.
 */
class ItemSerializer extends DefaultSerializer {
  // Node's hook for array buffer views; public in Node, missing from @types/node.
  _writeHostObject(object: object): void {
    if (ArrayBuffer.isView(object) && object.buffer instanceof SharedArrayBuffer) throw sharedMemoryRefused(object);
    (DefaultSerializer.prototype as unknown as HostObjectWriter)._writeHostObject.call(this, object);
  }
}

interface HostObjectWriter {
  readonly _writeHostObject: (this: DefaultSerializer, object: object) => void;
}

export function encodeItem(item: unknown): EncodedItem {
  if (typeof item === 'number') return { tag: ItemTag.Number, bytes: undefined, number: item, payloadLength: 8 };
  if (item instanceof Uint8Array && item.constructor === Uint8Array) {
    if (item.buffer instanceof SharedArrayBuffer) throw sharedMemoryRefused(item);
    return { tag: ItemTag.Bytes, bytes: item, number: 0, payloadLength: item.byteLength };
  }
  if (typeof item === 'string') {
    const bytes = textEncoder.encode(item);
    return { tag: ItemTag.String, bytes, number: 0, payloadLength: bytes.byteLength };
  }
  let bytes: Uint8Array;
  try {
    const serializer = new ItemSerializer();
    serializer.writeHeader();
    serializer.writeValue(item);
    bytes = serializer.releaseBuffer();
  } catch (error) {
    if (error instanceof SharedMemoryRefused) throw error;
    throw new TypeError(`Queue.put(): the item cannot be cloned to another thread (${(error as Error).message})`, { cause: error });
  }
  return { tag: ItemTag.Clone, bytes, number: 0, payloadLength: bytes.byteLength };
}

/**
 * Turns a record copied out of the arena back into the item.
 * @throws ItemDecodeError when this thread cannot rebuild it (too deep for its stack, out of memory).
 */
export function decodeItem(tag: ItemTag, payload: Uint8Array | undefined, number: number): unknown {
  switch (tag) {
    case ItemTag.Number:
      return number;
    case ItemTag.Bytes:
      return payload;
    case ItemTag.String:
      return textDecoder.decode(payload);
    case ItemTag.Clone:
      try {
        return deserialize(payload!);
      } catch (error) {
        throw new ItemDecodeError(`a queue item cannot be rebuilt on this thread (${(error as Error).message})`, { cause: error });
      }
  }
}

/** A TypeError, as for every item that cannot be queued; its own class so it is not wrapped as a clone failure. */
class SharedMemoryRefused extends TypeError {
  override get name(): string {
    return 'TypeError';
  }
}

function sharedMemoryRefused(view: ArrayBufferView): SharedMemoryRefused {
  return new SharedMemoryRefused(
    `Queue.put(): the item holds a view (${view.constructor.name}) on a SharedArrayBuffer; queue items are copies and cannot share memory, send the buffer with postMessage or workerData instead`,
  );
}
