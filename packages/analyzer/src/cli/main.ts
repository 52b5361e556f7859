/**
 * The `lockstep` command: parse the command line, run the analysis, write the report in the chosen
 * format, and exit 0 (no finding), 1 (findings) or 2 (usage or input error). User errors are one
 * clear line on standard error, never a stack trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { analyzeProject } from '../analyze-project.js';
import { BaselineError, readBaseline, writeBaseline } from '../report/baseline.js';
import { formatDot } from '../report/format-dot.js';
import { formatJson } from '../report/format-json.js';
import { formatSarif } from '../report/format-sarif.js';
import { printable } from '../report/escape-text.js';
import { formatSummary, formatText } from '../report/format-text.js';
import { refuseSpecialFile } from '../project/file-kind.js';
import type { InputError } from '../project/input-error.js';
import type { Report } from '../report/report-model.js';
import { LOCKSTEP_VERSION } from '../version.js';
import { parseArguments, UsageError, USAGE, type Format } from './parse-arguments.js';
import { Progress } from './progress.js';

export interface CliStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface CliEnvironment {
  readonly cwd: string;
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export function main(argv: readonly string[], io: CliEnvironment): number {
  const fail = (message: string): number => {
    io.stderr.write(`lockstep: ${message}\n`);
    return EXIT_ERROR;
  };

  let args;
  try {
    args = parseArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) return fail(`${printable(error.message)}\nRun "lockstep --help" for usage.`);
    throw error;
  }
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_CLEAN;
  }
  if (args.version) {
    io.stdout.write(`${LOCKSTEP_VERSION}\n`);
    return EXIT_CLEAN;
  }

  let baseline: Set<string> | undefined;
  const baselineErrors: InputError[] = [];
  // A FIFO or device would block the read forever: refused before it is opened.
  const baselineRefused = args.baseline === undefined || args.updateBaseline ? undefined : refuseSpecialFile(path.resolve(io.cwd, args.baseline));
  if (args.baseline !== undefined && baselineRefused !== undefined) {
    baselineErrors.push({ code: 'read', file: args.baseline, message: `cannot read the baseline ${args.baseline}: ${baselineRefused}` });
  } else if (args.baseline !== undefined && !args.updateBaseline) {
    try {
      baseline = readBaseline(path.resolve(io.cwd, args.baseline));
    } catch (error) {
      if (!(error instanceof BaselineError)) throw error;
      baselineErrors.push({ code: 'read', file: args.baseline, message: error.message });
    }
  }

  const progress = new Progress(io.stderr, !('LOCKSTEP_NO_PROGRESS' in io.env));
  let analysis;
  try {
    analysis = analyzeProject({
      cwd: io.cwd,
      paths: args.paths,
      ...(args.project === undefined ? {} : { project: args.project }),
      ...(args.config === undefined ? {} : { configFile: args.config }),
      ...(args.root === undefined ? {} : { root: args.root }),
      ...(baseline === undefined ? {} : { baseline }),
      onPhase: (phase) => progress.phase(phase),
      onCount: (phase, done, total) => progress.count(phase, done, total),
    });
  } finally {
    progress.done();
  }
  const report: Report = baselineErrors.length === 0 ? analysis.report : { ...analysis.report, errors: [...baselineErrors, ...analysis.report.errors] };

  for (const error of report.errors) io.stderr.write(`lockstep: ${describeError(error)}\n`);

  if (args.updateBaseline && args.baseline !== undefined) {
    const file = path.resolve(io.cwd, args.baseline);
    try {
      writeBaseline(file, analysis.allFindings, report.locks);
    } catch (error) {
      return fail(printable(`cannot write the baseline ${args.baseline}: ${error instanceof Error ? error.message : String(error)}`));
    }
    io.stderr.write(`lockstep: recorded ${analysis.allFindings.length} finding(s) in ${printable(args.baseline)}\n`);
    return report.errors.length > 0 ? EXIT_ERROR : EXIT_CLEAN;
  }

  const color = args.output === undefined && args.format === 'text' && wantsColor(io);
  const text = render(report, args.format, color);
  if (args.output === undefined) {
    io.stdout.write(text);
  } else {
    try {
      const file = path.resolve(io.cwd, args.output);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    } catch (error) {
      return fail(printable(`cannot write ${args.output}: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
  if (args.output !== undefined) {
    // The report went to a file: the terminal still hears how it came out.
    io.stderr.write(formatSummary(report, { color: wantsColor({ ...io, stdout: io.stderr }) }));
  }
  if (report.errors.length > 0) return EXIT_ERROR;
  if (args.exitZero) return EXIT_CLEAN;
  return report.findings.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

function render(report: Report, format: Format, color: boolean): string {
  switch (format) {
    case 'text':
      return formatText(report, { color });
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report);
    case 'dot':
      return formatDot(report);
  }
}

/** Colour on a terminal unless NO_COLOR is set (https://no-color.org); FORCE_COLOR forces it. */
function wantsColor(io: CliEnvironment): boolean {
  const noColor = io.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  const force = io.env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return io.stdout.isTTY === true && io.env['TERM'] !== 'dumb';
}

function describeError(error: InputError): string {
  const where = error.file === undefined ? '' : `${error.file}${error.line === undefined ? '' : `:${error.line}${error.column === undefined ? '' : `:${error.column}`}`}: `;
  // File names and messages quote the analysed code and the command line: never raw control characters on a terminal.
  return printable(`${where}${error.message}`);
}
