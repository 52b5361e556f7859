/**
 * A callee that takes a lock only `if (this.f)`, called right after its caller cleared `this.f`, does
 * not take it through that call: the shape of livekit-client's LocalTrack, where setProcessor() holds
 * processorLock and calls stopProcessor(), which sets `this.processor = undefined` before calling
 * setMediaStreamTrack(), which takes processorLock only when a processor is set.
 */
import { describe, expect, it } from 'vitest';
import { analyseSources } from '../support/virtual-program.js';

const track = (stopBody: string): string => `import { Mutex } from 'async-mutex';
interface Processor { destroy(): Promise<void>; restart(): Promise<void> }
export class Track {
  readonly processorLock = new Mutex();
  processor: Processor | undefined;
  async setProcessor(next: Processor): Promise<void> {
    const unlock = await this.processorLock.acquire();
    try {
      if (this.processor) {
        await this.stopProcessor();
      }
      this.processor = next;
    } finally {
      unlock();
    }
  }
  async stopProcessor(): Promise<void> {
    if (!this.processor) return;
${stopBody}
  }
  private async setTrack(force: boolean): Promise<void> {
    if (this.processor && force) {
      const unlock = await this.processorLock.acquire();
      try {
        await this.processor.restart();
      } finally {
        unlock();
      }
    }
  }
}`;

describe('a lock taken under a field its caller just cleared', () => {
  it('is not taken through the call made after the clearing', () => {
    const result = analyseSources({
      'track.ts': track(`    await this.processor.destroy();
    this.processor = undefined;
    await this.setTrack(true);`),
    });
    expect(result.findingNames).toEqual([]);
  });

  it('is taken when the field is not cleared first: a self-deadlock through the calls', () => {
    const result = analyseSources({
      'track.ts': track(`    await this.processor.destroy();
    await this.setTrack(true);`),
    });
    expect(result.findingNames).toEqual(['self-deadlock: Track.processorLock']);
  });

  it('is taken when the field is set again between the clearing and the call', () => {
    const result = analyseSources({
      'track.ts': track(`    this.processor = undefined;
    this.processor = { destroy: async () => {}, restart: async () => {} };
    await this.setTrack(true);`),
    });
    expect(result.findingNames).toEqual(['self-deadlock: Track.processorLock']);
  });

  it('is taken when the clearing happens on one branch only', () => {
    const result = analyseSources({
      'track.ts': track(`    if (Math.random() > 0.5) {
      this.processor = undefined;
    }
    await this.setTrack(true);`),
    });
    expect(result.findingNames).toEqual(['self-deadlock: Track.processorLock']);
  });
});
