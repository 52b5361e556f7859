/**
 * `new Promise(executor)` runs its executor at once. A lock the executor releases on every path is
 * released by the time the promise settles, so whoever waits for the promise does not hold it (the
 * shape of livekit-client's SignalClient.connect). One it leaves held stays held.
 */
import { describe, expect, it } from 'vitest';
import { analyseSources } from '../support/virtual-program.js';

const client = (executorEnd: string): string => `import { Mutex } from 'async-mutex';
export class Client {
  readonly #lock = new Mutex();
  async connect(): Promise<string> {
    const release = await this.#lock.acquire();
    return new Promise<string>(async (resolve, reject) => {
      try {
        resolve(await fetch('https://example.test').then((response) => response.text()));
      } catch (error) {
        reject(error);
      }${executorEnd}
    });
  }
  async reconnect(): Promise<void> {
    await this.connect();
    await this.connect();
  }
}`;

describe('a lock handed to a promise executor', () => {
  it('is released for the caller when the executor releases it on every path', () => {
    const result = analyseSources({ 'client.ts': client(' finally {\n        release();\n      }') });
    expect(result.findingNames).toEqual([]);
  });

  it('stays held when the executor never releases it, so a second connect self-deadlocks', () => {
    const result = analyseSources({ 'client.ts': client('') });
    expect(result.findingNames).toEqual(['self-deadlock: Client.#lock']);
  });
});
