// Correct code the rules must stay quiet on.
import { Lock } from '@lockstep/primitives';

const cache = new Lock();

export async function refresh(load: () => Promise<void>): Promise<void> {
  await cache.acquireAsync();
  try {
    await load();
  } finally {
    cache.release();
  }
}
