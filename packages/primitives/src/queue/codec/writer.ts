import { Tag } from './tags.js';

const INITIAL_CAPACITY = 1024;
/** A buffer grown past this for a big item is dropped after it, so one big item does not pin memory. */
const KEPT_CAPACITY = 1024 * 1024;
/** Strings up to this length are written by a loop here; longer ones by `TextEncoder.encodeInto`. */
const SHORT_STRING = 48;

const textEncoder = new TextEncoder();

/**
 * A growable byte buffer with the primitive writes of the item format. One is reused for every item
 * a thread encodes (see `Encoder`), so encoding allocates only the copy it returns.
 */
export class Writer {
  bytes = new Uint8Array(INITIAL_CAPACITY);
  view = new DataView(this.bytes.buffer);
  position = 0;

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.position + n > this.bytes.length) this.#grow(n);
  }

  /** A copy of what was written, and the buffer made ready for the next item. */
  finish(): Uint8Array {
    const result = this.bytes.slice(0, this.position);
    this.reset();
    return result;
  }

  reset(): void {
    this.position = 0;
    if (this.bytes.length > KEPT_CAPACITY) this.#replace(new Uint8Array(INITIAL_CAPACITY));
  }

  byte(value: number): void {
    if (this.position >= this.bytes.length) this.#grow(1);
    this.bytes[this.position++] = value;
  }

  /** An unsigned integer below 2 ** 53. */
  varint(value: number): void {
    this.reserve(8);
    const bytes = this.bytes;
    let position = this.position;
    while (value >= 0x80) {
      bytes[position++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    bytes[position++] = value;
    this.position = position;
  }

  /** A 5-byte varint (below 2 ** 32), to be overwritten by {@link patchVarint} once the value is known. */
  paddedVarint(value: number): void {
    this.reserve(5);
    this.patchVarint(this.position, value);
    this.position += 5;
  }

  patchVarint(at: number, value: number): void {
    const bytes = this.bytes;
    bytes[at] = (value & 0x7f) | 0x80;
    bytes[at + 1] = ((value >>> 7) & 0x7f) | 0x80;
    bytes[at + 2] = ((value >>> 14) & 0x7f) | 0x80;
    bytes[at + 3] = ((value >>> 21) & 0x7f) | 0x80;
    bytes[at + 4] = value >>> 28;
  }

  /** `Tag.Int` and a signed 32-bit integer, zigzag-encoded. */
  int(value: number): void {
    this.reserve(6);
    const bytes = this.bytes;
    let position = this.position;
    bytes[position++] = Tag.Int;
    let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
    while (zigzag >= 0x80) {
      bytes[position++] = (zigzag & 0x7f) | 0x80;
      zigzag >>>= 7;
    }
    bytes[position++] = zigzag;
    this.position = position;
  }

  /** `Tag.Float` (or another tag) and a float64. */
  float(tag: number, value: number): void {
    this.reserve(9);
    this.bytes[this.position] = tag;
    this.view.setFloat64(this.position + 1, value, true);
    this.position += 9;
  }

  /** Raw bytes, no length. */
  raw(source: Uint8Array): void {
    this.reserve(source.length);
    this.bytes.set(source, this.position);
    this.position += source.length;
  }

  /** Pads with zeros until the position is a multiple of `alignment` (a power of two). */
  align(alignment: number): void {
    const padding = -this.position & (alignment - 1);
    this.reserve(padding);
    for (let i = 0; i < padding; i++) this.bytes[this.position++] = 0;
  }

  /**
   * A string with its tag: `Ascii` when every code unit is below 0x80, else `Utf8` when it is well
   * formed, else `Utf16` (lone surrogates kept exactly).
   */
  string(value: string): void {
    const length = value.length;
    if (length <= SHORT_STRING) {
      // Worst case: tag, 2-byte length, 3 bytes of UTF-8 per code unit.
      this.reserve(3 + 3 * length);
      const bytes = this.bytes;
      const start = this.position;
      let position = start + 2;
      for (let i = 0; i < length; i++) {
        const unit = value.charCodeAt(i);
        if (unit >= 0x80) return this.#shortNonAscii(value, i, position);
        bytes[position++] = unit;
      }
      bytes[start] = Tag.Ascii;
      bytes[start + 1] = length;
      this.position = position;
      return;
    }
    if (!value.isWellFormed()) return this.#utf16(value);
    // At most 3 bytes per code unit; the length is a 5-byte varint (padded), patched once known.
    this.reserve(6 + 3 * length);
    const start = this.position;
    const { written } = textEncoder.encodeInto(value, this.bytes.subarray(start + 6));
    this.bytes[start] = written === length ? Tag.Ascii : Tag.Utf8;
    this.patchVarint(start + 1, written);
    this.position = start + 6 + written;
  }

  /**
   * Continues a short string that met a code unit at or above 0x80 at `from` as UTF-8 (the ASCII
   * prefix is already in place), or restarts it as UTF-16 on a lone surrogate.
   */
  #shortNonAscii(value: string, from: number, position: number): void {
    const bytes = this.bytes;
    const start = this.position;
    const length = value.length;
    for (let i = from; i < length; i++) {
      const unit = value.charCodeAt(i);
      if (unit < 0x80) {
        bytes[position++] = unit;
      } else if (unit < 0x800) {
        bytes[position++] = 0xc0 | (unit >> 6);
        bytes[position++] = 0x80 | (unit & 0x3f);
      } else if (unit < 0xd800 || unit >= 0xe000) {
        bytes[position++] = 0xe0 | (unit >> 12);
        bytes[position++] = 0x80 | ((unit >> 6) & 0x3f);
        bytes[position++] = 0x80 | (unit & 0x3f);
      } else {
        const low = unit < 0xdc00 ? value.charCodeAt(i + 1) : 0;
        if (!(low >= 0xdc00 && low < 0xe000)) return this.#utf16(value);
        const codePoint = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        bytes[position++] = 0xf0 | (codePoint >> 18);
        bytes[position++] = 0x80 | ((codePoint >> 12) & 0x3f);
        bytes[position++] = 0x80 | ((codePoint >> 6) & 0x3f);
        bytes[position++] = 0x80 | (codePoint & 0x3f);
        i++;
      }
    }
    // Written after a 1-byte length; at most 3 × SHORT_STRING bytes, so a 2-byte length always fits.
    const byteLength = position - start - 2;
    if (byteLength < 0x80) {
      bytes[start] = Tag.Utf8;
      bytes[start + 1] = byteLength;
      this.position = position;
    } else {
      bytes.copyWithin(start + 3, start + 2, position);
      bytes[start] = Tag.Utf8;
      bytes[start + 1] = (byteLength & 0x7f) | 0x80;
      bytes[start + 2] = byteLength >> 7;
      this.position = position + 1;
    }
  }

  #utf16(value: string): void {
    const length = value.length;
    this.byte(Tag.Utf16);
    this.varint(length);
    this.reserve(2 * length);
    const bytes = this.bytes;
    let position = this.position;
    for (let i = 0; i < length; i++) {
      const unit = value.charCodeAt(i);
      bytes[position++] = unit & 0xff;
      bytes[position++] = unit >> 8;
    }
    this.position = position;
  }

  #grow(needed: number): void {
    let capacity = this.bytes.length * 2;
    while (capacity < this.position + needed) capacity *= 2;
    const bytes = new Uint8Array(capacity);
    bytes.set(this.bytes.subarray(0, this.position));
    this.#replace(bytes);
  }

  #replace(bytes: Uint8Array<ArrayBuffer>): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }
}
