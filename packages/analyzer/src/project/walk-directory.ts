/**
 * Listing source files with fast-glob, made safe for real trees: each directory is read once by its real
 * path, so a symbolic link back up the tree (`loop -> .`) or two links pointing at each other's
 * directories neither list files again nor loop forever, and every system error (EACCES, ELOOP,
 * ENAMETOOLONG, ENOTDIR, …) is reported with the path instead of silently skipping part of the tree.
 *
 * fast-glob keeps its glob semantics; only its file-system adapter is ours.
 */
import fs from 'node:fs';
import fg from 'fast-glob';

/** A system error met while listing, with the path it concerns. */
export interface WalkError {
  readonly path: string;
  /** `EACCES: permission denied`, `ELOOP: too many symbolic links encountered`, … */
  readonly reason: string;
  /** `EACCES`, `ELOOP`, …; `undefined` for an error without a code. */
  readonly code: string | undefined;
  /** What was being done: reading a directory, or finding out what an entry is. */
  readonly operation: 'readdir' | 'stat';
}

/** Options of {@link listFiles}: fast-glob's, less those this module decides. */
export interface ListOptions {
  readonly cwd: string;
  readonly ignore?: readonly string[];
  readonly dot?: boolean;
  /** Told about each error once; default: errors are dropped. */
  readonly onError?: (error: WalkError) => void;
}

/** `EACCES: permission denied, scandir '/x'` → `EACCES: permission denied`: the message names the path already. */
export function systemErrorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, \w+(?: '.*')?$/s, '');
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Absolute paths of the files matching `patterns` under `options.cwd`, each real directory read once.
 * Symbolic links are followed (a linked source directory is part of the project), broken ones are
 * skipped. Never throws for a file-system error: each goes to `onError`.
 */
export function listFiles(patterns: string | readonly string[], options: ListOptions): string[] {
  const visited = new Set<string>();
  const reported = new Set<string>();
  const report = (path: string, error: unknown, operation: WalkError['operation']): void => {
    const code = errorCode(error);
    const key = `${path}\0${code ?? ''}`;
    if (reported.has(key)) return;
    reported.add(key);
    options.onError?.({ path, reason: systemErrorReason(error), code, operation });
  };

  const readdirSync = ((directory: string, readOptions?: unknown): unknown => {
    let real: string;
    try {
      real = fs.realpathSync(directory);
    } catch (error) {
      report(directory, error, 'readdir');
      return [];
    }
    // Already read under another name (a link to it, or a link loop): nothing new in it.
    if (visited.has(real)) return [];
    visited.add(real);
    try {
      return fs.readdirSync(directory, readOptions as { withFileTypes: true });
    } catch (error) {
      report(directory, error, 'readdir');
      return [];
    }
  }) as typeof fs.readdirSync;

  // An entry whose link is broken is no file of the project; any other error is worth saying.
  const guardStat = <T extends typeof fs.statSync>(stat: T): T =>
    ((entry: string, statOptions?: fs.StatSyncOptions) => {
      try {
        return stat(entry, statOptions);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') report(entry, error, 'stat');
        throw error;
      }
    }) as T;

  return fg.sync(typeof patterns === 'string' ? patterns : [...patterns], {
    cwd: options.cwd,
    absolute: true,
    onlyFiles: true,
    dot: options.dot ?? false,
    ignore: [...(options.ignore ?? [])],
    followSymbolicLinks: true,
    // Our adapter has reported each error already; fast-glob is to carry on with the rest.
    suppressErrors: true,
    fs: { readdirSync, statSync: guardStat(fs.statSync), lstatSync: guardStat(fs.lstatSync) },
  });
}
