// Seeded bugs, one per recommended rule that needs no second file: a lock-order cycle between
// transfer() and audit(), a lock left held on an early return, and a lost update across an await.
import { Lock } from '@lockstep/primitives';

export const accounts = new Lock();
export const ledger = new Lock();

export async function transfer(): Promise<void> {
  await accounts.acquireAsync();
  try {
    await ledger.acquireAsync();
    ledger.release();
  } finally {
    accounts.release();
  }
}

export async function audit(): Promise<void> {
  await ledger.acquireAsync();
  try {
    await accounts.acquireAsync();
    accounts.release();
  } finally {
    ledger.release();
  }
}

export async function close(early: boolean): Promise<void> {
  await accounts.acquireAsync();
  if (early) return;
  accounts.release();
}

declare function fetchDelta(): Promise<number>;

export class Balance {
  total = 0;

  async add(): Promise<void> {
    this.total = this.total + (await fetchDelta());
  }
}
