import { MalformedItem, Reader } from './reader.js';
import { BoxedKind, ERROR_CONSTRUCTORS, ErrorField, HAS_REFS, HEADER, PackedKind, Tag, VIEW_CONSTRUCTORS } from './tags.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const canLimitStackTraces = typeof (Error as { stackTraceLimit?: unknown }).stackTraceLimit === 'number';
const hidden = { writable: true, enumerable: false, configurable: true } as const;

/**
 * Rebuilds an item from the bytes `Encoder` wrote. Recursive like the encoder, so an item too deep for
 * this thread's stack fails with a `RangeError` (which `decodeItem` wraps in `ItemDecodeError`).
 * Objects are created before their contents are read and, when the item has back-references, kept in
 * the order they were met, so a `Ref` finds its object, cycles included.
 */
export function decode(bytes: Uint8Array): unknown {
  return decodeRange(bytes, 0, bytes.length, undefined);
}

/** {@link decode} of the item at `bytes[start, end)`; `view`, if given, is a DataView of all of `bytes`. */
export function decodeRange(bytes: Uint8Array, start: number, end: number, view: DataView | undefined): unknown {
  const decoder = takeDecoder(bytes, start, end, view);
  try {
    const reader = decoder.reader;
    const header = reader.byte();
    if ((header & ~HAS_REFS) !== HEADER) throw new MalformedItem('not an item of this version of the package');
    decoder.refs = (header & HAS_REFS) === 0 ? undefined : [];
    const value = decoder.value();
    if (reader.position !== reader.end) throw new MalformedItem('bytes are left after the item');
    return value;
  } finally {
    releaseDecoder(decoder);
  }
}

/** A string alone, as `Encoder.writeString` wrote it. */
export function decodeString(bytes: Uint8Array): string {
  return decodeStringRange(bytes, 0, bytes.length, undefined);
}

/** {@link decodeString} of the string at `bytes[start, end)`. */
export function decodeStringRange(bytes: Uint8Array, start: number, end: number, view: DataView | undefined): string {
  const decoder = takeDecoder(bytes, start, end, view);
  try {
    const value = decoder.string();
    if (decoder.reader.position !== decoder.reader.end) throw new MalformedItem('bytes are left after the item');
    return value;
  } finally {
    releaseDecoder(decoder);
  }
}

// One decoder (and its reader) serves item after item: decoding allocates nothing but the item. It is
// taken while in use, so a decode that somehow starts inside another gets a fresh one.
let idle: Decoder | undefined = undefined;

function takeDecoder(bytes: Uint8Array, start: number, end: number, view: DataView | undefined): Decoder {
  const decoder = idle;
  if (decoder === undefined) return new Decoder(new Reader(bytes, start, end, view));
  idle = undefined;
  decoder.reader.reset(bytes, start, end, view);
  return decoder;
}

function releaseDecoder(decoder: Decoder): void {
  // Nothing of the item stays reachable from the idle decoder.
  decoder.refs = undefined;
  decoder.reader.reset(EMPTY, 0, 0, undefined);
  idle = decoder;
}

const EMPTY = new Uint8Array(0);

class Decoder {
  readonly reader: Reader;
  refs: unknown[] | undefined = undefined;

  constructor(reader: Reader) {
    this.reader = reader;
  }

  value(): unknown {
    const reader = this.reader;
    const tag = reader.byte();
    if (tag >= Tag.SmallInt) return tag - Tag.SmallInt;
    switch (tag) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.True:
        return true;
      case Tag.False:
        return false;
      case Tag.Int:
        return reader.int();
      case Tag.Float:
        return reader.float();
      case Tag.BigInt:
        return this.#bigint();
      case Tag.Ascii:
        return reader.ascii(reader.varint());
      case Tag.Utf8:
        return reader.utf8(reader.varint());
      case Tag.Utf16:
        return reader.utf16(reader.varint(), true);
      case Tag.Utf16Lone:
        return reader.utf16(reader.varint(), false);
      // Plain objects and arrays are read here, not in methods of their own: one stack frame per level
      // of nesting, which sets how deep an item this thread can rebuild.
      case Tag.Object: {
        const count = reader.varint();
        const object: Record<string, unknown> = {};
        this.refs?.push(object);
        for (let i = 0; i < count; i++) {
          const key = this.#key();
          const value = this.value();
          // An own "__proto__" key stays a key, as structured clone keeps it; assigning would set the prototype.
          if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
          else object[key] = value;
        }
        return object;
      }
      case Tag.Array: {
        const length = reader.varint();
        const array: unknown[] = [];
        this.refs?.push(array);
        for (let i = 0; i < length; i++) {
          if (reader.peek() === Tag.SparseArray) {
            reader.position++;
            this.#sparseRest(array, length);
            break;
          }
          array.push(this.value());
        }
        return array;
      }
      case Tag.PackedArray:
        return this.#packedArray();
      case Tag.Map:
        return this.#map();
      case Tag.Set:
        return this.#set();
      case Tag.Date:
        return this.#remember(new Date(reader.float()));
      case Tag.RegExp: {
        const source = this.string();
        return this.#remember(new RegExp(source, this.string()));
      }
      case Tag.Error:
        return this.#error();
      case Tag.ArrayBuffer:
        return this.#remember(this.#arrayBuffer());
      case Tag.View:
        return this.#remember(this.#view());
      case Tag.Boxed:
        return this.#boxed();
      case Tag.Ref:
        return this.#ref();
      default:
        throw new MalformedItem(tag === undefined ? 'the item is truncated' : `unknown tag 0x${tag.toString(16)}`);
    }
  }

  #remember<T>(object: T): T {
    this.refs?.push(object);
    return object;
  }

  #ref(): unknown {
    const index = this.reader.varint();
    if (this.refs === undefined || index >= this.refs.length) throw new MalformedItem('a reference to an object not yet met');
    return this.refs[index];
  }

  /** A string with its tag (object keys, RegExp and Error fields, a string item). */
  string(): string {
    const reader = this.reader;
    const tag = reader.byte();
    if (tag === Tag.Ascii) return reader.ascii(reader.varint());
    if (tag === Tag.Utf8) return reader.utf8(reader.varint());
    if (tag === Tag.Utf16) return reader.utf16(reader.varint(), true);
    if (tag === Tag.Utf16Lone) return reader.utf16(reader.varint(), false);
    throw new MalformedItem('a string was expected');
  }

  /** An object key: usually short ASCII, which the reader may have cached. */
  #key(): string {
    const reader = this.reader;
    if (reader.peek() === Tag.Ascii) {
      reader.position++;
      return reader.asciiKey(reader.varint());
    }
    return this.string();
  }

  #bigint(): bigint {
    const reader = this.reader;
    const negative = reader.byte() === 1;
    const magnitude = BigInt(`0x${reader.ascii(reader.varint())}`);
    return negative ? -magnitude : magnitude;
  }

  #sparseRest(array: unknown[], length: number): void {
    const reader = this.reader;
    const count = reader.varint();
    let next = array.length;
    for (let i = 0; i < count; i++) {
      const index = reader.varint();
      if (index < next || index >= length) throw new MalformedItem('array indices out of order');
      array[index] = this.value();
      next = index + 1;
    }
    array.length = length;
  }

  #packedArray(): number[] {
    const reader = this.reader;
    const length = reader.varint();
    const kind = reader.byte();
    if (kind !== PackedKind.Int32 && kind !== PackedKind.Float64) throw new MalformedItem('unknown packed array kind');
    const size = kind === PackedKind.Int32 ? 4 : 8;
    reader.position += -reader.position & (size - 1);
    reader.need(length * size);
    const array: number[] = [];
    this.refs?.push(array);
    const offset = reader.bytes.byteOffset + reader.position;
    if (offset % size === 0) {
      const source = kind === PackedKind.Int32 ? new Int32Array(reader.bytes.buffer, offset, length) : new Float64Array(reader.bytes.buffer, offset, length);
      for (let i = 0; i < length; i++) array.push(source[i]!);
    } else {
      const view = reader.view;
      const start = reader.position;
      if (kind === PackedKind.Int32) for (let i = 0; i < length; i++) array.push(view.getInt32(start + 4 * i, LITTLE_ENDIAN));
      else for (let i = 0; i < length; i++) array.push(view.getFloat64(start + 8 * i, LITTLE_ENDIAN));
    }
    reader.position += length * size;
    return array;
  }

  #map(): Map<unknown, unknown> {
    const count = this.reader.varint();
    const map = new Map<unknown, unknown>();
    this.refs?.push(map);
    for (let i = 0; i < count; i++) {
      const key = this.value();
      map.set(key, this.value());
    }
    return map;
  }

  #set(): Set<unknown> {
    const count = this.reader.varint();
    const set = new Set<unknown>();
    this.refs?.push(set);
    for (let i = 0; i < count; i++) set.add(this.value());
    return set;
  }

  #error(): Error {
    const reader = this.reader;
    const Constructor = ERROR_CONSTRUCTORS[reader.byte()];
    if (Constructor === undefined) throw new MalformedItem('unknown error kind');
    const fields = reader.byte();
    const message = (fields & ErrorField.Message) === 0 ? undefined : this.string();
    const stack = (fields & ErrorField.Stack) === 0 ? undefined : this.string();
    const error = withoutStackTrace(Constructor, message);
    if (stack !== undefined) Object.defineProperty(error, 'stack', { value: stack, ...hidden });
    this.refs?.push(error);
    if ((fields & ErrorField.Cause) !== 0) Object.defineProperty(error, 'cause', { value: this.value(), ...hidden });
    return error;
  }

  #arrayBuffer(): ArrayBuffer {
    const reader = this.reader;
    const byteLength = reader.varint();
    if (reader.byte() === 0) return reader.copy(byteLength);
    const maxByteLength = reader.varint();
    reader.need(byteLength);
    const buffer = new ArrayBuffer(byteLength, { maxByteLength });
    new Uint8Array(buffer).set(reader.bytes.subarray(reader.position, reader.position + byteLength));
    reader.position += byteLength;
    return buffer;
  }

  #view(): ArrayBufferView {
    const reader = this.reader;
    const Constructor = VIEW_CONSTRUCTORS[reader.byte()];
    if (Constructor === undefined) throw new MalformedItem('unknown view kind');
    const length = reader.varint();
    const elementSize = (Constructor as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    return new Constructor(reader.copy(length * elementSize), 0, length);
  }

  #boxed(): object {
    const reader = this.reader;
    const kind = reader.byte();
    const primitive = this.value();
    const expected = kind === BoxedKind.Boolean ? 'boolean' : kind === BoxedKind.Number ? 'number' : kind === BoxedKind.String ? 'string' : kind === BoxedKind.BigInt ? 'bigint' : undefined;
    if (expected === undefined || typeof primitive !== expected) throw new MalformedItem('a malformed boxed primitive');
    return this.#remember(Object(primitive) as object);
  }
}

/** A real error of that class, without paying for a stack trace that the item's own replaces. */
function withoutStackTrace(Constructor: ErrorConstructor, message: string | undefined): Error {
  if (!canLimitStackTraces) return message === undefined ? new Constructor() : new Constructor(message);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return message === undefined ? new Constructor() : new Constructor(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
