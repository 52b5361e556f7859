/**
 * What the rules that show the analyzer's findings (`no-cyclic-lock-order`, `no-double-acquire`) share:
 * the analysis a linted file belongs to, the file's own report sites looked up in a per-analysis index,
 * and the conversions from the analyzer's locations to ESLint's.
 */
import path from 'node:path';
import type { ProgramAnalysis, SourceLocation } from '@lockstep/analyzer';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { analysisOfProgram, analysisOfSingleFile } from './program-analysis.js';
import type { RootedAnalysis } from './program-analysis.js';
import { resolveSettings } from './settings.js';

/** Report sites of one analysis, by absolute file name. */
export type SitesByFile<Site> = ReadonlyMap<string, readonly Site[]>;

/**
 * The sites in the linted file. With type information the first file of a program pays for the whole
 * program's analysis and its index; every later file costs one map lookup. Without it, the file is
 * analysed alone (the analyzer's name-based fallback).
 */
export function sitesInLintedFile<Site>(
  context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
  index: WeakMap<ProgramAnalysis, SitesByFile<Site>>,
  build: (rooted: RootedAnalysis) => SitesByFile<Site>,
): readonly Site[] {
  const settings = resolveSettings(context.settings, context.cwd);
  const program = context.sourceCode.parserServices?.program ?? null;
  const fileName = path.resolve(context.cwd, context.physicalFilename);
  const rooted =
    program === null ? analysisOfSingleFile(fileName, context.sourceCode.text, context.cwd, settings) : analysisOfProgram(program, settings);
  let sites = index.get(rooted.analysis);
  if (sites === undefined) {
    sites = build(rooted);
    index.set(rooted.analysis, sites);
  }
  return sites.get(fileName) ?? [];
}

/** Relative to ESLint's working directory, as ESLint shows file names, with `/` separators. */
export function displayPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return (relative === '' || path.isAbsolute(relative) ? file : relative).split(path.sep).join('/');
}

/** The analyzer counts columns from 1, ESLint from 0; both count UTF-16 code units. */
export function eslintLocation(location: SourceLocation): TSESTree.SourceLocation {
  return {
    start: { line: location.line, column: location.column - 1 },
    end: { line: location.endLine, column: location.endColumn - 1 },
  };
}
