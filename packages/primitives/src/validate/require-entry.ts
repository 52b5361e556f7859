/**
 * `@lockstep/primitives/validate` for `require()` (`node -r @lockstep/primitives/validate`, CommonJS
 * code, jest without ESM): the same exports and the same switch from the environment as the
 * `import` entry (index.ts), without its top-level await, which `require()` of an ES module refuses.
 * So the ES module builds of the libraries to instrument are `require`d (the runtime can where it
 * could load this file); a custom loader (tsx) may give `import` its own copy of one, which is
 * instrumented as soon as `import()` returns it: a use before that is not recorded.
 */
import { isLockValidationEnabled } from './api.js';
import { startFromEnvironment } from './environment-start.js';
import { instrumentLibrary } from './library-patches.js';
import { requireModule } from './library-modules.js';

export * from './public-api.js';

const start = startFromEnvironment();
if (start !== undefined) {
  start.finish(start.esmBuilds.flatMap((url) => requiredOrNone(url)));
  for (const url of start.esmBuilds) {
    import(url).then(
      (module: unknown) => {
        if (isLockValidationEnabled()) instrumentLibrary(module);
      },
      (error: unknown) => {
        console.error(`lockstep validator: LOCKSTEP_VALIDATE_INSTRUMENT could not import ${url}:`, error);
      },
    );
  }
}

/** The ES module build, required; none where the runtime cannot require an ES module (Node before 20.19): `import()` brings it. */
function requiredOrNone(url: string): unknown[] {
  try {
    return [requireModule(url)];
  } catch (error) {
    if ((error as { readonly code?: unknown } | null)?.code === 'ERR_REQUIRE_ESM') return [];
    throw error;
  }
}
