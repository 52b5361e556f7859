/**
 * Project loading on real directories: which files end up analysed, under which compiler options, and
 * what every kind of bad input turns into. Most trees live in the OS temp directory; the one that must
 * resolve imports from the repository's node_modules lives under this test directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/load-project.js';
import type { LoadedProject, LoadProjectOptions } from '../../src/project/load-project.js';

const temporaryDirectories: string[] = [];

afterAll(() => {
  for (const directory of temporaryDirectories) fs.rmSync(directory, { recursive: true, force: true });
});

/** A fresh directory holding `files` (paths with `/`; a trailing `/` makes an empty directory). */
function tree(files: Record<string, string>, parent = os.tmpdir()): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(parent, '.tmp-lockstep-project-')));
  temporaryDirectories.push(root);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, ...name.split('/'));
    if (name.endsWith('/')) {
      fs.mkdirSync(file, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  }
  return root;
}

function load(cwd: string, options: Partial<LoadProjectOptions> = {}): LoadedProject {
  return loadProject({ cwd, paths: [], ...options });
}

/** The analysed files, relative to the root with `/`. */
function names(project: LoadedProject): string[] {
  return project.files.map((file) => path.relative(project.root, file.fileName).split(path.sep).join('/'));
}

function inProgram(project: LoadedProject, file: string): boolean {
  return project.program.getSourceFile(path.join(project.root, file)) !== undefined;
}

const OK = 'export const x = 1;\n';

describe('no --project, no paths', () => {
  it('analyses every source file under cwd when there is no tsconfig.json', () => {
    const root = tree({
      'a.ts': OK,
      'b.tsx': 'export const b = <div />;\n',
      'c.mts': OK,
      'd.cts': OK,
      'e.js': OK,
      'f.jsx': 'export const f = <div />;\n',
      'g.mjs': OK,
      'h.cjs': 'module.exports = 1;\n',
      'src/deep/i.ts': OK,
      'types.d.ts': 'declare const t: number;\n',
      'types.d.mts': 'export declare const t: number;\n',
      'node_modules/dep/index.js': OK,
      'src/node_modules/dep/index.ts': OK,
      'dist/out.js': OK,
      'packages/p/dist/out.js': OK,
      'README.md': '# x\n',
      'data.json': '{}\n',
    });
    const project = load(root);
    expect(names(project)).toEqual(['a.ts', 'b.tsx', 'c.mts', 'd.cts', 'e.js', 'f.jsx', 'g.mjs', 'h.cjs', 'src/deep/i.ts']);
    expect(project.errors).toEqual([]);
    expect(project.root).toBe(root);
  });

  it('uses default compiler options that let the checker resolve Node-style imports', () => {
    const options = load(tree({ 'a.ts': OK })).program.getCompilerOptions();
    expect(options).toMatchObject({
      allowJs: true,
      checkJs: false,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    });
  });

  it('gives the default options the DOM (Web Locks) and Disposable types', () => {
    const project = load(
      tree({
        'web.ts': [
          "export const held = navigator.locks.request('orders', async () => 1);",
          'export function scope(resource: Disposable) {',
          '  using _ = resource;',
          '}',
          '',
        ].join('\n'),
      }),
    );
    const checker = project.program.getTypeChecker();
    const [file] = project.files;
    const libraries = project.program.getSourceFiles().map((sourceFile) => path.basename(sourceFile.fileName));
    expect(libraries).toEqual(expect.arrayContaining(['lib.dom.d.ts', 'lib.esnext.disposable.d.ts']));
    // No "cannot find name" for either: both names resolve to declarations in the libs.
    const semantic = file === undefined ? [] : project.program.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    expect(semantic).toEqual([]);
    expect(checker.getSymbolsInScope(file as ts.SourceFile, ts.SymbolFlags.Type).some((symbol) => symbol.name === 'LockManager')).toBe(true);
  });

  it('asks for no @types/node where none resolves', () => {
    // The OS temp directory has no node_modules above it.
    expect(load(tree({ 'a.ts': OK })).program.getCompilerOptions().types).toEqual([]);
  });

  it('uses tsconfig.json in cwd when there is one', () => {
    const root = tree({
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'es2020', strict: true, noEmit: true }, include: ['src'] }),
      'src/a.ts': OK,
      'src/globals.d.ts': 'declare const GLOBAL: number;\n',
      'scripts/b.ts': OK,
    });
    const project = load(root);
    expect(names(project)).toEqual(['src/a.ts']);
    expect(project.program.getCompilerOptions().target).toBe(ts.ScriptTarget.ES2020);
    expect(inProgram(project, 'src/globals.d.ts')).toBe(true);
    expect(inProgram(project, 'scripts/b.ts')).toBe(false);
    expect(project.errors).toEqual([]);
  });

  it('keeps a tsconfig file outside cwd in the program but does not analyse it', () => {
    const outer = tree({ 'shared/s.ts': OK, 'app/tsconfig.json': JSON.stringify({ include: ['src', '../shared'] }), 'app/src/a.ts': OK });
    const project = load(path.join(outer, 'app'));
    expect(names(project)).toEqual(['src/a.ts']);
    expect(project.program.getSourceFile(path.join(outer, 'shared', 's.ts'))).toBeDefined();
  });

  it('sets parent pointers (the checker has bound every file)', () => {
    const project = load(tree({ 'a.ts': 'function f() { return 1; }\n' }));
    const [file] = project.files;
    const [statement] = file?.statements ?? [];
    expect(statement?.parent).toBe(file);
    expect(statement?.getText()).toBe('function f() { return 1; }');
  });
});

describe('--project', () => {
  it('reads a tsconfig given by path, relative to cwd', () => {
    const root = tree({
      'config/tsconfig.app.json': JSON.stringify({ compilerOptions: { target: 'es2021' }, include: ['../src/**/*'] }),
      'src/a.ts': OK,
      'src/b.ts': OK,
      'other.ts': OK,
    });
    const project = load(root, { project: 'config/tsconfig.app.json' });
    expect(names(project)).toEqual(['src/a.ts', 'src/b.ts']);
    expect(project.program.getCompilerOptions().target).toBe(ts.ScriptTarget.ES2021);
  });

  it('takes a directory as its tsconfig.json, as tsc -p does', () => {
    const root = tree({ 'app/tsconfig.json': '{}', 'app/a.ts': OK });
    expect(names(load(root, { project: 'app' }))).toEqual(['app/a.ts']);
  });

  it('reports a missing tsconfig and analyses nothing', () => {
    const root = tree({ 'a.ts': OK });
    const project = load(root, { project: 'tsconfig.missing.json' });
    expect(project.errors).toEqual([
      { code: 'tsconfig', file: 'tsconfig.missing.json', message: `Cannot read file '${path.join(root, 'tsconfig.missing.json')}'.` },
    ]);
    expect(project.files).toEqual([]);
  });

  it('names a tsconfig outside cwd by its absolute path', () => {
    const outer = tree({ 'app/a.ts': OK });
    const project = load(path.join(outer, 'app'), { project: '../tsconfig.json' });
    expect(project.errors).toMatchObject([{ code: 'tsconfig', file: path.join(outer, 'tsconfig.json') }]);
  });

  it('reports invalid JSON in the tsconfig with its position', () => {
    const root = tree({ 'tsconfig.json': '{\n  "compilerOptions": {\n    "strict": true,,\n  }\n}\n', 'a.ts': OK });
    const project = load(root, { project: 'tsconfig.json' });
    expect(project.errors.length).toBeGreaterThan(0);
    expect(project.errors[0]).toEqual({ code: 'tsconfig', file: 'tsconfig.json', line: 3, column: 20, message: 'Property assignment expected.' });
  });

  it('reports an unknown compiler option and still analyses the project', () => {
    const root = tree({ 'tsconfig.json': '{\n  "compilerOptions": { "strictt": true }\n}\n', 'a.ts': OK });
    const project = load(root);
    expect(project.errors).toEqual([
      { code: 'tsconfig', file: 'tsconfig.json', line: 2, column: 24, message: "Unknown compiler option 'strictt'. Did you mean 'strict'?" },
    ]);
    expect(names(project)).toEqual(['a.ts']);
  });

  it('reports a bad extends', () => {
    const root = tree({ 'tsconfig.json': '{ "extends": "./base.json" }', 'a.ts': OK, 'app/tsconfig.json': '{ "extends": "@tsconfig/none" }', 'app/b.ts': OK });
    expect(load(root, { project: 'tsconfig.json' }).errors).toEqual([
      { code: 'tsconfig', file: 'tsconfig.json', message: `Cannot read file '${path.join(root, 'base.json')}'.` },
    ]);
    expect(load(root, { project: 'app/tsconfig.json' }).errors).toEqual([
      { code: 'tsconfig', file: 'app/tsconfig.json', line: 1, column: 14, message: "File '@tsconfig/none' not found." },
    ]);
  });

  it('reports errors in an extended config at their own file', () => {
    const root = tree({ 'tsconfig.json': '{ "extends": "./base.json" }', 'base.json': '{ "compilerOptions": { "nope": 1 } }', 'a.ts': OK });
    const project = load(root);
    expect(project.errors).toMatchObject([{ code: 'tsconfig', file: 'base.json', line: 1, column: 24, message: "Unknown compiler option 'nope'." }]);
    expect(names(project)).toEqual(['a.ts']);
  });

  it('reports a tsconfig that matches no files', () => {
    const root = tree({ 'tsconfig.json': '{ "include": ["src"] }', 'a.ts': OK });
    const project = load(root);
    expect(project.errors).toMatchObject([{ code: 'tsconfig', file: 'tsconfig.json' }]);
    expect(project.errors[0]?.message).toMatch(/^No inputs were found in config file/);
  });

  it('stands a solution tsconfig for its referenced projects', () => {
    const root = tree({
      'tsconfig.json': JSON.stringify({ files: [], references: [{ path: 'packages/a' }, { path: 'packages/b' }] }),
      'packages/a/tsconfig.json': JSON.stringify({ compilerOptions: { target: 'es2019', composite: true }, include: ['src'] }),
      'packages/a/src/a.ts': OK,
      'packages/b/tsconfig.json': JSON.stringify({ compilerOptions: { composite: true }, include: ['src'] }),
      'packages/b/src/b.ts': OK,
    });
    const project = load(root);
    expect(names(project)).toEqual(['packages/a/src/a.ts', 'packages/b/src/b.ts']);
    expect(project.program.getCompilerOptions().target).toBe(ts.ScriptTarget.ES2019);
    expect(project.errors).toEqual([]);
  });

  it('with paths: analyses the project files under them, plus files named explicitly', () => {
    const root = tree({
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'es2020' }, include: ['src'] }),
      'src/a/one.ts': OK,
      'src/a/two.ts': OK,
      'src/b/three.ts': OK,
      'src/env.d.ts': 'declare const ENV: string;\n',
      'scripts/tool.ts': OK,
      'scripts/other.ts': OK,
    });
    const project = load(root, { project: 'tsconfig.json', paths: ['src/a', 'scripts/tool.ts'] });
    expect(names(project)).toEqual(['scripts/tool.ts', 'src/a/one.ts', 'src/a/two.ts']);
    expect(project.program.getCompilerOptions().target).toBe(ts.ScriptTarget.ES2020);
    // The project's declarations stay in the program: they may declare globals the chosen files use.
    expect(inProgram(project, 'src/env.d.ts')).toBe(true);
    expect(inProgram(project, 'src/b/three.ts')).toBe(false);
    expect(project.errors).toEqual([]);
  });

  it('with paths: says when a directory holds none of the project files', () => {
    const root = tree({ 'tsconfig.json': '{ "include": ["src"] }', 'src/a.ts': OK, 'scripts/b.ts': OK });
    const project = load(root, { project: 'tsconfig.json', paths: ['scripts', 'src'] });
    expect(project.errors).toEqual([{ code: 'missing-path', message: 'no files of the project in: scripts' }]);
    expect(names(project)).toEqual(['src/a.ts']);
  });

  it('with paths: a broken tsconfig still lets the paths be analysed, under default options', () => {
    const root = tree({ 'src/a.ts': OK, 'src/b.js': OK });
    const project = load(root, { project: 'tsconfig.json', paths: ['src'] });
    expect(project.errors).toMatchObject([{ code: 'tsconfig', file: 'tsconfig.json' }]);
    expect(names(project)).toEqual(['src/a.ts', 'src/b.js']);
    expect(project.program.getCompilerOptions()).toMatchObject({ allowJs: true, module: ts.ModuleKind.NodeNext });
  });

  it('with paths: a tsconfig with an error counts as broken', () => {
    const root = tree({ 'tsconfig.json': '{ "compilerOptions": { "target": "es2020", "bogus": true } }', 'src/a.ts': OK });
    const project = load(root, { project: 'tsconfig.json', paths: ['src'] });
    expect(project.errors).toMatchObject([{ code: 'tsconfig', message: "Unknown compiler option 'bogus'." }]);
    expect(names(project)).toEqual(['src/a.ts']);
    expect(project.program.getCompilerOptions().target).toBe(ts.ScriptTarget.ES2022);
  });

  it('says why a JavaScript file named explicitly is left out of a project without allowJs', () => {
    const root = tree({ 'tsconfig.json': '{ "include": ["src"] }', 'src/a.ts': OK, 'src/b.js': OK, 'src/c.js': OK });
    const project = load(root, { project: 'tsconfig.json', paths: ['src/a.ts', 'src/b.js', 'src/*.js'] });
    expect(project.errors).toEqual([
      { code: 'usage', file: 'src/b.js', message: 'JavaScript file not analysed: the tsconfig does not set allowJs: src/b.js' },
    ]);
    expect(names(project)).toEqual(['src/a.ts']);
  });
});

describe('paths without --project', () => {
  it('takes files, directories and globs', () => {
    const root = tree({
      'one.ts': OK,
      'lib/two.ts': OK,
      'lib/nested/three.js': OK,
      'lib/node_modules/x/index.ts': OK,
      'lib/dist/built.js': OK,
      'lib/types.d.ts': 'declare const T: number;\n',
      'more/four.ts': OK,
      'more/five.mts': OK,
      'more/notes.txt': 'x',
      'untouched.ts': OK,
    });
    const project = load(root, { paths: ['one.ts', 'lib', 'more/*'] });
    expect(names(project)).toEqual(['lib/nested/three.js', 'lib/two.ts', 'more/five.mts', 'more/four.ts', 'one.ts']);
    expect(project.errors).toEqual([]);
    expect(inProgram(project, 'untouched.ts')).toBe(false);
  });

  it('reports a path that matches nothing and analyses the others', () => {
    const root = tree({ 'a.ts': OK, 'src/b.ts': OK, 'empty/': '', 'docs/readme.md': '#' });
    const project = load(root, { paths: ['a.ts', 'missing.ts', 'src/**/*.tsx', 'empty', 'docs', 'src'] });
    expect(project.errors).toEqual([
      { code: 'missing-path', message: 'no such file or directory: missing.ts' },
      { code: 'missing-path', message: 'pattern matched no files: src/**/*.tsx' },
      { code: 'missing-path', message: 'no source files in: empty' },
      { code: 'missing-path', message: 'no source files in: docs' },
    ]);
    expect(names(project)).toEqual(['a.ts', 'src/b.ts']);
  });

  it('takes a file whose name looks like a glob as that file', () => {
    const root = tree({ 'routes/[id].ts': OK, 'routes/i.ts': OK });
    expect(names(load(root, { paths: ['routes/[id].ts'] }))).toEqual(['routes/[id].ts']);
  });

  it('rejects a file that is not source, with a hint for a tsconfig', () => {
    const root = tree({ 'notes.txt': 'x', 'tsconfig.json': '{}', 'a.ts': OK });
    const project = load(root, { paths: ['notes.txt', 'tsconfig.json', 'a.ts'] });
    expect(project.errors).toEqual([
      { code: 'usage', message: 'not a TypeScript or JavaScript file: notes.txt' },
      { code: 'usage', message: 'not a TypeScript or JavaScript file: tsconfig.json (pass a tsconfig with --project)' },
    ]);
    expect(names(project)).toEqual(['a.ts']);
  });

  it('loads a declaration file named explicitly for its types, without analysing it', () => {
    const root = tree({ 'globals.d.ts': 'declare const G: number;\n', 'a.ts': OK });
    const project = load(root, { paths: ['globals.d.ts', 'a.ts'] });
    expect(names(project)).toEqual(['a.ts']);
    expect(inProgram(project, 'globals.d.ts')).toBe(true);
    expect(project.errors).toEqual([]);
  });

  it('analyses a path outside the root, by its absolute path', () => {
    const outer = tree({ 'app/a.ts': OK, 'elsewhere/b.ts': OK });
    const project = load(path.join(outer, 'app'), { paths: ['.', '../elsewhere/b.ts'] });
    expect(project.errors).toEqual([]);
    expect(project.files.map((file) => file.fileName)).toEqual([path.join(outer, 'app/a.ts'), path.join(outer, 'elsewhere/b.ts')]);
  });

  it('makes report paths relative to the root it is given, with inputs relative to cwd', () => {
    const outer = tree({ 'app/a.ts': OK, 'elsewhere/b.ts': OK });
    const project = load(path.join(outer, 'app'), { paths: ['.', '../elsewhere/b.ts'], root: outer });
    expect(project.root).toBe(outer);
    expect(names(project)).toEqual(['app/a.ts', 'elsewhere/b.ts']);
  });

  it("uses a directory's tsconfig.json: its options, its files under the directory", () => {
    const root = tree({
      'shared/util.ts': OK,
      'app/tsconfig.json': JSON.stringify({ compilerOptions: { target: 'es2018', allowJs: false }, include: ['src', '../shared'] }),
      'app/src/main.ts': OK,
      'app/src/legacy.js': OK,
      'app/scripts/x.ts': OK,
    });
    const project = load(root, { paths: ['app'] });
    expect(names(project)).toEqual(['app/src/main.ts']);
    expect(project.program.getCompilerOptions().target).toBe(ts.ScriptTarget.ES2018);
    expect(project.errors).toEqual([]);
  });

  it("treats '.' as cwd, with its tsconfig.json", () => {
    const root = tree({ 'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'es2017' }, include: ['src'] }), 'src/a.ts': OK, 'b.ts': OK });
    const project = load(root, { paths: ['.'] });
    expect(names(project)).toEqual(['src/a.ts']);
    expect(project.program.getCompilerOptions().target).toBe(ts.ScriptTarget.ES2017);
  });

  it('takes globs starting with ./ and absolute globs', () => {
    const root = tree({ 'src/a.ts': OK, 'src/b.ts': OK, 'lib/c.ts': OK });
    expect(names(load(root, { paths: ['./src/*.ts', `${root}/lib/*.ts`] }))).toEqual(['lib/c.ts', 'src/a.ts', 'src/b.ts']);
  });

  it("falls back to the directory's files when its tsconfig.json is broken", () => {
    const root = tree({ 'app/tsconfig.json': '{ "compilerOptions": ', 'app/src/main.ts': OK });
    const project = load(root, { paths: ['app'] });
    // TypeScript reports each thing its parser and its option reader found wrong.
    expect(project.errors.length).toBeGreaterThan(0);
    expect(project.errors[0]).toEqual({ code: 'tsconfig', file: 'app/tsconfig.json', line: 1, column: 21, message: 'Expression expected.' });
    expect(names(project)).toEqual(['app/src/main.ts']);
    expect(project.program.getCompilerOptions().target).toBe(ts.ScriptTarget.ES2022);
  });
});

describe('exclude', () => {
  it('leaves out files matching the globs, relative to cwd by default', () => {
    const root = tree({ 'src/a.ts': OK, 'src/a.test.ts': OK, 'src/generated/g.ts': OK, 'src/generated/deep/h.ts': OK });
    const project = load(root, { exclude: ['**/*.test.ts', 'src/generated'] });
    expect(names(project)).toEqual(['src/a.ts']);
  });

  it('takes the globs relative to excludeBase (the config file directory)', () => {
    const outer = tree({ 'app/src/a.ts': OK, 'app/src/gen/b.ts': OK });
    const project = load(path.join(outer, 'app'), { exclude: ['app/src/gen/**'], excludeBase: outer });
    expect(names(project)).toEqual(['src/a.ts']);
  });

  it('applies to the files of a tsconfig too, which stay in the program', () => {
    const root = tree({ 'tsconfig.json': '{}', 'src/a.ts': OK, 'src/b.spec.ts': OK });
    const project = load(root, { exclude: ['**/*.spec.ts'] });
    expect(names(project)).toEqual(['src/a.ts']);
    expect(inProgram(project, 'src/b.spec.ts')).toBe(true);
  });

  it('applies to files named explicitly', () => {
    const root = tree({ 'a.ts': OK, 'b.gen.ts': OK });
    expect(names(load(root, { paths: ['a.ts', 'b.gen.ts'], exclude: ['*.gen.ts'] }))).toEqual(['a.ts']);
  });
});

describe('files that do not load', () => {
  it('reports a syntax error with its position and leaves the file out', () => {
    const root = tree({ 'src/good.ts': OK, 'src/bad.ts': 'export const x = 1;\nfunction (\n', 'src/bad.js': 'const y: number = 1;\n' });
    const project = load(root);
    expect(names(project)).toEqual(['src/good.ts']);
    expect(project.errors).toEqual([
      { code: 'parse', file: 'src/bad.js', line: 1, column: 10, message: 'Type annotations can only be used in TypeScript files.' },
      { code: 'parse', file: 'src/bad.ts', line: 2, column: 10, message: 'Identifier expected.' },
    ]);
  });

  it('reports a file TypeScript cannot read', () => {
    // A directory named like a source file, listed by a tsconfig: reading it fails even for root,
    // which a permission test could not promise.
    const root = tree({ 'tsconfig.json': JSON.stringify({ files: ['a.ts', 'folder.ts'] }), 'a.ts': OK, 'folder.ts/': '' });
    const project = load(root);
    expect(project.errors).toEqual([{ code: 'read', file: 'folder.ts', message: 'cannot read folder.ts: EISDIR: illegal operation on a directory' }]);
    expect(names(project)).toEqual(['a.ts']);
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('reports a file without read permission', () => {
    const root = tree({ 'a.ts': OK, 'secret.ts': OK });
    fs.chmodSync(path.join(root, 'secret.ts'), 0o000);
    const project = load(root);
    expect(project.errors).toEqual([{ code: 'read', file: 'secret.ts', message: 'cannot read secret.ts: EACCES: permission denied' }]);
    expect(names(project)).toEqual(['a.ts']);
  });

  it('reports a file a tsconfig lists that does not exist', () => {
    const root = tree({ 'tsconfig.json': JSON.stringify({ files: ['a.ts', 'gone.ts'] }), 'a.ts': OK });
    const project = load(root);
    expect(project.errors).toEqual([{ code: 'missing-path', message: 'no such file or directory: gone.ts' }]);
    expect(names(project)).toEqual(['a.ts']);
  });
});

describe('module resolution from node_modules', () => {
  // Inside the repository, so that resolution walks up to its node_modules (pnpm links the workspace
  // packages and the peers there); removed in afterAll.
  const testDirectory = path.dirname(fileURLToPath(import.meta.url));
  const primitivesDist = path.resolve(testDirectory, '../../../primitives/dist');

  it.runIf(fs.existsSync(path.join(primitivesDist, 'index.d.ts')))('resolves @lockstep/primitives, async-mutex and await-lock', () => {
    const root = tree(
      {
        'locks.ts': [
          "import { Lock } from '@lockstep/primitives';",
          "import { Mutex } from 'async-mutex';",
          "import AwaitLock from 'await-lock';",
          'export const lock = new Lock();',
          'export const mutex = new Mutex();',
          'export const awaitLock = new AwaitLock();',
          '',
        ].join('\n'),
        'plain.js': "import { Lock } from '@lockstep/primitives';\nexport const jsLock = new Lock();\n",
      },
      testDirectory,
    );
    const project = load(root);
    expect(project.errors).toEqual([]);
    expect(names(project)).toEqual(['locks.ts', 'plain.js']);
    expect(project.program.getCompilerOptions().types).toEqual(['node']);

    const checker = project.program.getTypeChecker();
    const declaredIn = (fileName: string, variable: string): string => {
      const file = project.files.find((candidate) => candidate.fileName.endsWith(fileName));
      let found: ts.Identifier | undefined;
      file?.forEachChild(function visit(node) {
        if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === variable) found = node.name;
        else node.forEachChild(visit);
      });
      expect(found).toBeDefined();
      const type = checker.getTypeAtLocation(found as ts.Identifier);
      const declaration = type.getSymbol()?.getDeclarations()?.[0];
      return `${type.getSymbol()?.getName() ?? '?'} in ${path.relative(path.resolve(testDirectory, '../../../..'), declaration?.getSourceFile().fileName ?? '?')}`;
    };
    expect(declaredIn('locks.ts', 'lock')).toMatch(/^Lock in packages\/primitives\/dist\/lock\.d\.ts$/);
    expect(declaredIn('locks.ts', 'mutex')).toMatch(/^Mutex in node_modules\/.*async-mutex/);
    // `export default class AwaitLock`: TypeScript names the class's symbol `default`.
    expect(declaredIn('locks.ts', 'awaitLock')).toMatch(/^default in node_modules\/.*await-lock\/.*AwaitLock\.d\.ts$/);
    expect(declaredIn('plain.js', 'jsLock')).toMatch(/^Lock in packages\/primitives\/dist\/lock\.d\.ts$/);
  });
});
