/**
 * The projects the tool benchmarks run on, shared by `analyzer-vs-tsc.ts` and
 * `eslint-plugin-overhead.ts`: where they live (`bench/.build/projects/`, git-ignored, inside the
 * repository so that `@lockstep/primitives`, `async-mutex` and `@types/node` resolve from its
 * `node_modules`), counting their files and lines, and the real code base (`effect`'s shipped sources).
 * The generated ones come from `generate-lock-project.ts`.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BENCH_DIR, BUILD_DIR } from './paths.js';

/** The repository root. */
export const REPO = resolve(BENCH_DIR, '..');
/** Where the projects are written: `generated-<N>/` and `real-<pkg>/`. */
export const PROJECTS_DIR = resolve(BUILD_DIR, 'projects');
/** The real code base: an npm package that ships its TypeScript sources (root devDependency, pinned). */
export const REAL_PACKAGE = 'effect';

/** `.ts` files under `dir` and their lines. */
export function countLines(dir: string): { files: number; lines: number } {
  let files = 0;
  let lines = 0;
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const path = join(dir, entry);
    if (!statSync(path).isFile()) continue;
    files++;
    const text = readFileSync(path, 'utf8');
    lines += text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  }
  return { files, lines };
}

/** The real code base, ready to check: `dir` holds `src/`, `tsconfig.json`, `package.json`. */
export interface RealProject {
  /** `effect@<version>`. */
  readonly name: string;
  readonly dir: string;
  readonly files: number;
  readonly lines: number;
  readonly note: string;
}

/**
 * The real code base: the package's shipped `src/` copied into `projects/real-<pkg>/src` with a
 * generated tsconfig (the package ships none for its sources). `node_modules` there links to the
 * directory pnpm installed the package in, where its own dependencies are (`fast-check`,
 * `@standard-schema/spec`); `@types/node` resolves from the repository's `node_modules`. Copied once
 * and kept (`copied-from.json` says from which version). Returns why not when it cannot be prepared.
 */
export function prepareRealSources(): RealProject | string {
  const installed = resolve(REPO, 'node_modules', REAL_PACKAGE);
  if (!existsSync(installed)) return `${REAL_PACKAGE} is not installed (a root devDependency): run \`npx pnpm@10 install\``;
  const pkgDir = realpathSync(installed);
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const source = join(pkgDir, 'src');
  if (!existsSync(source)) return `${REAL_PACKAGE}@${version} ships no src/`;
  const name = `real-${REAL_PACKAGE}`;
  const dir = join(PROJECTS_DIR, name);
  const stampFile = join(dir, 'copied-from.json');
  const stamp = JSON.stringify({ package: REAL_PACKAGE, version, source });
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(source, join(dir, 'src'), { recursive: true });
    symlinkSync(dirname(pkgDir), join(dir, 'node_modules'), 'dir');
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        // No ESNext.Disposable: with it, Generator requires [Symbol.dispose], which effect's SingleShotGen lacks.
        lib: ['ES2024'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
      },
      include: ['src'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `lockstep-bench-${name}`, private: true, type: 'module' }, null, 2)}\n`);
    writeFileSync(stampFile, stamp);
  }
  const { files, lines } = countLines(join(dir, 'src'));
  return { name: `${REAL_PACKAGE}@${version}`, dir, files, lines, note: `${REAL_PACKAGE}@${version}'s shipped src/ (${files} files)` };
}
