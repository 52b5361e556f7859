/**
 * Builds the TypeScript program so that a file TypeScript cannot parse or bind without running out of
 * stack is left out of it, with an input error, instead of aborting the run (see stack-overflow.ts).
 *
 * - Parsing: the compiler host parses each file inside a guard; a file that overflows is "not found".
 * - Binding: every file is bound one by one, inside a guard, before the checker is created (which
 *   would otherwise bind them all at once and lose the whole program to one file). A file whose binding
 *   overflowed is half-bound, so the program is built again without it.
 * - Rebuilding: parsed files are cached and handed to the next program unchanged (`oldProgram`), so a
 *   rebuild re-parses and re-binds nothing; bound files are reusable across programs, as TypeScript's
 *   language service reuses them.
 */
import path from 'node:path';
import ts from 'typescript';
import { isStackOverflow } from './stack-overflow.js';

/** The stage at which a file overflowed the stack. */
export type OverflowStage = 'parse' | 'bind' | 'analyse';

/** TypeScript's own binder: internal, but the very function the checker calls on each file. */
type Binder = (file: ts.SourceFile, options: ts.CompilerOptions) => void;

/** Builds programs that leave out files which overflow the stack, reporting each once. */
export class GuardedProgram {
  readonly #host: ts.CompilerHost;
  readonly #options: ts.CompilerOptions;
  readonly #onLeftOut: (file: string, stage: OverflowStage) => void;
  readonly #cache = new Map<string, ts.SourceFile | undefined>();
  /** Absolute paths of the files left out of every program from now on. */
  readonly #leftOut = new Set<string>();
  #last: ts.Program | undefined;

  /**
   * @param host the compiler host to read files with; its `getSourceFile` is wrapped.
   * @param onLeftOut told once per file left out, with the stage that overflowed.
   */
  constructor(
    host: ts.CompilerHost,
    options: ts.CompilerOptions,
    onLeftOut: (file: string, stage: OverflowStage) => void,
    /** Told the number of files parsed so far, after each one (progress on long runs). */
    onParsed?: (count: number) => void,
  ) {
    this.#options = options;
    this.#onLeftOut = onLeftOut;
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const absolute = path.resolve(fileName);
      if (this.#leftOut.has(absolute)) return undefined;
      const key = `${absolute}\0${typeof languageVersion === 'object' ? `${languageVersion.languageVersion}:${String(languageVersion.impliedNodeFormat)}` : languageVersion}`;
      if (!shouldCreate && this.#cache.has(key)) return this.#cache.get(key);
      let sourceFile: ts.SourceFile | undefined;
      try {
        sourceFile = read(fileName, languageVersion, onError, shouldCreate);
      } catch (error) {
        if (!isStackOverflow(error)) throw error;
        this.#leaveOut(absolute, 'parse');
        return undefined;
      }
      this.#cache.set(key, sourceFile);
      onParsed?.(this.#cache.size);
      return sourceFile;
    };
    this.#host = host;
  }

  /** Whether the file was left out (it overflowed the stack at some stage). */
  isLeftOut(file: string): boolean {
    return this.#leftOut.has(path.resolve(file));
  }

  /** Leaves files out of the programs built from now on (the analysis overflowed on them). */
  leaveOut(files: readonly string[], stage: OverflowStage): void {
    for (const file of files) this.#leaveOut(path.resolve(file), stage);
  }

  /** A program over `rootNames` in which every file is parsed and bound; its checker is created. */
  build(rootNames: readonly string[]): ts.Program {
    for (;;) {
      const program = ts.createProgram({
        rootNames: rootNames.filter((name) => !this.#leftOut.has(path.resolve(name))),
        options: this.#options,
        host: this.#host,
        ...(this.#last === undefined ? {} : { oldProgram: this.#last }),
      });
      this.#last = program;
      const failed = this.#bindEach(program);
      if (failed.length === 0) {
        // Every file is bound, so this only merges their symbols; it also sets every node's `parent`.
        program.getTypeChecker();
        return program;
      }
      for (const file of failed) this.#leaveOut(path.resolve(file.fileName), 'bind');
    }
  }

  /** Binds each file in a guard; returns those whose binding overflowed. */
  #bindEach(program: ts.Program): ts.SourceFile[] {
    const bind = (ts as unknown as { bindSourceFile?: Binder }).bindSourceFile;
    if (typeof bind !== 'function') return this.#bindThroughChecker(program);
    const failed: ts.SourceFile[] = [];
    for (const file of program.getSourceFiles()) {
      try {
        bind(file, program.getCompilerOptions());
      } catch (error) {
        if (!isStackOverflow(error)) throw error;
        failed.push(file);
      }
    }
    return failed;
  }

  /**
   * Without the internal binder, the checker binds the files in program order and stops at the one
   * that overflows: the last file that was not bound before and has its symbol table now.
   */
  #bindThroughChecker(program: ts.Program): ts.SourceFile[] {
    const bound = (file: ts.SourceFile): boolean => (file as unknown as { locals?: unknown }).locals !== undefined;
    const unbound = program.getSourceFiles().filter((file) => !bound(file));
    try {
      program.getTypeChecker();
      return [];
    } catch (error) {
      if (!isStackOverflow(error)) throw error;
      const culprit = unbound.filter(bound).at(-1);
      if (culprit === undefined) throw error;
      return [culprit];
    }
  }

  #leaveOut(absolute: string, stage: OverflowStage): void {
    if (this.#leftOut.has(absolute)) return;
    this.#leftOut.add(absolute);
    this.#onLeftOut(absolute, stage);
  }
}
