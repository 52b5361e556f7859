/**
 * The root every path in a report is relative to. Inside a clone (`lockstep src/`), the current
 * directory, so paths stay repo-relative and stable from run to run; for inputs elsewhere
 * (`lockstep ../other-project`), the directory they have in common, so the report still reads in
 * relative paths instead of refusing them; `--root` decides when given.
 */
import path from 'node:path';
import fg from 'fast-glob';
import { statPath } from './file-kind.js';

/** What {@link chooseRoot} looks at. */
export interface RootInputs {
  /** Relative inputs are relative to it. */
  readonly cwd: string;
  /** Files, directories or globs. */
  readonly paths: readonly string[];
  /** A tsconfig file, or a directory holding one. */
  readonly project?: string;
  /** `--root`: wins when given. */
  readonly root?: string;
}

/** The absolute root directory for a run over `inputs`. */
export function chooseRoot(inputs: RootInputs): string {
  const cwd = path.resolve(inputs.cwd);
  if (inputs.root !== undefined) return path.resolve(cwd, inputs.root);
  const directories = [...inputs.paths, ...(inputs.project === undefined ? [] : [inputs.project])].map((input) => directoryOf(path.resolve(cwd, input), input));
  if (directories.every((directory) => isUnder(cwd, directory))) return cwd;
  return directories.reduce(commonAncestor);
}

/** The directory an input stands for: itself, a file's directory, or a glob's static part. */
function directoryOf(absolute: string, given: string): string {
  const { stat } = statPath(absolute);
  if (stat?.isDirectory() === true) return absolute;
  if (stat !== undefined || !fg.isDynamicPattern(given)) return path.dirname(absolute);
  const segments = absolute.split(path.sep);
  // (fast-glob refuses an empty pattern: the leading '' of an absolute path, a doubled separator.)
  const firstDynamic = segments.findIndex((segment) => segment !== '' && fg.isDynamicPattern(segment));
  return segments.slice(0, firstDynamic).join(path.sep) || path.sep;
}

function commonAncestor(a: string, b: string): string {
  let ancestor = a;
  while (!isUnder(ancestor, b)) {
    const parent = path.dirname(ancestor);
    if (parent === ancestor) return ancestor;
    ancestor = parent;
  }
  return ancestor;
}

function isUnder(directory: string, file: string): boolean {
  const relative = path.relative(directory, file);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}
