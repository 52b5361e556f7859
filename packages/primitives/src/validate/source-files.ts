/**
 * The source lines the validator reads: the line that created a lock names its class, and reports
 * quote the line of each acquisition as `lockstep` does. Read once per file, synchronously (this runs
 * only when something is seen for the first time).
 */
import { nodeBuiltin } from '../internal/runtime.js';

interface FsLike {
  readFileSync(path: string, encoding: 'utf8'): string;
}

interface PathLike {
  relative(from: string, to: string): string;
  isAbsolute(path: string): boolean;
  resolve(...paths: string[]): string;
  dirname(path: string): string;
  readonly sep: string;
}

const fs = nodeBuiltin<FsLike>('node:fs');
const path = nodeBuiltin<PathLike>('node:path');
const files = new Map<string, readonly string[] | undefined>();

/** The lines of `file`, or `undefined` when it cannot be read (an eval, a URL, a deleted file). */
export function sourceLines(file: string): readonly string[] | undefined {
  if (files.has(file)) return files.get(file);
  let lines: string[] | undefined;
  try {
    lines = fs?.readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    lines = undefined;
  }
  files.set(file, lines);
  return lines;
}

/** Line `line` (1-based) of `file`, or `undefined`. */
export function sourceLine(file: string, line: number): string | undefined {
  return sourceLines(file)?.[line - 1];
}

/** `file` relative to `root` with `/` separators; as given (with `/`) when outside the root, as `lockstep` does. */
export function relativeTo(root: string, file: string): string {
  if (path === undefined || !path.isAbsolute(file)) return file;
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file.split(path.sep).join('/');
  return relative.split(path.sep).join('/');
}

/** The file `specifier` (a relative import) names, from the file `from`. */
export function resolveRelative(from: string, specifier: string): string {
  return path === undefined ? specifier : path.resolve(path.dirname(from), specifier);
}
