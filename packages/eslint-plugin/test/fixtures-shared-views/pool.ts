// A pool whose slots main.ts creates over a SharedArrayBuffer: the field is declared `Int32Array`.
export class Pool {
  constructor(readonly slots: Int32Array) {}

  take(index: number): void {
    Atomics.add(this.slots, index, 1);
  }
}
