/** Looking at a path before reading it: what is there, without ever throwing or blocking. */
import fs from 'node:fs';

/**
 * `fs.statSync` that never throws: `stat` undefined and no `error` when nothing is there; any other
 * failure (EACCES, ELOOP, ENAMETOOLONG, ENOTDIR…) comes back as `error`, for the caller to name the path.
 */
export function statPath(file: string): { stat: fs.Stats | undefined; error?: unknown } {
  try {
    return { stat: fs.statSync(file, { throwIfNoEntry: false }) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // `a.ts/b` names nothing, as TypeScript sees it.
    if (code === 'ENOTDIR') return { stat: undefined };
    return { stat: undefined, error };
  }
}

/**
 * Why a file that is about to be read is refused: it exists and is not a regular file (a FIFO, a
 * device, a directory, a socket). Opening a FIFO blocks until someone writes to it, so this looks first.
 */
export function refuseSpecialFile(file: string): string | undefined {
  const { stat } = statPath(file);
  if (stat === undefined || stat.isFile()) return undefined;
  return `not a regular file (${fileKind(stat)})`;
}

function fileKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
