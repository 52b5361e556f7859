// Plain constant objects rather than enums: the format's bytes are numbers, compared with numbers read.

/**
 * The byte format of a queue item that takes the general path (`ItemTag.Clone`). Every value starts
 * with one tag byte; integers and lengths that follow are unsigned LEB128 varints, floats are 8 bytes
 * little-endian. The format only lives in the shared memory of one process, so it needs no stability
 * across versions, but it starts with a header byte that a reader checks, so bytes of another version
 * of this package (two copies loaded in one process) fail with `ItemDecodeError` instead of decoding
 * wrongly.
 */

/** The first byte: `HEADER`, or `HEADER | HAS_REFS` when the item holds back-references. */
export const HEADER = 0xa0;
/** Set in the header when some object is met twice: the reader then remembers every object it builds. */
export const HAS_REFS = 0x01;

export const Tag = {
  Undefined: 0x00,
  Null: 0x01,
  True: 0x02,
  False: 0x03,
  /** A signed 32-bit integer, zigzag varint. */
  Int: 0x04,
  /** Any other number (fractions, -0, NaN, ±Infinity, integers beyond 32 bits): float64. */
  Float: 0x05,
  /** Sign byte (0 or 1), then the magnitude as a hex string's ASCII bytes (varint length first). */
  BigInt: 0x06,
  /** A string whose code units are all below 0x80: varint length, one byte each. */
  Ascii: 0x07,
  /** A short (up to 48 code units) well-formed string that is not ASCII: varint byte length, UTF-8. */
  Utf8: 0x08,
  /**
   * A well-formed string, long and not ASCII: varint code-unit count, a zero byte if needed to reach an
   * even offset, then two bytes per code unit (little-endian), which `TextDecoder` reads natively.
   */
  Utf16: 0x09,
  /** The same layout for a string with lone surrogates, which a UTF-16 decoder would replace. */
  Utf16Lone: 0x0a,
  /** A plain object: varint count, then count × (key string, value). */
  Object: 0x10,
  /** An array: varint length, then each element, until a hole, where `SparseArray` takes over. */
  Array: 0x11,
  /**
   * In place of an `Array`'s element at its first hole: the rest of the array as a varint count of the
   * elements present, then count × (varint index, value), indices ascending.
   */
  SparseArray: 0x12,
  /** An array of numbers only: varint length, then `Int32` or `Float64` (see `PackedKind`), aligned. */
  PackedArray: 0x13,
  /** varint count, then count × (key, value). */
  Map: 0x14,
  /** varint count, then count × value. */
  Set: 0x15,
  /** float64 time value (NaN for an invalid date). */
  Date: 0x16,
  /** source string, flags string. */
  RegExp: 0x17,
  /** `ErrorKind` byte, field bits (`ErrorField`), then message, stack, cause as present. */
  Error: 0x18,
  /** varint byte length, a byte (1 if resizable, then varint maxByteLength), the bytes. */
  ArrayBuffer: 0x19,
  /** `ViewKind` byte, varint element count (byte length for DataView), the bytes of the view only. */
  View: 0x1a,
  /** Boxed primitive: `new Boolean`, `new Number`, `new String`, `Object(1n)`; the primitive follows. */
  Boxed: 0x1b,
  /** varint index of an object already met, in the order objects were first met. */
  Ref: 0x1c,
  /** Integers 0..63 in the tag itself: `SmallInt + n`. */
  SmallInt: 0xc0,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

export const SMALL_INT_LIMIT = 64;

export const PackedKind = {
  Int32: 0,
  Float64: 1,
} as const;
export type PackedKind = (typeof PackedKind)[keyof typeof PackedKind];

export const ErrorField = {
  Message: 1,
  Stack: 2,
  Cause: 4,
} as const;
export type ErrorField = (typeof ErrorField)[keyof typeof ErrorField];

/** The error constructors structured clone keeps, by `ErrorKind` byte; any other name arrives as `Error`. */
export const ERROR_NAMES = ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError'] as const;

export const ERROR_CONSTRUCTORS: readonly ErrorConstructor[] = [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError];

type ViewConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;

/** Every kind of `ArrayBufferView` by `ViewKind` byte; `Float16Array` only where the runtime has it. */
export const VIEW_CONSTRUCTORS: readonly (ViewConstructor | undefined)[] = [
  DataView,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  (globalThis as { Float16Array?: ViewConstructor }).Float16Array,
];

/** `ViewKind` byte by the name a typed array reports (`%TypedArray%.prototype[Symbol.toStringTag]`). */
export const VIEW_KINDS: Readonly<Record<string, number>> = {
  Int8Array: 1,
  Uint8Array: 2,
  Uint8ClampedArray: 3,
  Int16Array: 4,
  Uint16Array: 5,
  Int32Array: 6,
  Uint32Array: 7,
  Float32Array: 8,
  Float64Array: 9,
  BigInt64Array: 10,
  BigUint64Array: 11,
  Float16Array: 12,
};

export const BoxedKind = {
  Boolean: 0,
  Number: 1,
  String: 2,
  BigInt: 3,
} as const;
export type BoxedKind = (typeof BoxedKind)[keyof typeof BoxedKind];
