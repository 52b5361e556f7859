import { Tag } from './tags.js';

/** Items are written one after the other into a slab of this size; a new slab replaces a full one. */
const SLAB_BYTES = 64 * 1024;
/** Strings up to this length are written by a loop here; longer ones by `TextEncoder.encodeInto`. */
const SHORT_STRING = 48;

const textEncoder = new TextEncoder();
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A byte buffer with the primitive writes of the item format. Items are written one after another
 * into a slab, each starting at a multiple of 8, and handed out as views of it ({@link finish}), so
 * encoding allocates no buffer per item. A slab is never rewritten: when it is full (or an item
 * outgrows it) the writer moves to a new one, and the old one lives on as long as views of it do.
 *
 * A **block** writer instead keeps everything written in one buffer, which it grows by copying it
 * whole: a queue's batch lays its records out in it, and sets `start` and `position` itself.
 */
export class Writer {
  // No type argument: declarations must read on TypeScript < 5.7, where typed arrays take none.
  bytes: Uint8Array;
  view: DataView;
  /** Where the item being written starts in the slab. */
  start = 0;
  position = 0;
  readonly #block: boolean;

  constructor(options: { readonly block?: boolean; readonly bytes?: number } = {}) {
    this.#block = options.block === true;
    this.bytes = new Uint8Array(options.bytes ?? SLAB_BYTES);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.position + n > this.bytes.length) this.#grow(n);
  }

  /** The item written, as a view of the slab; the next item starts after it. */
  finish(): Uint8Array {
    const item = this.bytes.subarray(this.start, this.position);
    this.start = this.position = (this.position + 7) & ~7;
    // A slab grown for a big item is left to that item, so it does not stay pinned by the writer.
    if (this.bytes.length > SLAB_BYTES) this.#replace(new Uint8Array(SLAB_BYTES));
    return item;
  }

  /** Forgets a partly written item (the encoding failed). */
  discard(): void {
    this.position = this.start;
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

  /**
   * A 5-byte varint placeholder, to be overwritten by {@link patchCount} once the value is known.
   * Returns its offset in the item (the item may move to another slab meanwhile).
   */
  countPlaceholder(): number {
    this.reserve(5);
    const offset = this.position - this.start;
    this.position += 5;
    return offset;
  }

  patchCount(offset: number, value: number): void {
    this.patchVarint(this.start + offset, value);
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
   * A string with its tag. Short strings: `Ascii` when every code unit is below 0x80, else `Utf8`
   * (written here). Long ones: `Ascii` by `TextEncoder.encodeInto` when they are, else `Utf16`, which
   * decodes natively much faster than UTF-8 does. A string with lone surrogates is `Utf16Lone`, kept
   * exactly.
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
    // Sampled code units tell most non-ASCII text apart without encoding it twice.
    for (let i = 0; i < length; i += 64) if (value.charCodeAt(i) >= 0x80) return this.#utf16(value);
    // An ASCII string is as long in UTF-8; its length is a padded 5-byte varint.
    this.reserve(6 + 3 * length);
    const start = this.position;
    const { written } = textEncoder.encodeInto(value, this.bytes.subarray(start + 6, start + 6 + 3 * length));
    if (written !== length) return this.#utf16(value);
    this.bytes[start] = Tag.Ascii;
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

  /** `Utf16` or `Utf16Lone` (decided once the code units are written: the tag is patched). */
  #utf16(value: string): void {
    const length = value.length;
    // Offsets within the item survive a move to a new slab; positions in the slab would not.
    const tagOffset = this.position - this.start;
    this.byte(Tag.Utf16);
    this.varint(length);
    this.align(2);
    this.reserve(2 * length);
    if (LITTLE_ENDIAN) {
      const units = new Uint16Array(this.bytes.buffer, this.position, length);
      for (let i = 0; i < length; i++) units[i] = value.charCodeAt(i);
      this.position += 2 * length;
    } else {
      const bytes = this.bytes;
      let position = this.position;
      for (let i = 0; i < length; i++) {
        const unit = value.charCodeAt(i);
        bytes[position++] = unit & 0xff;
        bytes[position++] = unit >> 8;
      }
      this.position = position;
    }
    if (!value.isWellFormed()) this.bytes[this.start + tagOffset] = Tag.Utf16Lone;
  }

  /** Moves the item being written to a new slab with room for `needed` more bytes (a block: all of it). */
  #grow(needed: number): void {
    if (this.#block) {
      // A multiple of 8, so that the block can be seen as words (see EncodedBatch).
      const bytes = new Uint8Array((Math.max(2 * this.bytes.length, this.position + needed) + 7) & ~7);
      bytes.set(this.bytes.subarray(0, this.position));
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer);
      return;
    }
    const length = this.position - this.start;
    const bytes = new Uint8Array(Math.max(SLAB_BYTES, 2 * (length + needed)));
    bytes.set(this.bytes.subarray(this.start, this.position));
    this.#replace(bytes);
    this.position = length;
  }

  #replace(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
    this.start = this.position = 0;
  }
}
