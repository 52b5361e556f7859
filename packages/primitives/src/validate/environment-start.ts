/**
 * Switching validation on from the environment, as both entries of `@lockstep/primitives/validate`
 * do when they load: `LOCKSTEP_VALIDATE_*` options, the libraries of `LOCKSTEP_VALIDATE_INSTRUMENT`,
 * and the report files written at exit.
 */
import { enableLockValidation } from './api.js';
import { loadLibraries } from './library-modules.js';
import { optionsFromEnvironment, settingsFrom } from './options.js';
import { writeReportsAtExit } from './report-file.js';

interface ProcessLike {
  readonly env?: Readonly<Record<string, string | undefined>>;
  cwd?(): string;
}

/** What is left to do once the entry has loaded the ES module builds, its own way. */
export interface EnvironmentStart {
  /** File URLs of the ES module builds of the libraries to instrument (their CommonJS builds are loaded already). */
  readonly esmBuilds: readonly string[];
  /** Switches validation on, instrumenting the libraries' CommonJS builds and `esmModules`. */
  finish(esmModules: readonly unknown[]): void;
}

let started = false;

/**
 * The first call in a thread: the libraries' CommonJS builds loaded, the ES module builds to load.
 * `undefined` after that: a program that loads both entries (an `import` here, a `require` there)
 * would otherwise switch validation on twice, the second time forgetting what the first found.
 *
 * @throws Error naming a library of `LOCKSTEP_VALIDATE_INSTRUMENT` that cannot be instrumented.
 */
export function startFromEnvironment(): EnvironmentStart | undefined {
  if (started) return undefined;
  started = true;
  const environment = (globalThis as { readonly process?: ProcessLike }).process;
  const libraries = (environment?.env?.['LOCKSTEP_VALIDATE_INSTRUMENT'] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  const { loaded, esmBuilds } = libraries.length === 0 ? { loaded: [], esmBuilds: [] } : loadLibraries(libraries, environment?.cwd?.() ?? '.');
  return {
    esmBuilds,
    finish(esmModules) {
      const instrument = [...loaded, ...esmModules];
      const options = { ...optionsFromEnvironment(), ...(instrument.length === 0 ? {} : { instrument }) };
      enableLockValidation(options);
      const { root } = settingsFrom(options);
      for (const [variable, format] of [['LOCKSTEP_VALIDATE_JSON', 'json'], ['LOCKSTEP_VALIDATE_SARIF', 'sarif']] as const) {
        const file = environment?.env?.[variable];
        if (file !== undefined && file !== '') writeReportsAtExit(file, root, format);
      }
    },
  };
}
