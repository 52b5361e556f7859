// The cross-file cases of no-nonatomic-update-shared-views.test.ts lint their own text as this file
// (and as pool.ts); as written here every update is atomic. main.ts hands `bump` a view over a
// SharedArrayBuffer and `tally` only a view of its own; `deepen` gets one through relay.ts.
export function bump(view: Int32Array, index: number): void {
  Atomics.add(view, index, 1);
}

export function tally(view: Int32Array, index: number): void {
  Atomics.add(view, index, 1);
}

export function deepen(view: Int32Array, index: number): void {
  Atomics.add(view, index, 1);
}
