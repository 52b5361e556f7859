/**
 * `@lockstep/primitives/validate`: run-time lock-order validation, "lockdep for JavaScript". Importing
 * this module switches it on for the thread that imports it, so that
 *
 * ```sh
 * node --import @lockstep/primitives/validate app.js      # every thread: workers inherit --import
 * ```
 *
 * or a test runner's setup file validates every lock the program takes, reporting a possible deadlock
 * (a cycle in the lock order, a lock taken again by the context that holds it, a release by a context
 * that does not hold it) the first time the order occurs, in `lockstep`'s layout and with its lock ids
 * and fingerprints. Off (the default, without this import), the primitives pay one branch per call.
 *
 * The import takes its options from the environment: `LOCKSTEP_VALIDATE_ON_REPORT` (`warn`, the
 * default, `record` or `throw`), `LOCKSTEP_VALIDATE_ROOT`, `LOCKSTEP_VALIDATE_EVERY_SITE=1`, and
 * `LOCKSTEP_VALIDATE_JSON=path` / `LOCKSTEP_VALIDATE_SARIF=path` to write the findings as JSON or
 * SARIF when the thread exits, and
 * `LOCKSTEP_VALIDATE_INSTRUMENT=async-mutex,await-semaphore,web-locks` to validate those locks too. Call
 * {@link enableLockValidation} for other options. See docs/validator.md.
 *
 * @packageDocumentation
 */
import { startFromEnvironment } from './environment-start.js';

export * from './public-api.js';

// The ES module builds of the libraries to instrument are imported before the program's own code
// runs (`node --import` waits for this module): so its first use of them is recorded too.
const start = startFromEnvironment();
if (start !== undefined) start.finish(await Promise.all(start.esmBuilds.map((url) => import(url))));
