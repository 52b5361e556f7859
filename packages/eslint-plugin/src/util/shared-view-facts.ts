/**
 * The analyzer's shared-memory facts, one per TypeScript program, shared by every file and rule of a
 * lint run (as program-analysis.ts shares the lock-order graph). Made only when a rule first asks, and
 * the facts themselves index the program only when a question needs more than a type.
 */
import { findSharedViews } from '@lockstep/analyzer';
import type { SharedViewFacts } from '@lockstep/analyzer';
import type ts from 'typescript';

const factsByProgram = new WeakMap<ts.Program, SharedViewFacts>();

/**
 * Which typed arrays of `program` may view a SharedArrayBuffer. Assignments and calls are looked for
 * in the project's own source files (not declaration files, not `node_modules`), the files
 * `analysisOfProgram` summarises; descriptions name files relative to the program's directory.
 */
export function sharedViewFactsOf(program: ts.Program): SharedViewFacts {
  let facts = factsByProgram.get(program);
  if (facts === undefined) {
    const files = program
      .getSourceFiles()
      .filter((file) => !file.isDeclarationFile && !program.isSourceFileFromExternalLibrary(file) && !isInNodeModules(file.fileName));
    factsByProgram.set(program, (facts = findSharedViews(program, files, program.getCurrentDirectory())));
  }
  return facts;
}

function isInNodeModules(fileName: string): boolean {
  return fileName.split(/[\\/]/).includes('node_modules');
}
