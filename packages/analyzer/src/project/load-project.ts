/**
 * From the command line's paths and `--project` to one TypeScript program and the files to analyse.
 * Whatever is wrong with the input (a path that matches nothing, a broken tsconfig, a file that does not
 * parse) becomes an {@link InputError} and the rest is still analysed: one bad file must not hide the
 * deadlocks in the others.
 *
 * The benchmark holds the whole run to 1.2× `tsc --noEmit`, so this builds exactly one program, reads
 * each file once (TypeScript reads; fast-glob and stat only list), and asks only for syntactic
 * diagnostics, which the parser has already produced.
 */
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import ts from 'typescript';
import { refuseSpecialFile, statPath } from './file-kind.js';
import { GuardedProgram } from './guarded-program.js';
import { listFiles, systemErrorReason, type WalkError } from './walk-directory.js';
import type { InputError } from './input-error.js';
import { tooDeepMessage } from './stack-overflow.js';

/** Extensions of the files analysed (declaration files excepted). */
export const SOURCE_EXTENSIONS: readonly string[] = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

const JS_EXTENSIONS = new Set(['.js', '.jsx', '.mjs', '.cjs']);
const SOURCE_GLOB = `**/*.{${SOURCE_EXTENSIONS.map((extension) => extension.slice(1)).join(',')}}`;
/** Never source: dependencies, build output, declarations. */
const DEFAULT_IGNORE = ['**/node_modules/**', '**/dist/**', '**/*.d.ts', '**/*.d.mts', '**/*.d.cts', '**/*.d.*.ts'];
// The same three kinds of declaration file TypeScript knows: `.d.ts`, `.d.mts`/`.d.cts`, `.d.<ext>.ts`.
const DECLARATION_FILE = /\.d\.(?:[cm]?ts|[^./\\]+\.ts)$/i;

/** Options of {@link loadProject}. */
export interface LoadProjectOptions {
  /** The directory the command runs in: `paths` and `project` are relative to it. */
  readonly cwd: string;
  /** The report's root, every reported path relative to it; default `cwd` (see choose-root.ts). */
  readonly root?: string;
  /** Files, directories or globs (fast-glob syntax) to analyse; empty: the whole project. */
  readonly paths: readonly string[];
  /** A tsconfig file (or a directory holding `tsconfig.json`), relative to `cwd`. */
  readonly project?: string;
  /** Globs of files not to analyse (they may still be loaded for their types). Absolute, or relative to `excludeBase`. */
  readonly exclude?: readonly string[];
  /**
   * The directory relative `exclude` globs start from; default `cwd`. Pass the config file's directory
   * when the globs come from a config file, since they are written relative to it.
   */
  readonly excludeBase?: string;
  /** Told how many files TypeScript has parsed so far, after each (progress on long runs). */
  readonly onParsed?: (count: number) => void;
}

/** The program to analyse and what could not be loaded into it. */
export interface LoadedProject {
  /**
   * The one program, with every file it needs for types. Its type checker is already created, which
   * also means every node's `parent` is set (the binder sets them).
   */
  readonly program: ts.Program;
  /** The absolute root every relative path in the report starts from. */
  readonly root: string;
  /**
   * The files to analyse, sorted by path: source files under the root, not declaration files, not in
   * `node_modules`, not excluded, and without syntax errors.
   */
  readonly files: readonly ts.SourceFile[];
  readonly errors: InputError[];
  /**
   * The same project without these files (their analysis ran out of stack): a new program, so no
   * checker state half-updated by the overflow survives, with a `too-deep` error for each file.
   */
  readonly without: (files: readonly ts.SourceFile[]) => LoadedProject;
}

/**
 * Loads the files to analyse into one TypeScript program.
 *
 * - `project` given: its compiler options and files; with `paths`, only its files under those paths,
 *   plus files named explicitly or matched by a glob.
 * - Neither `project` nor `paths`: `tsconfig.json` in `cwd` if there is one, else every source file under `cwd`.
 * - `paths` without `project`: a directory holding a `tsconfig.json` brings that config's options and
 *   its files under the directory (the first such tsconfig's options serve the whole program); other
 *   directories and globs bring their source files (skipping `node_modules`, `dist` and declaration
 *   files) under default options in which imports resolve from `node_modules` as Node resolves them.
 * - A solution-style tsconfig (no files of its own, only `references`) stands for its referenced
 *   projects' files, under the first referenced project's options.
 * - A tsconfig that cannot be read or has errors is reported (code `tsconfig`); the paths, if any, are
 *   still analysed under default options; without paths, whatever TypeScript could make of it is used.
 *
 * Never throws for bad input: see {@link LoadedProject.errors}.
 */
export function loadProject(options: LoadProjectOptions): LoadedProject {
  const cwd = path.resolve(options.cwd);
  const root = path.resolve(cwd, options.root ?? '.');
  const loader = new ProjectLoader(root, cwd, options.exclude ?? [], path.resolve(cwd, options.excludeBase ?? '.'), options.onParsed);
  const { paths } = options;

  const project = options.project ?? (paths.length === 0 && isFile(path.join(cwd, 'tsconfig.json')) ? 'tsconfig.json' : undefined);
  if (project !== undefined) {
    const tsconfig = loader.readTsconfig(resolveTsconfigPath(cwd, project));
    if (paths.length === 0) {
      if (tsconfig.parsed !== undefined) loader.addTsconfigFiles(tsconfig.parsed, root, true);
      loader.useOptions(tsconfig.parsed?.options);
    } else {
      const usable = tsconfig.broken ? undefined : tsconfig.parsed;
      loader.useOptions(usable?.options);
      loader.addPaths(paths, usable);
    }
  } else if (paths.length === 0) {
    loader.addGlob(SOURCE_GLOB, cwd);
  } else {
    loader.addPaths(paths, undefined);
  }
  return loader.finish();
}

/** What one tsconfig (with its references, for a solution-style one) gives. */
interface Tsconfig {
  readonly options: ts.CompilerOptions;
  readonly fileNames: readonly string[];
}

class ProjectLoader {
  readonly #root: string;
  /** The command line's paths are relative to it. */
  readonly #cwd: string;
  readonly #onParsed: ((count: number) => void) | undefined;
  readonly #errors: InputError[] = [];
  /** Files handed to TypeScript as roots: the files to analyse, plus a tsconfig's declaration files. */
  readonly #rootNames = new Set<string>();
  /** Files to analyse, by their absolute path. */
  readonly #targets = new Set<string>();
  /** Real paths of the targets found by listing, so a file reached through two names is one target. */
  readonly #realTargets = new Set<string>();
  /** Files the user named one by one: if they cannot be analysed, say so. */
  readonly #named = new Set<string>();
  #options: ts.CompilerOptions | undefined;
  readonly #excludeGlobs: readonly string[];
  #excluded: ReadonlySet<string> | undefined;
  readonly #extendedConfigCache = new Map<string, ts.ExtendedConfigCacheEntry>();

  constructor(root: string, cwd: string, exclude: readonly string[], excludeBase: string, onParsed: ((count: number) => void) | undefined) {
    this.#root = root;
    this.#cwd = cwd;
    this.#onParsed = onParsed;
    const base = fg.convertPathToPattern(excludeBase);
    this.#excludeGlobs = exclude.flatMap((pattern) => {
      const trimmed = pattern.replace(/\/+$/, '');
      const absolute = path.isAbsolute(trimmed) ? trimmed : path.posix.join(base, trimmed);
      // A directory's name excludes what is in it, as in .gitignore.
      return [absolute, `${absolute}/**`];
    });
  }

  /** Options for the program, unless some earlier tsconfig already chose them. */
  useOptions(options: ts.CompilerOptions | undefined): void {
    this.#options ??= options;
  }

  /** Reads a tsconfig, reporting its errors. `broken`: unreadable or with any error. */
  readTsconfig(configPath: string): { parsed: Tsconfig | undefined; broken: boolean } {
    const visited = new Set<string>();
    let broken = false;
    const read = (file: string): Tsconfig | undefined => {
      visited.add(path.resolve(file));
      const refused = refuseSpecialFile(file);
      if (refused !== undefined) {
        broken = true;
        this.#errors.push({ code: 'tsconfig', file: this.#relative(file), message: `cannot read ${this.#relative(file)}: ${refused}` });
        return undefined;
      }
      let unrecoverable: ts.Diagnostic | undefined;
      const host: ts.ParseConfigFileHost = {
        useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
        readDirectory: (root, extensions, excludes, includes, depth) => ts.sys.readDirectory(root, extensions, excludes, includes, depth),
        fileExists: (file) => ts.sys.fileExists(file),
        // A FIFO or device named by `extends` would block the read forever.
        readFile: (file) => (refuseSpecialFile(file) === undefined ? ts.sys.readFile(file) : undefined),
        getCurrentDirectory: () => this.#cwd,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          unrecoverable = diagnostic;
        },
      };
      const parsed = ts.getParsedCommandLineOfConfigFile(file, undefined, host, this.#extendedConfigCache);
      const diagnostics = parsed === undefined ? [unrecoverable] : ts.getConfigFileParsingDiagnostics(parsed);
      for (const diagnostic of diagnostics) {
        if (diagnostic === undefined || diagnostic.category !== ts.DiagnosticCategory.Error) continue;
        broken = true;
        this.#errors.push(this.#tsconfigError(diagnostic, file));
      }
      if (parsed === undefined) {
        broken = true;
        if (unrecoverable === undefined) this.#errors.push({ code: 'tsconfig', file: this.#relative(file), message: 'cannot read the file' });
        return undefined;
      }
      const references = parsed.projectReferences ?? [];
      if (parsed.fileNames.length > 0 || references.length === 0) return { options: parsed.options, fileNames: parsed.fileNames };
      // A solution config (`files: []` plus references) has no files itself; `tsc -b` builds its references.
      // One program over all their files keeps the analysis whole-program.
      let options: ts.CompilerOptions | undefined;
      const fileNames: string[] = [];
      for (const reference of references) {
        const referenced = ts.resolveProjectReferencePath(reference);
        if (visited.has(path.resolve(referenced))) continue;
        const result = read(referenced);
        if (result === undefined) continue;
        options ??= result.options;
        fileNames.push(...result.fileNames);
      }
      return { options: options ?? parsed.options, fileNames };
    };
    const parsed = read(configPath);
    return { parsed, broken };
  }

  /**
   * Adds a tsconfig's files that are analysable and under `within` as targets. Its declaration files
   * always become roots (they may declare globals); with `allAsRoots`, every file does, so the program
   * is the one `tsc -p` builds.
   */
  addTsconfigFiles(tsconfig: Tsconfig, within: string, allAsRoots: boolean): number {
    let added = 0;
    for (const file of tsconfig.fileNames) {
      if (isUnder(within, file) && this.#analysable(file)) {
        this.#rootNames.add(file);
        this.#targets.add(path.resolve(file));
        added++;
      } else if (allAsRoots || DECLARATION_FILE.test(file)) {
        this.#rootNames.add(file);
      }
    }
    return added;
  }

  /** Source files matching a glob, relative to `cwd`; returns how many. */
  addGlob(pattern: string, cwd: string): number {
    const files = listFiles(pattern, {
      cwd,
      ignore: [...DEFAULT_IGNORE, ...this.#excludeGlobs],
      onError: (error) => this.#walkError(error),
    });
    let added = 0;
    for (const file of files) {
      // The ignore globs already left out node_modules and the excluded files.
      if (!hasSourceExtension(file) || this.#refuseBackslash(file)) continue;
      // A file reached through a link is known by its real name when that is in the project too, as
      // TypeScript resolves imports by real path: one file, one name, never two copies in the program.
      const real = realPath(file);
      const name = real !== undefined && isUnder(this.#root, real) && hasSourceExtension(real) ? real : file;
      const key = real ?? name;
      if (this.#realTargets.has(key)) continue;
      this.#realTargets.add(key);
      this.#rootNames.add(name);
      this.#targets.add(path.resolve(name));
      added++;
    }
    return added;
  }

  /**
   * On POSIX a backslash is an ordinary character of a file name, but TypeScript turns every `\` of a
   * path into `/` before it reads the file, and resolves the file's imports from the wrong directory:
   * such a file cannot be analysed faithfully. Say so by its real name, rather than "no such file a/b.ts".
   */
  #refuseBackslash(file: string): boolean {
    if (path.sep === '\\' || !file.includes('\\')) return false;
    const name = this.#relative(file);
    this.#errors.push({ code: 'usage', file: name, message: `cannot analyse ${name}: TypeScript reads the backslash in its name as a directory separator` });
    return true;
  }

  #walkError(error: WalkError): void {
    const name = this.#relative(error.path);
    const message = error.operation === 'readdir' ? `cannot read directory ${name}: ${error.reason}` : `cannot read ${name}: ${error.reason}`;
    this.#errors.push({ code: 'read', file: name, message });
  }

  /**
   * The command line's paths. With `project` (a usable tsconfig given by `--project`), a directory
   * selects the project's files under it; without, a directory brings its own tsconfig if it has one.
   */
  addPaths(paths: readonly string[], project: Tsconfig | undefined): void {
    // The project's declaration files may declare globals its sources rely on, whichever paths are chosen.
    for (const file of project?.fileNames ?? []) if (DECLARATION_FILE.test(file)) this.#rootNames.add(file);
    for (const given of paths) {
      const absolute = path.resolve(this.#cwd, given);
      const { stat, error } = statPath(absolute);
      if (error !== undefined) {
        this.#errors.push({ code: 'read', file: this.#relative(absolute), message: `cannot read ${given}: ${systemErrorReason(error)}` });
        continue;
      }
      if (stat === undefined) {
        if (fg.isDynamicPattern(given)) {
          if (this.addGlob(given, this.#cwd) === 0) this.#errors.push({ code: 'missing-path', message: `pattern matched no files: ${given}` });
        } else {
          this.#errors.push({ code: 'missing-path', message: `no such file or directory: ${given}` });
        }
        continue;
      }
      if (stat.isFile()) {
        this.#addNamedFile(given, absolute);
      } else if (stat.isDirectory()) {
        if (this.#addDirectory(absolute, project) === 0) {
          this.#errors.push({ code: 'missing-path', message: `${project === undefined ? 'no source files' : 'no files of the project'} in: ${given}` });
        }
      } else {
        this.#errors.push({ code: 'missing-path', message: `not a file or directory: ${given}` });
      }
    }
  }

  #addNamedFile(given: string, absolute: string): void {
    if (DECLARATION_FILE.test(absolute)) {
      // A declaration has no code to analyse, but its types may matter.
      this.#rootNames.add(absolute);
      return;
    }
    if (!hasSourceExtension(absolute)) {
      const hint = /(?:^|[/\\])tsconfig[^/\\]*\.json$/.test(given) ? ' (pass a tsconfig with --project)' : '';
      this.#errors.push({ code: 'usage', message: `not a TypeScript or JavaScript file: ${given}${hint}` });
      return;
    }
    if (this.#refuseBackslash(absolute)) return;
    this.#rootNames.add(absolute);
    // Named on the command line: analysed wherever it is (outside the root, its path is absolute).
    if (this.#analysable(absolute, false)) {
      this.#targets.add(absolute);
      this.#named.add(absolute);
    }
  }

  #addDirectory(directory: string, project: Tsconfig | undefined): number {
    if (project !== undefined) return this.addTsconfigFiles(project, directory, false);
    const tsconfigPath = path.join(directory, 'tsconfig.json');
    if (isFile(tsconfigPath)) {
      const tsconfig = this.readTsconfig(tsconfigPath);
      if (!tsconfig.broken && tsconfig.parsed !== undefined) {
        this.useOptions(tsconfig.parsed.options);
        return this.addTsconfigFiles(tsconfig.parsed, directory, false);
      }
    }
    return this.addGlob(SOURCE_GLOB, directory);
  }

  /** Builds the program and sorts out which targets made it into it intact. */
  finish(): LoadedProject {
    const options = this.#options ?? defaultCompilerOptions(this.#root);
    const host = ts.createCompilerHost(options);
    // Type roots and relative names are resolved from the current directory: make it the root, not the process's.
    host.getCurrentDirectory = () => this.#root;
    const guarded = new GuardedProgram(
      host,
      options,
      (file, stage) => {
        this.#errors.push({ code: 'too-deep', file: this.#relative(file), message: tooDeepMessage(stage) });
      },
      this.#onParsed,
    );
    return this.#loaded(guarded, options);
  }

  #loaded(guarded: GuardedProgram, options: ts.CompilerOptions): LoadedProject {
    const program = guarded.build([...this.#rootNames]);
    // Errors found while sorting the targets are found again on a rebuild: keep them apart.
    const errors: InputError[] = [];
    const files: ts.SourceFile[] = [];
    for (const target of this.#targets) {
      // Already reported, once, when it was left out.
      if (guarded.isLeftOut(target)) continue;
      const sourceFile = program.getSourceFile(target);
      if (sourceFile === undefined) {
        errors.push(...this.#notLoaded(target, options));
        continue;
      }
      const [first] = program.getSyntacticDiagnostics(sourceFile);
      if (first !== undefined) {
        errors.push(this.#diagnosticError('parse', first, target));
        continue;
      }
      files.push(sourceFile);
    }
    files.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
    return {
      program,
      root: this.#root,
      files,
      errors: [...this.#errors, ...errors],
      without: (leftOut) => {
        guarded.leaveOut(
          leftOut.map((file) => file.fileName),
          'analyse',
        );
        return this.#loaded(guarded, options);
      },
    };
  }

  /** Why a file meant for analysis is not in the program. */
  #notLoaded(file: string, options: ts.CompilerOptions): InputError[] {
    const name = this.#relative(file);
    if (JS_EXTENSIONS.has(path.extname(file).toLowerCase()) && options.allowJs !== true) {
      // Listed by a glob or a directory: the tsconfig leaves JavaScript out on purpose, and so do we.
      return this.#named.has(file) ? [{ code: 'usage', file: name, message: `JavaScript file not analysed: the tsconfig does not set allowJs: ${name}` }] : [];
    }
    if (!fs.existsSync(file)) {
      return [{ code: 'missing-path', message: `no such file or directory: ${name}` }];
    }
    // TypeScript's host swallows the reason; reading again happens only on this failure path.
    let reason = 'TypeScript could not load it';
    try {
      fs.readFileSync(file);
    } catch (error) {
      reason = systemErrorReason(error);
    }
    return [{ code: 'read', file: name, message: `cannot read ${name}: ${reason}` }];
  }

  /** A source file to analyse; a tsconfig's files (`withinRoot`) only under the root, as `tsc` may list `../shared` files for their types. */
  #analysable(file: string, withinRoot = true): boolean {
    return (
      hasSourceExtension(file) &&
      (!withinRoot || isUnder(this.#root, file)) &&
      !path.relative(this.#root, file).split(path.sep).includes('node_modules') &&
      !this.#isExcluded(file)
    );
  }

  #isExcluded(file: string): boolean {
    if (this.#excludeGlobs.length === 0) return false;
    // fast-glob offers no matcher, only listings; listing the excluded files once keeps its glob
    // semantics identical for tsconfig files and for files found by globbing.
    // Errors here are the main listing's too, and reported there.
    this.#excluded ??= new Set(listFiles(this.#excludeGlobs, { cwd: this.#root, dot: true, ignore: ['**/node_modules/**'] }).map((excluded) => path.resolve(excluded)));
    return this.#excluded.has(path.resolve(file));
  }

  #tsconfigError(diagnostic: ts.Diagnostic, configPath: string): InputError {
    return this.#diagnosticError('tsconfig', diagnostic, configPath);
  }

  #diagnosticError(code: 'tsconfig' | 'parse', diagnostic: ts.Diagnostic, fallbackFile: string): InputError {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const { file, start } = diagnostic;
    if (file === undefined || start === undefined) return { code, file: this.#relative(fallbackFile), message };
    const position = ts.getLineAndCharacterOfPosition(file, start);
    return { code, file: this.#relative(file.fileName), line: position.line + 1, column: position.character + 1, message };
  }

  #relative(file: string): string {
    return relativeName(this.#root, file);
  }
}

/**
 * Options for files that come without a tsconfig: enough for the checker to resolve imports from
 * `node_modules` (`@lockstep/primitives`, `async-mutex`, `await-lock`) in TypeScript and JavaScript alike.
 */
export function defaultCompilerOptions(root: string): ts.CompilerOptions {
  const options: ts.CompilerOptions = {
    allowJs: true,
    checkJs: false,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    jsx: ts.JsxEmit.Preserve,
    // ES2022's default lib (with the DOM, for `navigator.locks`) plus `Disposable`, so `using` and `hold()` have types.
    lib: ['lib.es2022.full.d.ts', 'lib.esnext.disposable.d.ts'],
  };
  const resolutionHost: ts.ModuleResolutionHost = {
    fileExists: (file) => ts.sys.fileExists(file),
    readFile: (file) => ts.sys.readFile(file),
    directoryExists: (directory) => ts.sys.directoryExists(directory),
    realpath: (file) => ts.sys.realpath?.(file) ?? file,
    getCurrentDirectory: () => root,
  };
  // Asking for types that are not installed is an error the whole program would carry.
  const node = ts.resolveTypeReferenceDirective('node', path.join(root, '__lockstep__.ts'), options, resolutionHost);
  return { ...options, types: node.resolvedTypeReferenceDirective?.resolvedFileName === undefined ? [] : ['node'] };
}

function resolveTsconfigPath(root: string, project: string): string {
  const absolute = path.resolve(root, project);
  // As `tsc -p dir`.
  return statPath(absolute).stat?.isDirectory() === true ? path.join(absolute, 'tsconfig.json') : absolute;
}

function hasSourceExtension(file: string): boolean {
  return SOURCE_EXTENSIONS.includes(path.extname(file).toLowerCase()) && !DECLARATION_FILE.test(file);
}

function isFile(file: string): boolean {
  return statPath(file).stat?.isFile() ?? false;
}

function realPath(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

function isUnder(directory: string, file: string): boolean {
  const relative = path.relative(directory, file);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** `file` relative to `root` with `/` separators when inside it (`.` for the root itself), else absolute. */
function relativeName(root: string, file: string): string {
  const absolute = path.resolve(root, file);
  if (absolute === root) return '.';
  if (!isUnder(root, absolute)) return absolute;
  return path.relative(root, absolute).split(path.sep).join('/');
}
