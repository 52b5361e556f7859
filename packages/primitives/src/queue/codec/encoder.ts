import { cloneRefused, sharedBufferRefused, sharedViewRefused } from './refusals.js';
import { BoxedKind, ERROR_NAMES, ErrorField, HAS_REFS, HEADER, PackedKind, SMALL_INT_LIMIT, Tag, VIEW_KINDS } from './tags.js';
import { Writer } from './writer.js';

/** Arrays of numbers at least this long are written packed (a typed-array copy) rather than one by one. */
const PACK_FROM = 8;

/** `%TypedArray%.prototype`, whose `Symbol.toStringTag` getter names a typed array's kind. */
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

/** The kind of a typed array, whatever its class (a Node `Buffer` is a `Uint8Array`); `undefined` for a DataView. */
function typedArrayName(view: ArrayBufferView): string | undefined {
  return Reflect.get(TypedArrayPrototype, Symbol.toStringTag, view) as string | undefined;
}
const SharedBuffer: typeof SharedArrayBuffer | undefined = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : undefined;

/**
 * Writes one item in the format of `tags.ts`. The walk is recursive, like V8's own serializer, so an
 * item too deep for this thread's stack fails with a `RangeError` that `encodeItem` turns into the
 * put's `TypeError`. Every object is remembered in the order it is first met; meeting it again writes
 * a `Ref` to it, so shared objects and cycles arrive as they were.
 *
 * One encoder is reused for every item of a thread; it is `busy` while encoding, and an item met
 * meanwhile (a getter that puts into a queue) gets an encoder of its own.
 */
export class Encoder {
  busy = false;
  readonly #writer: Writer;
  // The first object met is kept aside: most items hold one object, and they need no Map.
  #first: object | undefined = undefined;
  #seen: Map<object, number> | undefined = undefined;
  #objects = 0;
  #hasRefs = false;

  /** @param writer Where items go: by default a slab writer of its own (see `Writer`). */
  constructor(writer: Writer = new Writer()) {
    this.#writer = writer;
  }

  encode(item: unknown): Uint8Array {
    this.write(item);
    return this.#writer.finish();
  }

  /**
   * Writes an item at the writer's `start` (its position), leaving it there unfinished for the caller
   * to end; a failure leaves nothing written.
   */
  write(item: unknown): void {
    const writer = this.#writer;
    this.busy = true;
    try {
      writer.byte(HEADER);
      this.#value(item);
      if (this.#hasRefs) writer.bytes[writer.start] = HEADER | HAS_REFS;
    } catch (error) {
      writer.discard();
      throw error;
    } finally {
      this.#first = undefined;
      this.#seen = undefined;
      this.#objects = 0;
      this.#hasRefs = false;
      this.busy = false;
    }
  }

  /** A string alone (a queue's `ItemTag.String`): its tag and bytes, no header. */
  encodeString(value: string): Uint8Array {
    this.#writer.string(value);
    return this.#writer.finish();
  }

  /** {@link encodeString}, left unfinished as {@link write} leaves an item. */
  writeString(value: string): void {
    this.#writer.string(value);
  }

  /**
   * Any value. Objects go to {@link object}, which containers call directly for their object elements:
   * two stack frames per level of nesting (`#object`, then `#array` or `#plainObject`), which sets how
   * deep an item this thread can encode.
   */
  #value(value: unknown): void {
    if (typeof value === 'object' && value !== null) this.#object(value);
    else this.#primitive(value);
  }

  #primitive(value: unknown): void {
    switch (typeof value) {
      case 'number':
        return this.#number(value);
      case 'string':
        return this.#writer.string(value);
      case 'boolean':
        return this.#writer.byte(value ? Tag.True : Tag.False);
      case 'undefined':
        return this.#writer.byte(Tag.Undefined);
      case 'bigint':
        return this.#bigint(value);
      case 'symbol':
        throw cloneRefused(String(value));
      case 'function':
        throw cloneRefused(`function ${value.name === '' ? '(anonymous)' : value.name}`);
      default:
        // null (objects never come here)
        return this.#writer.byte(Tag.Null);
    }
  }

  #number(value: number): void {
    if ((value | 0) === value && (value !== 0 || 1 / value > 0)) {
      if (value >= 0 && value < SMALL_INT_LIMIT) this.#writer.byte(Tag.SmallInt + value);
      else this.#writer.int(value);
    } else {
      this.#writer.float(Tag.Float, value);
    }
  }

  #bigint(value: bigint): void {
    const negative = value < 0n;
    this.#writer.byte(Tag.BigInt);
    this.#writer.byte(negative ? 1 : 0);
    const hex = (negative ? -value : value).toString(16);
    this.#writer.varint(hex.length);
    this.#writer.reserve(hex.length);
    const bytes = this.#writer.bytes;
    let position = this.#writer.position;
    for (let i = 0; i < hex.length; i++) bytes[position++] = hex.charCodeAt(i);
    this.#writer.position = position;
  }

  /** Writes a `Ref` and returns true if `object` was met before; else remembers it. */
  #seenBefore(object: object): boolean {
    const count = this.#objects++;
    if (count === 0) {
      this.#first = object;
      return false;
    }
    let seen = this.#seen;
    if (seen === undefined) {
      if (object === this.#first) return this.#ref(0);
      seen = this.#seen = new Map();
      seen.set(this.#first!, 0);
    }
    const index = seen.get(object);
    if (index !== undefined) return this.#ref(index);
    seen.set(object, count);
    return false;
  }

  #ref(index: number): true {
    this.#objects--;
    this.#hasRefs = true;
    this.#writer.byte(Tag.Ref);
    this.#writer.varint(index);
    return true;
  }

  #object(object: object): void {
    if (this.#seenBefore(object)) return;
    if (Array.isArray(object)) return this.#array(object as unknown[]);
    const prototype = Object.getPrototypeOf(object) as object | null;
    if (prototype === Object.prototype || prototype === null) return this.#plainObject(object as Record<string, unknown>);
    this.#otherObject(object);
  }

  #plainObject(object: Record<string, unknown>): void {
    const writer = this.#writer;
    const keys = Object.keys(object);
    const count = keys.length;
    writer.byte(Tag.Object);
    writer.varint(count);
    for (let i = 0; i < count; i++) {
      const key = keys[i]!;
      writer.string(key);
      const value = object[key];
      if (typeof value === 'object' && value !== null) this.#object(value);
      else this.#primitive(value);
    }
  }

  #array(array: unknown[]): void {
    const length = array.length;
    if (length >= PACK_FROM && this.#packed(array, length)) return;
    const writer = this.#writer;
    writer.byte(Tag.Array);
    writer.varint(length);
    for (let i = 0; i < length; i++) {
      const element = array[i];
      if (typeof element === 'object' && element !== null) this.#object(element);
      else if (element !== undefined || i in array) this.#primitive(element);
      else return this.#sparseRest(array, i);
    }
  }

  /**
   * Writes an array of numbers only as `Tag.PackedArray`: int32s when every one is, else float64s,
   * copied by a typed array in one call. Returns false (having written nothing) for any other array.
   */
  #packed(array: unknown[], length: number): boolean {
    let ints = true;
    for (let i = 0; i < length; i++) {
      const element = array[i];
      if (typeof element !== 'number') return false;
      if (ints && ((element | 0) !== element || (element === 0 && 1 / element < 0))) ints = false;
    }
    const writer = this.#writer;
    writer.byte(Tag.PackedArray);
    writer.varint(length);
    writer.byte(ints ? PackedKind.Int32 : PackedKind.Float64);
    const size = ints ? 4 : 8;
    writer.align(size);
    writer.reserve(length * size);
    const target = ints ? new Int32Array(writer.bytes.buffer, writer.position, length) : new Float64Array(writer.bytes.buffer, writer.position, length);
    target.set(array as number[]);
    writer.position += length * size;
    return true;
  }

  /**
   * The array has a hole at `from`: the elements from there on go as (index, value) pairs of the
   * indices present, found with `Object.keys` (so a huge sparse array costs what it holds).
   */
  #sparseRest(array: unknown[], from: number): void {
    const writer = this.#writer;
    writer.byte(Tag.SparseArray);
    const length = array.length;
    const indices: number[] = [];
    for (const key of Object.keys(array)) {
      const index = Number(key);
      // Indices come first, ascending; the first other key ends them (other keys are not kept).
      if (!(index < length && String(index) === key)) break;
      if (index >= from) indices.push(index);
    }
    writer.varint(indices.length);
    for (const index of indices) {
      writer.varint(index);
      this.#value(array[index]);
    }
  }

  #otherObject(object: object): void {
    const writer = this.#writer;
    if (ArrayBuffer.isView(object)) return this.#view(object);
    if (object instanceof Map) return this.#map(object);
    if (object instanceof Set) return this.#set(object);
    if (object instanceof Date) return writer.float(Tag.Date, Date.prototype.getTime.call(object));
    if (object instanceof RegExp) {
      writer.byte(Tag.RegExp);
      writer.string(object.source);
      writer.string(object.flags);
      return;
    }
    if (object instanceof Error) return this.#error(object);
    if (object instanceof ArrayBuffer) return this.#arrayBuffer(object);
    if (SharedBuffer !== undefined && object instanceof SharedBuffer) throw sharedBufferRefused();
    if (object instanceof Number) return this.#boxed(BoxedKind.Number, Number.prototype.valueOf.call(object));
    if (object instanceof String) return this.#boxed(BoxedKind.String, String.prototype.valueOf.call(object));
    if (object instanceof Boolean) return this.#boxed(BoxedKind.Boolean, Boolean.prototype.valueOf.call(object));
    if (object instanceof BigInt) return this.#boxed(BoxedKind.BigInt, BigInt.prototype.valueOf.call(object));
    // A class instance arrives as a plain object, as with structured clone; built-ins that structured
    // clone refuses (WeakMap, Promise, generators, Intl objects, host objects…) report their own tag.
    const tag = Object.prototype.toString.call(object);
    if (tag === '[object Object]') return this.#plainObject(object as Record<string, unknown>);
    throw cloneRefused(`#<${tag.slice(8, -1)}>`);
  }

  #boxed(kind: BoxedKind, primitive: unknown): void {
    this.#writer.byte(Tag.Boxed);
    this.#writer.byte(kind);
    this.#value(primitive);
  }

  #map(map: Map<unknown, unknown>): void {
    const writer = this.#writer;
    writer.byte(Tag.Map);
    // A getter met inside may change the map: the count written is the count of entries visited.
    const countAt = writer.countPlaceholder();
    let count = 0;
    for (const [key, value] of map) {
      this.#value(key);
      this.#value(value);
      count++;
    }
    writer.patchCount(countAt, count);
  }

  #set(set: Set<unknown>): void {
    const writer = this.#writer;
    writer.byte(Tag.Set);
    const countAt = writer.countPlaceholder();
    let count = 0;
    for (const value of set) {
      this.#value(value);
      count++;
    }
    writer.patchCount(countAt, count);
  }

  #error(error: Error): void {
    const writer = this.#writer;
    const kind = ERROR_NAMES.indexOf(error.name as (typeof ERROR_NAMES)[number]);
    const hasMessage = Object.hasOwn(error, 'message');
    const stack = error.stack;
    const hasCause = Object.hasOwn(error, 'cause');
    writer.byte(Tag.Error);
    writer.byte(kind < 0 ? 0 : kind);
    writer.byte((hasMessage ? ErrorField.Message : 0) | (typeof stack === 'string' ? ErrorField.Stack : 0) | (hasCause ? ErrorField.Cause : 0));
    if (hasMessage) writer.string(String(error.message));
    if (typeof stack === 'string') writer.string(stack);
    if (hasCause) this.#value(error.cause);
  }

  #arrayBuffer(buffer: ArrayBuffer): void {
    const writer = this.#writer;
    writer.byte(Tag.ArrayBuffer);
    writer.varint(buffer.byteLength);
    if (buffer.resizable) {
      writer.byte(1);
      writer.varint(buffer.maxByteLength);
    } else {
      writer.byte(0);
    }
    writer.raw(new Uint8Array(buffer));
  }

  #view(view: ArrayBufferView): void {
    if (SharedBuffer !== undefined && view.buffer instanceof SharedBuffer) throw sharedViewRefused(view);
    const writer = this.#writer;
    const name = typedArrayName(view);
    writer.byte(Tag.View);
    writer.byte(name === undefined ? 0 : VIEW_KINDS[name]!);
    writer.varint(name === undefined ? view.byteLength : (view as unknown as ArrayLike<unknown>).length);
    writer.raw(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }
}
