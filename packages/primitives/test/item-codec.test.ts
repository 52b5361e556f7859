import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { Queue, type QueueHandle } from '@lockstep/primitives';
// The codec is internal: taken from the sources, with the error class it throws (the package's is the built copy).
import { ItemDecodeError } from '../src/errors.js';
import { decodeItem, encodeItem, type EncodedItem } from '../src/queue/item-codec.js';
import { startWorker, terminateAll } from './support/workers.js';

// The queue item codec on its own: what goes in comes out as structured clone (postMessage) would
// deliver it, what cannot be queued is refused at put, and bytes that are not an item fail to decode
// with ItemDecodeError. The last tests take items through a real Queue and a real worker thread.

afterEach(terminateAll);

/** What a get sees: the payload is its own copy, as the queue copies it out of shared memory. */
function copied(encoded: EncodedItem): EncodedItem {
  return { ...encoded, bytes: encoded.bytes?.slice() };
}

function roundTrip<T>(item: T): T {
  const encoded = copied(encodeItem(item));
  return decodeItem(encoded.tag, encoded.bytes, encoded.number) as T;
}

function expectSameAsStructuredClone(item: unknown): void {
  const ours = roundTrip(item);
  const theirs = structuredClone(item);
  if (!isDeepStrictEqual(ours, theirs)) expect(ours).toEqual(theirs); // shows the difference
}

describe('round trip of every supported kind', () => {
  const primitives: Record<string, unknown> = {
    undefined: undefined,
    null: null,
    true: true,
    false: false,
    'small integer': 7,
    'negative integer': -123_456,
    'int32 bounds': [2 ** 31 - 1, -(2 ** 31)],
    'beyond int32': [2 ** 31, 2 ** 53, -(2 ** 40)],
    fraction: 0.1 + 0.2,
    bigints: [0n, 1n, -1n, 2n ** 64n, -(3n ** 80n)],
    'empty string': '',
    ascii: 'hello',
    'long ascii': 'x'.repeat(10_000),
    'latin-1': 'Grüße, café',
    'BMP and astral': 'Ελληνικά 世界 😀🎉',
    'long non-ASCII': 'Grüße, 世界 😀 '.repeat(500),
    'string at the short/long boundary': ['é'.repeat(47), 'é'.repeat(48), 'é'.repeat(49), 'a'.repeat(48) + '😀'],
  };
  for (const [what, item] of Object.entries(primitives)) {
    test(`${what}: alone and inside an object`, () => {
      expectSameAsStructuredClone(item);
      expectSameAsStructuredClone({ item, list: [item, item] });
    });
  }

  test('numbers keep NaN, -0 and the infinities exactly, alone (the fast path) and nested (the codec)', () => {
    const specials = [Number.NaN, -0, 0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE];
    for (const n of specials) expect(Object.is(roundTrip(n), n)).toBe(true);
    const nested = roundTrip({ specials, packed: [...specials, 1, 2, 3, 4, 5] });
    nested.specials.forEach((n, i) => expect(Object.is(n, specials[i])).toBe(true));
    nested.packed.slice(0, specials.length).forEach((n, i) => expect(Object.is(n, specials[i])).toBe(true));
    const ints = Array.from({ length: 100 }, (_, i) => i - 50);
    expect(roundTrip(ints)).toEqual(ints);
    expect(Object.is(roundTrip([1, 2, 3, 4, 5, 6, 7, 8, -0])[8], -0)).toBe(true);
  });

  test('lone surrogates and a leading byte-order mark survive, short and long, alone and nested', () => {
    const strings = ['\ud800', 'a\udc00b', 'x\ud83d', '\ufeffBOM first', `${'\ud800'.repeat(3)}${'y'.repeat(100)}`, `\ufeff${'é'.repeat(100)}`, '😀'.repeat(40)];
    for (const s of strings) {
      expect(roundTrip(s)).toBe(s);
      expect(roundTrip({ s }).s).toBe(s);
      expect(roundTrip({ [s]: 1 })).toEqual({ [s]: 1 });
    }
  });

  test('plain objects: own enumerable string keys only, prototype not kept, "__proto__" stays a key', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      get length(): number {
        return Math.hypot(this.x, this.y);
      }
    }
    const hidden = Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false });
    const withSymbol = { a: 1, [Symbol('s')]: 2 };
    const protoKey = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Record<string, unknown>;
    const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
    const numericKeys = { 2: 'b', 1: 'a', x: 'x', '-1': 'minus' };
    for (const item of [new Point(3, 4), hidden, withSymbol, protoKey, nullProto, numericKeys, {}]) expectSameAsStructuredClone(item);
    const point = roundTrip(new Point(3, 4));
    expect(Object.getPrototypeOf(point)).toBe(Object.prototype);
    const key = roundTrip(protoKey);
    expect(Object.getPrototypeOf(key)).toBe(Object.prototype);
    expect(Object.keys(key)).toEqual(['__proto__', 'y']);
  });

  test('arrays: holes kept, sparse arrays cost what they hold; other properties on an array are not kept (documented)', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holes = [1, , 3, , , 6];
    expectSameAsStructuredClone(holes);
    const out = roundTrip(holes);
    expect(out.length).toBe(6);
    expect(1 in out).toBe(false);
    expect(2 in out).toBe(true);
    const trailing: unknown[] = [1, 2];
    trailing.length = 5;
    expectSameAsStructuredClone(trailing);
    const sparse: unknown[] = [];
    sparse[1_000_000_000] = 'far';
    sparse[3] = 'near';
    const started = performance.now();
    const sparseOut = roundTrip(sparse);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect([sparseOut.length, sparseOut[3], sparseOut[1_000_000_000], Object.keys(sparseOut).length]).toEqual([1_000_000_001, 'near', 'far', 2]);
    const undefinedsAreNotHoles = [undefined, undefined];
    expect(0 in roundTrip(undefinedsAreNotHoles)).toBe(true);
    const match = /b(c)/.exec('abc')!;
    expect(roundTrip(match)).toEqual(['bc', 'c']);
    expect(Object.keys(roundTrip(match))).toEqual(['0', '1']);
    expectSameAsStructuredClone([[], [[]], [1, 'a', null, [2, [3]]]]);
  });

  test('Map, Set, Date (invalid too), RegExp', () => {
    const map = new Map<unknown, unknown>([
      [1, 'one'],
      ['k', { v: [1] }],
      [{ objectKey: true }, new Set([1])],
      [Number.NaN, -0],
    ]);
    expectSameAsStructuredClone(map);
    expectSameAsStructuredClone(new Set([1, '1', { a: 1 }, [2], undefined]));
    expectSameAsStructuredClone(new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)));
    expect(Number.isNaN(roundTrip(new Date(Number.NaN)).getTime())).toBe(true);
    expect(roundTrip(new Date(Number.NaN))).toBeInstanceOf(Date);
    for (const re of [/ab+c/gi, /\u{1F600}/u, /[\s\S]é/msy, new RegExp('a/b', 'dgimsuy')]) {
      const out = roundTrip(re);
      expect([out instanceof RegExp, out.source, out.flags]).toEqual([true, re.source, re.flags]);
    }
    const re = /x/g;
    re.lastIndex = 3;
    expect(roundTrip(re).lastIndex).toBe(0); // as structured clone
  });

  test('errors: class (standard ones), name, message, stack, cause', () => {
    for (const Kind of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
      const error = new Kind('went wrong', { cause: { code: 42 } });
      const out = roundTrip(error);
      expect(out).toBeInstanceOf(Kind);
      expect([out.name, out.message, out.stack, out.cause]).toEqual([error.name, error.message, error.stack, { code: 42 }]);
      expect(Object.getOwnPropertyDescriptor(out, 'message')?.enumerable).toBe(false);
      expect(Object.getOwnPropertyDescriptor(out, 'cause')?.enumerable).toBe(false);
      expectSameAsStructuredClone(error);
    }
    class Custom extends TypeError {
      override name = 'Custom';
    }
    const custom = roundTrip(new Custom('c'));
    expect([custom.constructor, custom.name, custom.message]).toEqual([Error, 'Error', 'c']); // as structured clone
    const noMessage = roundTrip(new Error());
    expect(Object.hasOwn(noMessage, 'message')).toBe(false);
    const aggregate = roundTrip(new AggregateError([1], 'many'));
    expect([aggregate.constructor, aggregate.message]).toEqual([Error, 'many']);
    const selfCause = new Error('loop');
    selfCause.cause = selfCause; // structured clone fails on this one; we keep it
    const loop = roundTrip(selfCause);
    expect(loop.cause).toBe(loop);
  });

  test('ArrayBuffer (resizable too), every typed array kind and DataView: bytes copied', () => {
    const buffer = new Uint8Array([1, 2, 3, 250]).buffer;
    expectSameAsStructuredClone(buffer);
    const resizable = new ArrayBuffer(4, { maxByteLength: 32 });
    new Uint8Array(resizable).set([9, 8, 7, 6]);
    const resized = roundTrip(resizable);
    expect([resized.resizable, resized.maxByteLength, [...new Uint8Array(resized)]]).toEqual([true, 32, [9, 8, 7, 6]]);
    const views = [
      new Int8Array([-1, 2]),
      new Uint8Array([255, 0]),
      new Uint8ClampedArray([300, -5]),
      new Int16Array([-30_000, 2]),
      new Uint16Array([65_535]),
      new Int32Array([-(2 ** 31), 5]),
      new Uint32Array([2 ** 32 - 1]),
      new Float32Array([1.5, Number.NaN]),
      new Float64Array([Math.PI, -0]),
      new BigInt64Array([-(2n ** 63n)]),
      new BigUint64Array([2n ** 64n - 1n]),
      new DataView(new Uint8Array([1, 2, 3]).buffer),
    ];
    for (const view of views) {
      const out = roundTrip({ view }).view;
      expect(out.constructor).toBe(view.constructor);
      expect(new Uint8Array(out.buffer, out.byteOffset, out.byteLength)).toEqual(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      expect(out.buffer).not.toBe(view.buffer);
      expectSameAsStructuredClone(view);
    }
    // A view arrives with a buffer of its own bytes only (postMessage would copy the whole buffer).
    const window = new Uint16Array(new ArrayBuffer(1024), 8, 4).fill(7);
    const out = roundTrip(window);
    expect([out.byteOffset, out.buffer.byteLength, [...out]]).toEqual([0, 8, [7, 7, 7, 7]]);
    // Node Buffers are Uint8Arrays: they arrive as Uint8Array, as with structured clone.
    const fromBuffer = roundTrip({ b: Buffer.from('hi') }).b;
    expect([fromBuffer.constructor, [...fromBuffer]]).toEqual([Uint8Array, [104, 105]]);
  });

  test('boxed primitives', () => {
    const boxes = [new Number(-0), new String('s😀'), new Boolean(false), Object(12n) as object];
    for (const box of boxes) {
      const out = roundTrip(box);
      expect(typeof out).toBe('object');
      expect(Object.is(out.valueOf(), box.valueOf())).toBe(true);
      expect(out.constructor).toBe(box.constructor);
    }
  });
});

describe('identity: shared objects and cycles', () => {
  test('the same object twice arrives as one object twice', () => {
    const shared = { n: 1 };
    const list = [1, 2, 3, 4, 5, 6, 7, 8];
    const date = new Date(0);
    const out = roundTrip({ a: shared, b: shared, lists: [list, list], dates: new Map([[date, date]]) });
    expect(out.a).toBe(out.b);
    expect(out.lists[0]).toBe(out.lists[1]);
    const [key, value] = [...out.dates][0]!;
    expect(key).toBe(value);
    expect(out.a).not.toBe(shared);
  });

  test('cycles through objects, arrays, Maps, Sets and errors', () => {
    const root: Record<string, unknown> = { name: 'root' };
    const list: unknown[] = [root];
    list.push(list);
    const map = new Map<string, unknown>([['self', undefined]]);
    map.set('self', map);
    const set = new Set<unknown>();
    set.add(set);
    Object.assign(root, { root, list, map, set });
    const out = roundTrip(root);
    expect(out.root).toBe(out);
    const outList = out.list as unknown[];
    expect([outList[0], outList[1]]).toEqual([out, outList]);
    expect(outList[1]).toBe(outList);
    expect((out.map as Map<string, unknown>).get('self')).toBe(out.map);
    expect([...(out.set as Set<unknown>)][0]).toBe(out.set);
    expect(isDeepStrictEqual(out, structuredClone(root))).toBe(true);
  });

  test('an item with many shared objects', () => {
    const leaves = Array.from({ length: 50 }, (_, i) => ({ i }));
    const item = Array.from({ length: 500 }, (_, i) => leaves[(i * 7) % 50]);
    const out = roundTrip(item);
    // (i * 7) % 50 depends on i % 50 only: item i holds the same leaf as item i % 50.
    for (let i = 0; i < 500; i++) expect(out[i]).toBe(out[i % 50]);
    expect(isDeepStrictEqual(out, structuredClone(item))).toBe(true);
  });
});

describe('refused at put with TypeError', () => {
  const refused: [string, unknown, RegExp][] = [
    ['a function', () => 1, /cannot be cloned to another thread \(function .* could not be cloned\)/],
    ['a nested function', { deep: [{ f: function named() {} }] }, /function named could not be cloned/],
    ['a symbol', { s: Symbol('tag') }, /Symbol\(tag\) could not be cloned/],
    ['a WeakMap', new WeakMap(), /#<WeakMap> could not be cloned/],
    ['a WeakSet', [new WeakSet()], /#<WeakSet> could not be cloned/],
    ['a WeakRef', new WeakRef({}), /#<WeakRef> could not be cloned/],
    ['a Promise', { p: Promise.resolve() }, /#<Promise> could not be cloned/],
    ['a generator', (function* generate() {})(), /#<Generator> could not be cloned/],
    ['a boxed symbol', Object(Symbol('boxed')) as object, /#<Symbol> could not be cloned/],
    ['a SharedArrayBuffer', { s: new SharedArrayBuffer(4) }, /holds a SharedArrayBuffer; queue items are copies/],
    ['a view on one', new Map([[1, new Int32Array(new SharedArrayBuffer(8))]]), /holds a view \(Int32Array\) on a SharedArrayBuffer/],
    ['a Uint8Array on one (fast path)', new Uint8Array(new SharedArrayBuffer(8)), /holds a view \(Uint8Array\) on a SharedArrayBuffer/],
  ];
  for (const [what, item, message] of refused) {
    test(what, () => {
      expect(() => encodeItem(item)).toThrow(TypeError);
      expect(() => encodeItem(item)).toThrow(message);
    });
  }

  test('a getter that throws fails the put with TypeError, its error as cause', () => {
    const item = {
      get broken(): never {
        throw new Error('getter failed');
      },
    };
    let thrown: unknown;
    try {
      encodeItem(item);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toContain('getter failed');
    expect(((thrown as Error).cause as Error).message).toBe('getter failed');
  });

  test('a refused item leaves the encoder ready for the next one', () => {
    expect(() => encodeItem({ a: 'x'.repeat(100), f: () => 1 })).toThrow(TypeError);
    expect(roundTrip({ a: 1, list: [1, 2] })).toEqual({ a: 1, list: [1, 2] });
  });

  test('a getter that encodes another item meanwhile (a put inside a getter) does not disturb either', () => {
    let inner: EncodedItem | undefined;
    const outer = {
      first: 'before',
      get trigger(): string {
        inner = copied(encodeItem({ inner: [1, 2, 3], shared: outerShared }));
        return 'during';
      },
      last: { after: true },
    };
    const outerShared = { s: 1 };
    const encoded = copied(encodeItem({ outer, again: outer }));
    const out = decodeItem(encoded.tag, encoded.bytes, encoded.number) as { outer: unknown; again: unknown };
    expect(out.outer).toEqual({ first: 'before', trigger: 'during', last: { after: true } });
    expect(out.again).toBe(out.outer);
    expect(decodeItem(inner!.tag, inner!.bytes, inner!.number)).toEqual({ inner: [1, 2, 3], shared: { s: 1 } });
  });
});

describe('bytes that are not an item fail to decode with ItemDecodeError', () => {
  const sample = { id: 1, name: 'alice', list: [1.5, 'two', [3]], map: new Map([[1, new Date(0)]]), text: 'é'.repeat(60) };
  const valid = copied(encodeItem(sample));

  function decodeClone(bytes: Uint8Array): unknown {
    return decodeItem(valid.tag, bytes, 0);
  }

  test('a wrong header, an unknown tag, trailing bytes', () => {
    const wrongHeader = valid.bytes!.slice();
    wrongHeader[0] = 0x42;
    expect(() => decodeClone(wrongHeader)).toThrow(ItemDecodeError);
    expect(() => decodeClone(new Uint8Array([0xa0, 0x7f]))).toThrow(ItemDecodeError);
    expect(() => decodeClone(new Uint8Array([...valid.bytes!, 0x01]))).toThrow(ItemDecodeError);
    expect(() => decodeClone(new Uint8Array([]))).toThrow(ItemDecodeError);
    expect(() => decodeClone(new Uint8Array([0xa0, 0x1c, 0x00]))).toThrow(/a reference to an object not yet met/);
    expect(() => decodeItem(3, new Uint8Array([0x07, 0x05, 0x61]), 0)).toThrow(ItemDecodeError); // a string item, truncated
  });

  test('every truncation of a valid item', () => {
    for (let length = 0; length < valid.bytes!.length; length++) {
      expect(() => decodeClone(valid.bytes!.slice(0, length)), `first ${length} bytes`).toThrow(ItemDecodeError);
    }
    expect(decodeClone(valid.bytes!)).toEqual(sample);
  });

  test('random bytes and random corruptions: a value or ItemDecodeError, nothing else', () => {
    const random = seeded(7);
    for (let round = 0; round < 3_000; round++) {
      let bytes: Uint8Array;
      if (round % 2 === 0) {
        bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256));
        bytes[0] = 0xa0 | (round % 4 === 0 ? 1 : 0);
      } else {
        bytes = valid.bytes!.slice();
        for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      try {
        decodeClone(bytes);
      } catch (error) {
        if (!(error instanceof ItemDecodeError)) throw new Error(`not an ItemDecodeError for [${bytes.join(', ')}]`, { cause: error });
      }
    }
  });
});

describe('random nested values arrive as structuredClone delivers them', () => {
  test('2 000 random values', () => {
    const random = seeded(42);
    const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)]!;
    const strings = ['', 'a', 'key', 'name', 'é', '世界', '😀', '\ud800', 'x'.repeat(70), 'ü'.repeat(70), '__proto__', '0', '42'];
    function value(depth: number): unknown {
      const kind = Math.floor(random() * (depth > 3 ? 8 : 15));
      switch (kind) {
        case 0:
          return pick([undefined, null, true, false]);
        case 1:
          return Math.floor(random() * 200) - 100;
        case 2:
          return pick([random() * 1e6, -0, Number.NaN, Infinity, 2 ** 40, -(2 ** 33), 63, 64]);
        case 3:
          return pick(strings) + (random() < 0.5 ? String(Math.floor(random() * 1000)) : '');
        case 4:
          return BigInt(Math.floor(random() * 1e9)) * pick([1n, -1n, 10n ** 30n]);
        case 5:
          return new Date(pick([0, 1.7e12, Number.NaN]));
        case 6:
          return Array.from({ length: Math.floor(random() * 20) }, () => Math.floor(random() * 1e6) / pick([1, 8]));
        case 7:
          return pick([/a+/g, /[é]/u, new Int16Array([1, -2]), new Float64Array([0.5]), new Uint8Array([1, 2]).buffer]);
        case 8:
        case 9:
        case 10: {
          const object: Record<string, unknown> = {};
          for (let n = Math.floor(random() * 6); n > 0; n--) object[pick(strings) + String(n)] = value(depth + 1);
          return object;
        }
        case 11:
        case 12:
          return Array.from({ length: Math.floor(random() * 6) }, () => value(depth + 1));
        case 13:
          return new Map(Array.from({ length: Math.floor(random() * 4) }, () => [value(depth + 1), value(depth + 1)] as const));
        default:
          return new Set(Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1)));
      }
    }
    for (let round = 0; round < 2_000; round++) {
      const item = value(0);
      const ours = roundTrip(item);
      if (!isDeepStrictEqual(ours, structuredClone(item))) expect(ours).toEqual(structuredClone(item));
    }
  });
});

describe('big items and many items', () => {
  test('items bigger than the encoder\'s 64 KiB slab, and earlier items\' bytes never change after later puts', () => {
    const items = [
      { text: 'é'.repeat(100_000) },
      Array.from({ length: 50_000 }, (_, i) => i * 0.5),
      { list: Array.from({ length: 5_000 }, (_, i) => ({ i, name: `n${i}` })) },
      'x'.repeat(200_000),
    ];
    // Encoded one after the other without a copy in between, as putAsync holds them while waiting.
    const encoded = [];
    for (let round = 0; round < 3; round++) for (const item of items) encoded.push(encodeItem(item));
    for (let i = 0; i < 2_000; i++) encoded.push(encodeItem({ i, name: 'small' }));
    encoded.forEach((e, i) => {
      const expected = i < 12 ? items[i % 4] : { i: i - 12, name: 'small' };
      expect(isDeepStrictEqual(decodeItem(e.tag, e.bytes, e.number), expected)).toBe(true);
    });
  });
});

describe('through a real Queue and a real worker thread', () => {
  test('every kind crosses to a worker and back, identity and cycles kept', async () => {
    const cyclic: Record<string, unknown> = { name: 'cyclic' };
    cyclic.self = cyclic;
    const shared = { s: 'shared' };
    const items: unknown[] = [
      undefined,
      null,
      -0,
      Number.NaN,
      12n ** 30n,
      'plain',
      'lone \ud800 surrogate',
      '\ufeffBOM',
      'Grüße 世界 😀 '.repeat(100),
      { id: 1, name: 'alice' },
      [1, 2, 3, 4, 5, 6, 7, 8, 9.5],
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3],
      new Map<unknown, unknown>([[{ k: 1 }, [1]]]),
      new Set(['a', 1]),
      new Date(Number.NaN),
      /re+/giu,
      new RangeError('bad', { cause: { why: 'because' } }),
      new Float32Array([1.5, 2.5]),
      new DataView(new Uint8Array([7, 8]).buffer),
      new Uint8Array([1, 2, 3]),
      { a: shared, b: shared },
      cyclic,
    ];
    const there = new Queue<unknown>();
    const back = new Queue<unknown>();
    const worker = startWorker(
      ({ Queue }, handles: { there: QueueHandle; back: QueueHandle; count: number }) => {
        const from = Queue.from<unknown>(handles.there);
        const to = Queue.from<unknown>(handles.back);
        // Each item goes back as it came, and with what this thread saw of it.
        for (let i = 0; i < handles.count; i++) {
          const item = from.get({ timeout: 10_000 });
          const record = item as Record<string, unknown> | null;
          const seen = {
            type: Object.prototype.toString.call(item),
            sharedKept: typeof item === 'object' && item !== null && 'a' in item ? record!.a === record!.b : null,
            cycleKept: typeof item === 'object' && item !== null && 'self' in item ? record!.self === item : null,
          };
          to.put([item, seen]);
        }
        return 'done';
      },
      { there: there.handle, back: back.handle, count: items.length },
    );
    for (const item of items) there.put(item);
    const returned: [unknown, { type: string; sharedKept: boolean | null; cycleKept: boolean | null }][] = [];
    for (let i = 0; i < items.length; i++) returned.push((await back.getAsync({ timeout: 10_000 })) as (typeof returned)[number]);
    expect(await worker.result).toBe('done');
    returned.forEach(([item, seen], i) => {
      expect(seen.type).toBe(Object.prototype.toString.call(items[i]));
      const expected = structuredClone(items[i]);
      if (!(expected instanceof Date)) expect(isDeepStrictEqual(item, expected), `item ${i}`).toBe(true);
    });
    expect(returned.find(([, seen]) => seen.sharedKept !== null)![1].sharedKept).toBe(true);
    expect(returned.find(([, seen]) => seen.cycleKept !== null)![1].cycleKept).toBe(true);
    const cycleBack = returned.at(-1)![0] as Record<string, unknown>;
    expect(cycleBack.self).toBe(cycleBack);
    expect(Number.isNaN((returned[14]![0] as Date).getTime())).toBe(true);
    expect((returned[6]![0] as string)).toBe('lone \ud800 surrogate');
  });
});

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
