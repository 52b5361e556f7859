const textDecoder = new TextDecoder('utf-8', { fatal: true });
/** Strings up to this many bytes are decoded by a loop here; longer ones by `TextDecoder`. */
const SHORT_STRING = 32;

/** Thrown for bytes that are not a well-formed item; `decodeItem` wraps it in `ItemDecodeError`. */
export class MalformedItem extends Error {
  override get name(): string {
    return 'MalformedItem';
  }
}

/** Reads the primitive parts of the item format from one payload, checking every length against its end. */
export class Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly end: number;
  position: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
    this.position = 0;
  }

  /** The next byte. Past the end it is `undefined`, which no tag matches, so callers reading tags need no check. */
  byte(): number {
    return this.bytes[this.position++]!;
  }

  /** An unsigned varint below 2 ** 53. */
  varint(): number {
    const bytes = this.bytes;
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

  utf16(length: number): string {
    if (length > (this.end - this.position) / 2) throw new MalformedItem('the item is truncated');
    const bytes = this.bytes;
    let position = this.position;
    let text = '';
    for (let i = 0; i < length; i++, position += 2) text += String.fromCharCode(bytes[position]! | (bytes[position + 1]! << 8));
    this.position = position;
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
