/**
 * A strict JSON parser that keeps where each value and key starts. `JSON.parse` is exact but says where
 * it failed only for some errors, and quotes the whole text in others; a config file's author needs
 * `line:column` and a plain reason, and the validator needs positions for the values it rejects.
 */

/** A JSON value with the offset (UTF-16 code units into the text) where it starts. */
export type JsonNode =
  | { readonly kind: 'object'; readonly offset: number; readonly members: readonly JsonMember[] }
  | { readonly kind: 'array'; readonly offset: number; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly offset: number; readonly value: string }
  | { readonly kind: 'number'; readonly offset: number; readonly value: number }
  | { readonly kind: 'boolean'; readonly offset: number; readonly value: boolean }
  | { readonly kind: 'null'; readonly offset: number };

/** One `"key": value` pair of an object, in source order (duplicates kept, for the validator to report). */
export interface JsonMember {
  readonly key: string;
  readonly keyOffset: number;
  readonly value: JsonNode;
}

/** Text that is not JSON; `offset` is where the parser gave up. */
export class JsonSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.offset = offset;
  }
}

// Far deeper than any config; the limit turns a pathological file into an error instead of a stack overflow.
const MAX_DEPTH = 512;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$]*/y;

/**
 * Parses `text` as JSON (RFC 8259: no comments, no trailing commas; a leading byte order mark is
 * skipped). Throws {@link JsonSyntaxError}.
 */
export function parseJson(text: string): JsonNode {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (message: string, at = pos): never => {
    throw new JsonSyntaxError(message, at);
  };

  const skipWhitespace = (): void => {
    for (;;) {
      const ch = text[pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') pos++;
      else if (ch === '/' && (text[pos + 1] === '/' || text[pos + 1] === '*')) fail('comments are not allowed in JSON');
      else return;
    }
  };

  const unexpected = (expected: string): never => {
    if (pos >= text.length) return fail(`unexpected end of file, expected ${expected}`);
    const ch = text[pos] ?? '';
    if (ch === "'") return fail('strings must be in double quotes');
    WORD.lastIndex = pos;
    const word = WORD.exec(text)?.[0];
    return fail(`unexpected ${word === undefined ? JSON.stringify(ch) : `"${word}"`}, expected ${expected}`);
  };

  const parseString = (): string => {
    const start = pos;
    pos++; // opening quote
    for (;;) {
      const code = text.charCodeAt(pos);
      if (Number.isNaN(code)) return fail('unterminated string', start);
      if (code === 0x22) break;
      if (code < 0x20) return fail('control character in string (write it as an escape such as \\n)');
      if (code === 0x5c) {
        const escaped = text[pos + 1];
        if (escaped === undefined) return fail('unterminated string', start);
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) return fail('invalid \\u escape: four hex digits expected');
          pos += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(escaped)) return fail(`invalid escape "\\${escaped}" in string`);
        pos += 2;
        continue;
      }
      pos++;
    }
    pos++; // closing quote
    // The slice is now known to be a valid JSON string literal; let the engine decode its escapes.
    return JSON.parse(text.slice(start, pos)) as string;
  };

  const parseValue = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipWhitespace();
    const offset = pos;
    const ch = text[pos];
    if (ch === '{') return parseObject(depth);
    if (ch === '[') return parseArray(depth);
    if (ch === '"') return { kind: 'string', offset, value: parseString() };
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = pos;
      const literal = NUMBER.exec(text)?.[0];
      if (literal === undefined) return fail('invalid number');
      pos += literal.length;
      return { kind: 'number', offset, value: Number(literal) };
    }
    for (const [word, node] of [
      ['true', { kind: 'boolean', offset, value: true }],
      ['false', { kind: 'boolean', offset, value: false }],
      ['null', { kind: 'null', offset }],
    ] as const) {
      if (text.startsWith(word, pos)) {
        WORD.lastIndex = pos;
        // `nullable` is not `null` followed by garbage: report the whole word.
        if (WORD.exec(text)?.[0] === word) {
          pos += word.length;
          return node;
        }
      }
    }
    return unexpected('a value');
  };

  const parseObject = (depth: number): JsonNode => {
    const offset = pos;
    pos++;
    const members: JsonMember[] = [];
    skipWhitespace();
    if (text[pos] === '}') {
      pos++;
      return { kind: 'object', offset, members };
    }
    let comma = -1;
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"') {
        if (text[pos] === '}' && members.length > 0) return fail('trailing comma before "}"', comma);
        WORD.lastIndex = pos;
        if (WORD.test(text)) return fail('property names must be in double quotes');
        return unexpected('a property name in double quotes');
      }
      const keyOffset = pos;
      const key = parseString();
      skipWhitespace();
      if (text[pos] !== ':') return unexpected(`":" after property name "${key}"`);
      pos++;
      const value = parseValue(depth + 1);
      members.push({ key, keyOffset, value });
      skipWhitespace();
      if (text[pos] === ',') {
        comma = pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', offset, members };
      }
      return unexpected('"," or "}" after a property value');
    }
  };

  const parseArray = (depth: number): JsonNode => {
    const offset = pos;
    pos++;
    const items: JsonNode[] = [];
    skipWhitespace();
    if (text[pos] === ']') {
      pos++;
      return { kind: 'array', offset, items };
    }
    let comma = -1;
    for (;;) {
      skipWhitespace();
      if (text[pos] === ']' && items.length > 0) return fail('trailing comma before "]"', comma);
      items.push(parseValue(depth + 1));
      skipWhitespace();
      if (text[pos] === ',') {
        comma = pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', offset, items };
      }
      return unexpected('"," or "]" after an array element');
    }
  };

  skipWhitespace();
  if (pos >= text.length) fail('the file is empty');
  const root = parseValue(0);
  skipWhitespace();
  if (pos < text.length) unexpected('the end of the file');
  return root;
}

/** 1-based line and column (UTF-16 code units, as editors count) of an offset into `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const ch = text.charCodeAt(i);
    // CRLF counts once: the CR ends the line only when no LF follows.
    if (ch === 0x0a || (ch === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
