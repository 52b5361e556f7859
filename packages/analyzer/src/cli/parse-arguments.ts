/** The `lockstep` command line, parsed with Node's own `util.parseArgs` and checked. */
import { parseArgs } from 'node:util';
import { editDistance, suggestOption } from './suggest-option.js';

export const FORMATS = ['text', 'json', 'sarif', 'dot'] as const;
export type Format = (typeof FORMATS)[number];

export interface CliArguments {
  readonly paths: readonly string[];
  readonly project?: string;
  readonly format: Format;
  readonly output?: string;
  readonly baseline?: string;
  readonly updateBaseline: boolean;
  readonly config?: string;
  /** The directory report paths are relative to (default: the current directory, or the inputs' common root). */
  readonly root?: string;
  /** Exit 0 even with findings (input and usage errors still exit 2). */
  readonly exitZero: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

/** A command line that cannot be run: exit 2 with this message and a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: lockstep [paths...] [options]

Finds possible deadlocks in a TypeScript or JavaScript project: locks taken in cyclic order across
functions and files, and non-reentrant locks taken again by their holder.

Paths are files, directories or globs, anywhere. Without paths: the tsconfig.json of the current
directory, or every source file under it.

Options:
  -p, --project <tsconfig>   the TypeScript project to analyse
  -f, --format <format>      text (default), json, sarif or dot
  -o, --output <file>        write the report to a file instead of standard output
      --baseline <file>      leave out the findings recorded in this baseline file
      --update-baseline      record every current finding in the --baseline file, then exit 0
  -c, --config <file>        configuration file (default: lockstep.config.json, or the "lockstep"
                             key of package.json, found from the root upwards)
      --root <dir>           the directory report paths are relative to (default: the current
                             directory; the inputs' common directory when some are outside it)
      --exit-zero            exit 0 even with findings, e.g. to render --format dot in a pipe
                             (usage and input errors still exit 2)
  -h, --help                 show this help
  -v, --version              show the version

Exit codes: 0 no finding, 1 findings, 2 usage or input error, or nothing analysed (the report still
covers every file that could be analysed). Colours only on a terminal; NO_COLOR turns them off.
Docs: https://github.com/lockstep/lockstep/blob/main/docs/analyzer.md`;

const OPTIONS = {
  project: { type: 'string', short: 'p' },
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  baseline: { type: 'string' },
  'update-baseline': { type: 'boolean' },
  config: { type: 'string', short: 'c' },
  root: { type: 'string' },
  'exit-zero': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export function parseArguments(argv: readonly string[]): CliArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: OPTIONS,
    });
  } catch (error) {
    // parseArgs says what was wrong ("Unknown option '--fromat'"); the code prefix is noise to a user.
    const message = error instanceof Error ? error.message.replace(/^TypeError \[[A-Z_]+\]: /, '') : String(error);
    const unknown = /^Unknown option '([^']*)'/.exec(message)?.[1];
    const suggestion = unknown === undefined ? undefined : suggestOption(unknown, Object.keys(OPTIONS));
    // parseArgs's own advice (`use '--' to pass it as a positional`, with a quote it never closes)
    // fits a typo less well than the nearest option, or the plain fact.
    if (unknown !== undefined) {
      throw new UsageError(
        suggestion === undefined
          ? `unknown option '${unknown}' (a path that starts with '-' goes after '--': lockstep -- ${unknown})`
          : `unknown option '${unknown}': did you mean ${suggestion}?`,
      );
    }
    throw new UsageError(message);
  }
  const { values, positionals } = parsed;
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) {
    const near = FORMATS.find((known) => editDistance(format.toLowerCase(), known) <= 1);
    throw new UsageError(`unknown format "${format}": use one of ${FORMATS.join(', ')}${near === undefined ? '' : ` (did you mean ${near}?)`}`);
  }
  for (const [name, value] of [['project', values.project], ['output', values.output], ['baseline', values.baseline], ['config', values.config], ['root', values.root]] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} needs a ${name === 'root' ? 'directory' : 'file'} name`);
  }
  if (values['update-baseline'] === true && values.baseline === undefined) {
    throw new UsageError('--update-baseline needs --baseline <file> to say which file to write');
  }
  return {
    paths: positionals,
    ...(values.project === undefined ? {} : { project: values.project }),
    format: format as Format,
    ...(values.output === undefined ? {} : { output: values.output }),
    ...(values.baseline === undefined ? {} : { baseline: values.baseline }),
    updateBaseline: values['update-baseline'] === true,
    ...(values.config === undefined ? {} : { config: values.config }),
    ...(values.root === undefined ? {} : { root: values.root }),
    exitZero: values['exit-zero'] === true,
    help: values.help === true,
    version: values.version === true,
  };
}
