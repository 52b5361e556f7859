// The other half of the guarded-by cross-file cases: the write-back under the wallet's mutex and the
// module lock's protected counter. file.ts (the linted file) writes them.
import { Mutex } from 'async-mutex';
import { Lock } from '@lockstep/primitives';

declare function persist(cents: number): Promise<void>;

export class Wallet {
  readonly mutex = new Mutex();
  cents = 0;

  async add(amount: number): Promise<void> {
    await this.mutex.runExclusive(async () => {
      const next = this.cents + amount;
      await persist(next);
      this.cents = next;
    });
  }
}

export const ledgerLock = new Lock();
export const ledgerCells = new Int32Array(new SharedArrayBuffer(16));

export function record(value: number): void {
  using _ = ledgerLock.hold();
  ledgerCells[0] = value;
}
