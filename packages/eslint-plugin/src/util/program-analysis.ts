/**
 * The analyzer's whole-program results, computed once per TypeScript program and shared by every file
 * and every rule of a lint run. typescript-eslint hands each file the program of its project; files of
 * one project share one `ts.Program` object until a file changes, so a `WeakMap` keyed by the program
 * builds the lock-order graph once and lets it go with the program.
 */
import path from 'node:path';
import { analyzeProgram } from '@lockstep/analyzer';
import type { ProgramAnalysis } from '@lockstep/analyzer';
import ts from 'typescript';
import type { ResolvedSettings } from './settings.js';
import { sharedViewFactsOf } from './shared-view-facts.js';

/** An analysis and the directory its relative paths are relative to. */
export interface RootedAnalysis {
  readonly analysis: ProgramAnalysis;
  /** Absolute; `path.resolve(root, location.file)` is a location's file. */
  readonly root: string;
  /** True when it was made without the project's types, over the linted file alone. */
  readonly singleFile: boolean;
}

// Settings may differ between config blocks that share a program, hence the inner map by settings key.
const analyses = new WeakMap<ts.Program, Map<string, RootedAnalysis>>();

/**
 * The analysis of `program` with `settings`, made on first request. Only the project's own source
 * files are summarised: declaration files and `node_modules` are read for types only, as `lockstep`
 * does, so lint and report see the same graph.
 */
export function analysisOfProgram(program: ts.Program, settings: ResolvedSettings): RootedAnalysis {
  let bySettings = analyses.get(program);
  const cached = bySettings?.get(settings.key);
  if (cached !== undefined) return cached;
  const root = program.getCurrentDirectory();
  const files = program
    .getSourceFiles()
    .filter((file) => !file.isDeclarationFile && !program.isSourceFileFromExternalLibrary(file) && !isInNodeModules(file.fileName));
  const analysis = analyzeProgram({ program, files, root, config: { lockTypes: settings.lockTypes, nameFallback: true }, sharedViews: () => sharedViewFactsOf(program) });
  const result: RootedAnalysis = { analysis, root, singleFile: false };
  if (bySettings === undefined) analyses.set(program, (bySettings = new Map<string, RootedAnalysis>()));
  bySettings.set(settings.key, result);
  return result;
}

const SINGLE_FILE_OPTIONS: ts.CompilerOptions = {
  allowJs: true,
  checkJs: false,
  // Nothing outside the file is read: imports stay unresolved, so their locks reach the analyzer
  // untyped and its name-based fallback decides, exactly as it does for plain JavaScript.
  noLib: true,
  noResolve: true,
  types: [],
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  jsx: ts.JsxEmit.Preserve,
};

/**
 * Without type information there is no program to share: analyse the linted file alone, from the
 * text ESLint parsed, with no library and no imports. Only the file's own lock orders are seen, and
 * every lock in them is recognised by name (findings say they are guesses).
 */
export function analysisOfSingleFile(fileName: string, text: string, cwd: string, settings: ResolvedSettings): RootedAnalysis {
  const absolute = path.resolve(cwd, fileName);
  const sourceFile = ts.createSourceFile(absolute, text, ts.ScriptTarget.ESNext, true, scriptKindOf(absolute));
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (path.resolve(cwd, name) === absolute ? sourceFile : undefined),
    getDefaultLibFileName: () => 'lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => cwd,
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => path.resolve(cwd, name) === absolute,
    readFile: (name) => (path.resolve(cwd, name) === absolute ? text : undefined),
  };
  const program = ts.createProgram({ rootNames: [absolute], options: SINGLE_FILE_OPTIONS, host });
  const analysis = analyzeProgram({ program, files: [sourceFile], root: cwd, config: { lockTypes: settings.lockTypes, nameFallback: true } });
  return { analysis, root: cwd, singleFile: true };
}

function scriptKindOf(fileName: string): ts.ScriptKind {
  switch (path.extname(fileName).toLowerCase()) {
    case '.ts':
    case '.mts':
    case '.cts':
      return ts.ScriptKind.TS;
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    default:
      return ts.ScriptKind.JS;
  }
}

function isInNodeModules(fileName: string): boolean {
  return fileName.split(/[\\/]/).includes('node_modules');
}
