/**
 * `X.from(handle)` must build an instance over existing shared memory, while `new X()` allocates, and
 * both must initialise the same `#private` fields, which only a constructor can do. `from` therefore
 * parks the validated state here and calls the constructor, whose first act is to take it. One thread
 * runs one constructor at a time, so a module variable is enough.
 */
let parked: unknown;
let isParked = false;

export function constructAdopting<T, S>(state: S, construct: () => T): T {
  parked = state;
  isParked = true;
  try {
    return construct();
  } finally {
    isParked = false;
    parked = undefined;
  }
}

/** In a constructor: the state `from` parked, or `undefined` for a plain `new`. */
export function takeAdopted<S>(): S | undefined {
  if (!isParked) return undefined;
  const state = parked as S;
  isParked = false;
  parked = undefined;
  return state;
}
