// One level between main.ts and counter.ts: `deepen` is shared only through this parameter.
import { deepen } from './counter.js';

export function relay(view: Int32Array): void {
  deepen(view, 0);
}
