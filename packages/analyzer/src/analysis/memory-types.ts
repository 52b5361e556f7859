/**
 * What a value's type says about the memory behind it. Since TypeScript 5.7 typed arrays are generic
 * over their buffer, so `Int32Array<SharedArrayBuffer>` settles the question and `Int32Array<ArrayBuffer>`
 * settles it the other way; the default `Int32Array` (`ArrayBufferLike`) and `any` leave it open, and
 * that is where shared-views.ts follows the value through the program.
 */
import ts from 'typescript';

/** The typed-array classes of the platform. */
export const TYPED_ARRAY_NAMES: ReadonlySet<string> = new Set([
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]);

/**
 * - `shared-view` / `shared-buffer`: a typed array over a SharedArrayBuffer / a SharedArrayBuffer;
 * - `unshared`: an `ArrayBuffer` or a typed array over one;
 * - `view` / `buffer`: a typed array / a buffer whose kind the type leaves open (`ArrayBufferLike`);
 * - `untyped`: `any` or `unknown`, which may be anything;
 * - `other`: a number, an ordinary array, any other object: no memory to share.
 */
export type MemoryVerdict = 'shared-view' | 'shared-buffer' | 'unshared' | 'view' | 'buffer' | 'untyped' | 'other';

/** What `type` says; `null`/`undefined` in it are ignored (a view that may be missing is still a view). */
export function memoryVerdict(checker: ts.TypeChecker, type: ts.Type): MemoryVerdict {
  // Once only: a type parameter's non-nullable form is `T & {}`, whose parts would ask again forever.
  return verdictOf(checker, checker.getNonNullableType(type));
}

function verdictOf(checker: ts.TypeChecker, value: ts.Type): MemoryVerdict {
  if (value.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'untyped';
  if (value.flags & ts.TypeFlags.TypeParameter) {
    const constraint = checker.getBaseConstraintOfType(value);
    return constraint === undefined || constraint === value ? 'other' : verdictOf(checker, constraint);
  }
  if (value.isUnion()) return unionVerdict(value.types.filter((member) => !(member.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void))).map((member) => verdictOf(checker, member)));
  // A branded view (`Int32Array & { readonly brand: unique symbol }`) is what its view part says.
  if (value.isIntersection()) return value.types.map((member) => verdictOf(checker, member)).find((verdict) => verdict !== 'other') ?? 'other';
  const name = value.getSymbol()?.getName();
  if (name === 'SharedArrayBuffer') return 'shared-buffer';
  if (name === 'ArrayBuffer') return 'unshared';
  if (name === undefined || !TYPED_ARRAY_NAMES.has(name)) return 'other';
  const buffer = value.getProperty('buffer');
  if (buffer === undefined) return 'view';
  const verdict = memoryVerdict(checker, checker.getTypeOfSymbol(buffer));
  if (verdict === 'shared-buffer') return 'shared-view';
  return verdict === 'unshared' ? 'unshared' : 'view';
}

function unionVerdict(verdicts: readonly MemoryVerdict[]): MemoryVerdict {
  if (verdicts.includes('untyped')) return 'untyped';
  // Members without memory (`number[]` of `Int32Array | number[]`) say nothing about the rest.
  const memory = verdicts.filter((verdict) => verdict !== 'other');
  if (memory.length === 0) return 'other';
  if (memory.every((verdict) => verdict === 'unshared')) return 'unshared';
  if (memory.every((verdict) => verdict === 'shared-view' || verdict === 'shared-buffer')) return memory.includes('shared-view') ? 'shared-view' : 'shared-buffer';
  // Some member may be shared, some not (`ArrayBufferLike` is `ArrayBuffer | SharedArrayBuffer`).
  return memory.includes('view') || memory.includes('shared-view') ? 'view' : 'buffer';
}
