/**
 * Why an item cannot be queued. Both are `TypeError`s, as for every item that cannot be queued:
 * `CloneRefused` for a value structured clone refuses too (functions, symbols, `WeakMap`…),
 * `SharedMemoryRefused` for shared memory, which structured clone would share but a queue cannot.
 */
export class CloneRefused extends TypeError {
  override get name(): string {
    return 'TypeError';
  }
}

export class SharedMemoryRefused extends TypeError {
  override get name(): string {
    return 'TypeError';
  }
}

export function cloneRefused(what: string): CloneRefused {
  return new CloneRefused(`Queue.put(): the item cannot be cloned to another thread (${what} could not be cloned)`);
}

export function sharedViewRefused(view: ArrayBufferView): SharedMemoryRefused {
  return new SharedMemoryRefused(
    `Queue.put(): the item holds a view (${view.constructor.name}) on a SharedArrayBuffer; queue items are copies and cannot share memory, send the buffer with postMessage or workerData instead`,
  );
}

export function sharedBufferRefused(): SharedMemoryRefused {
  return new SharedMemoryRefused(
    'Queue.put(): the item holds a SharedArrayBuffer; queue items are copies and cannot share memory, send the buffer with postMessage or workerData instead',
  );
}
