/**
 * The lock libraries the `@lockstep/primitives/validate` import instruments when asked by
 * `LOCKSTEP_VALIDATE_INSTRUMENT` (`async-mutex`, `await-semaphore`, and `web-locks`: the runtime's
 * `navigator.locks`), found from the project, not from this package: the
 * CommonJS build (what `require` gives) and the ESM build (what `import` gives) are separate copies
 * with classes of their own, so both are loaded and instrumented.
 */
import { nodeBuiltin } from '../internal/runtime.js';

interface ModuleBuiltin {
  createRequire(from: string): { (id: string): unknown; resolve(id: string): string };
}

interface UrlBuiltin {
  pathToFileURL(path: string): URL;
  fileURLToPath(url: string): string;
}

interface FsBuiltin {
  readFileSync(path: string, encoding: 'utf8'): string;
}

/** The libraries that can be instrumented, by package name. */
export const INSTRUMENTABLE = ['async-mutex', 'await-semaphore', 'web-locks'] as const;

/** What {@link loadLibraries} found: the modules loaded now, and the ES module builds for the entry to load. */
export interface LoadedLibraries {
  /** The CommonJS builds (what `require` gives), and `navigator.locks` for `web-locks`. */
  readonly loaded: readonly unknown[];
  /** The file URLs of the ES module builds (what `import` gives), where the package has one apart. */
  readonly esmBuilds: readonly string[];
}

/**
 * Each named library, resolved from `directory` (the project: the current directory): its CommonJS
 * build loaded, its ES module build's URL, for the entry to load with `import()` (or `require`).
 *
 * @throws Error naming what is wrong: a library not in {@link INSTRUMENTABLE}, one not installed.
 */
export function loadLibraries(names: readonly string[], directory: string): LoadedLibraries {
  const { module, url, fs } = builtins();
  const require = module.createRequire(`${directory.replace(/[\\/]$/, '')}/package.json`);
  const loaded: unknown[] = [];
  const esmBuilds: string[] = [];
  for (const name of names) {
    if (!(INSTRUMENTABLE as readonly string[]).includes(name)) {
      throw new Error(`LOCKSTEP_VALIDATE_INSTRUMENT: cannot instrument ${JSON.stringify(name)}; it knows ${INSTRUMENTABLE.join(', ')}`);
    }
    if (name === 'web-locks') {
      // Not a package: the runtime's own LockManager.
      const locks = (globalThis as { readonly navigator?: { readonly locks?: unknown } }).navigator?.locks;
      if (locks === undefined) throw new Error('LOCKSTEP_VALIDATE_INSTRUMENT: web-locks: this runtime has no navigator.locks (Node.js 24 and browsers have it)');
      loaded.push(locks);
      continue;
    }
    let manifestPath: string;
    try {
      manifestPath = require.resolve(`${name}/package.json`);
    } catch {
      throw new Error(`LOCKSTEP_VALIDATE_INSTRUMENT: ${name} is not installed where ${directory} can require it`);
    }
    loaded.push(require(name));
    const esm = esmEntry(JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest);
    if (esm !== undefined) esmBuilds.push(url.pathToFileURL(`${manifestPath.slice(0, -'package.json'.length)}${esm}`).href);
  }
  return { loaded, esmBuilds };
}

/**
 * An ES module loaded synchronously (the runtime's `require` of an ES module: Node 20.19+, 22.12+,
 * Bun, Deno); the same module record a plain `import` of it gets, since the loader caches it by URL.
 *
 * @throws the runtime's error where it cannot require an ES module (`ERR_REQUIRE_ESM`).
 */
export function requireModule(fileUrl: string): unknown {
  const { module, url } = builtins();
  return module.createRequire(fileUrl)(url.fileURLToPath(fileUrl));
}

function builtins(): { module: ModuleBuiltin; url: UrlBuiltin; fs: FsBuiltin } {
  const module = nodeBuiltin<ModuleBuiltin>('node:module');
  const url = nodeBuiltin<UrlBuiltin>('node:url');
  const fs = nodeBuiltin<FsBuiltin>('node:fs');
  if (module === undefined || url === undefined || fs === undefined) throw new Error('LOCKSTEP_VALIDATE_INSTRUMENT needs Node.js (node:module)');
  return { module, url, fs };
}

interface Manifest {
  readonly exports?: unknown;
}

/** The file `import` of the package resolves to, when its `exports` give one apart from `require`'s. */
function esmEntry(manifest: Manifest): string | undefined {
  const root = (manifest.exports as Record<string, unknown> | undefined)?.['.'];
  if (typeof root !== 'object' || root === null) return undefined;
  const entry = (root as Record<string, unknown>)['import'];
  const file = typeof entry === 'string' ? entry : typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['default'] : undefined;
  return typeof file === 'string' ? file.replace(/^\.\//, '') : undefined;
}
