// ignoreBOM: a string may start with U+FEFF, which must stay in it.
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16Decoder = new TextDecoder('utf-16le', { ignoreBOM: true });
/** UTF-16 is decoded in chunks of this many code units when it has lone surrogates. */
const CHUNK = 4096;
/** Strings up to this many bytes are decoded by a loop here; longer ones by `TextDecoder`. */
const SHORT_STRING = 32;

/** Object keys up to this many bytes are looked up in a cache of keys met before. */
const CACHED_KEY = 24;
const KEY_CACHE_SLOTS = 4096;
/**
 * Keys met before, by a hash of their bytes. A key from here was used as a property name already, so
 * the engine has it interned, and setting a property with it skips the interning lookup a new
 * string would need: objects of the same shape, item after item, decode much faster.
 */
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SLOTS).fill(undefined);

/** Thrown for bytes that are not a well-formed item; `decodeItem` wraps it in `ItemDecodeError`. */
export class MalformedItem extends Error {
  override get name(): string {
    return 'MalformedItem';
  }
}

/**
 * Reads the primitive parts of the item format from one payload, `bytes[start, end)`, checking every
 * length against its end. Positions are indices into `bytes`, so a payload can be read where it lies
 * in a larger buffer (a queue's batch of records) without a view of its own; one reader serves item
 * after item ({@link reset}).
 */
export class Reader {
  bytes: Uint8Array;
  end: number;
  position: number;
  #view: DataView | undefined;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length, view?: DataView) {
    this.bytes = bytes;
    this.position = start;
    this.end = end;
    this.#view = view;
  }

  /** Reads another payload. `view`, if given, is a DataView of all of `bytes`. */
  reset(bytes: Uint8Array, start: number, end: number, view: DataView | undefined): void {
    this.bytes = bytes;
    this.position = start;
    this.end = end;
    this.#view = view;
  }

  /** A DataView of all of `bytes` (positions are the same), made when first needed: most items read no float. */
  get view(): DataView {
    return (this.#view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
  }

  /** The next byte. Past the end it is `undefined`, which no tag matches, so callers reading tags need no check. */
  byte(): number {
    const position = this.position++;
    return position < this.end ? this.bytes[position]! : (undefined as unknown as number);
  }

  /** The next byte without moving on (`undefined` past the end). */
  peek(): number {
    return this.position < this.end ? this.bytes[this.position]! : (undefined as unknown as number);
  }

  /** An unsigned varint below 2 ** 53. */
  varint(): number {
    const bytes = this.bytes;
    if (this.position >= this.end) throw new MalformedItem('a number runs past the end');
    let byte = bytes[this.position++]!;
    if (byte < 0x80) return byte;
    let value = byte & 0x7f;
    let scale = 0x80;
    for (;;) {
      if (this.position >= this.end) throw new MalformedItem('a number runs past the end');
      byte = bytes[this.position++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
      if (scale > 2 ** 49) throw new MalformedItem('a number is too long');
    }
  }

  /** The signed 32-bit integer of a `Tag.Int`. */
  int(): number {
    const zigzag = this.varint();
    if (zigzag > 0xffffffff) throw new MalformedItem('an integer is out of range');
    return (zigzag >>> 1) ^ -(zigzag & 1);
  }

  float(): number {
    this.need(8);
    const value = this.view.getFloat64(this.position, true);
    this.position += 8;
    return value;
  }

  /** Checks that `n` more bytes are there. */
  need(n: number): void {
    if (n > this.end - this.position) throw new MalformedItem('the item is truncated');
  }

  ascii(length: number): string {
    this.need(length);
    const bytes = this.bytes;
    let position = this.position;
    if (length > SHORT_STRING) {
      const text = textDecoder.decode(bytes.subarray(position, position + length));
      this.position = position + length;
      return text;
    }
    let text = '';
    for (const end = position + length; position < end; position++) text += String.fromCharCode(bytes[position]!);
    this.position = position;
    return text;
  }

  /** An ASCII object key of `length` bytes, from the key cache when it was met before. */
  asciiKey(length: number): string {
    if (length > CACHED_KEY) return this.ascii(length);
    this.need(length);
    const bytes = this.bytes;
    const start = this.position;
    const end = start + length;
    let hash = length;
    for (let position = start; position < end; position++) hash = (Math.imul(hash, 31) + bytes[position]!) | 0;
    const slot = hash & (KEY_CACHE_SLOTS - 1);
    const cached = keyCache[slot];
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (cached.charCodeAt(i) !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.position = end;
        return cached;
      }
    }
    const key = this.ascii(length);
    keyCache[slot] = key;
    return key;
  }

  utf8(byteLength: number): string {
    this.need(byteLength);
    const start = this.position;
    this.position += byteLength;
    // Long text and anything invalid (the decoder is fatal) go through TextDecoder.
    if (byteLength > SHORT_STRING) return textDecoder.decode(this.bytes.subarray(start, start + byteLength));
    const bytes = this.bytes;
    let text = '';
    for (let position = start, end = start + byteLength; position < end; ) {
      const lead = bytes[position]!;
      if (lead < 0x80) {
        text += String.fromCharCode(lead);
        position++;
      } else if (lead >= 0xc2 && lead < 0xe0 && position + 1 < end) {
        text += String.fromCharCode(((lead & 0x1f) << 6) | (bytes[position + 1]! & 0x3f));
        position += 2;
      } else if (lead >= 0xe0 && lead < 0xf0 && position + 2 < end) {
        text += String.fromCharCode(((lead & 0x0f) << 12) | ((bytes[position + 1]! & 0x3f) << 6) | (bytes[position + 2]! & 0x3f));
        position += 3;
      } else if (lead >= 0xf0 && lead < 0xf5 && position + 3 < end) {
        const codePoint =
          ((lead & 0x07) << 18) | ((bytes[position + 1]! & 0x3f) << 12) | ((bytes[position + 2]! & 0x3f) << 6) | (bytes[position + 3]! & 0x3f);
        text += String.fromCodePoint(codePoint);
        position += 4;
      } else {
        // Not what our writer produces: let the fatal decoder judge it (and throw).
        return textDecoder.decode(bytes.subarray(start, end));
      }
    }
    return text;
  }

  /** The code units of a `Utf16` string (`wellFormed`) or a `Utf16Lone` one, after their padding. */
  utf16(length: number, wellFormed: boolean): string {
    this.position += this.position & 1;
    if (length > (this.end - this.position) / 2) throw new MalformedItem('the item is truncated');
    const bytes = this.bytes;
    const start = this.position;
    this.position += 2 * length;
    if (wellFormed) return utf16Decoder.decode(bytes.subarray(start, start + 2 * length));
    // A UTF-16 decoder would replace lone surrogates: build the string from the code units.
    let text = '';
    const units: number[] = [];
    for (let done = 0; done < length; done += CHUNK) {
      units.length = 0;
      for (let i = done, end = Math.min(length, done + CHUNK); i < end; i++) units.push(bytes[start + 2 * i]! | (bytes[start + 2 * i + 1]! << 8));
      text += String.fromCharCode(...units);
    }
    return text;
  }

  /** A copy of the next `length` bytes, in a new `ArrayBuffer`. */
  copy(length: number): ArrayBuffer {
    this.need(length);
    const start = this.position;
    this.position += length;
    return this.bytes.slice(start, start + length).buffer;
  }
}
