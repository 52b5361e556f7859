/**
 * The functions of the seeds' recipe "evaluating the performance of multithread applications", in JS.
 * The recipe times one call of a function per thread against the same calls made one after another,
 * for an empty function, a CPU-bound Fibonacci and file I/O. One call here is larger than the Python
 * recipe's (whose Fibonacci loop is 10 000 additions, microseconds in V8), so that it is long enough to
 * time next to the cost of starting a worker.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type RecipeTask = 'empty' | 'fibonacci' | 'file-io';

/** Fibonacci by naive recursion: pure CPU, no allocation, no shared state. */
export const FIB_N = 34;
/** Bytes each file-I/O call writes and reads back, in chunks of CHUNK bytes (the recipe reads 1 KiB at a time). */
export const FILE_BYTES = 2 * 1024 * 1024;
const CHUNK = 1024;

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export function emptyFunction(): number {
  return 0;
}

export function fibonacci(): number {
  return fib(FIB_N);
}

/** Writes a temp file in 1 KiB writes, reads it back in 1 KiB reads, deletes it. Returns the bytes read. */
export function fileIO(dir: string, name: string): number {
  const path = join(dir, `${name}.dat`);
  const chunk = Buffer.alloc(CHUNK, 0x61);
  let fd = openSync(path, 'w');
  try {
    for (let written = 0; written < FILE_BYTES; written += CHUNK) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  let read = 0;
  fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) read += n;
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
  return read;
}

export function runTask(task: RecipeTask, dir: string, name: string): number {
  switch (task) {
    case 'empty':
      return emptyFunction();
    case 'fibonacci':
      return fibonacci();
    case 'file-io':
      return fileIO(dir, name);
  }
}
