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
import { enableLockValidation } from './api.js';
import { optionsFromEnvironment, settingsFrom } from './options.js';
import { loadLibraries } from './library-modules.js';
import { writeReportsAtExit } from './report-file.js';

export {
  clearLockValidationReports,
  disableLockValidation,
  enableLockValidation,
  isLockValidationEnabled,
  lockValidationReports,
  nameLock,
} from './api.js';
export { LockValidationError } from '../errors.js';
export { fingerprintLockFinding } from './fingerprint.js';
export { formatLockValidationJson, VALIDATION_SCHEMA_VERSION } from './format-json.js';
export { formatLockValidationSarif } from './format-sarif.js';
export { formatLockValidationText } from './format-text.js';
export type { LockValidationOptions, OnReport } from './options.js';
export type {
  LockValidationKind,
  LockValidationReport,
  LockValidationStep,
  ValidatedLock,
  ValidationContext,
  ValidationFrame,
  ValidationLocation,
  ValidationSite,
} from './report.js';
export type { ValidatedKind } from '../internal/validation-hook.js';

const environment = (globalThis as { readonly process?: { readonly env?: Readonly<Record<string, string | undefined>>; cwd?(): string } }).process;
const libraries = (environment?.env?.['LOCKSTEP_VALIDATE_INSTRUMENT'] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
const options = { ...optionsFromEnvironment(), ...(libraries.length === 0 ? {} : { instrument: await loadLibraries(libraries, environment?.cwd?.() ?? '.') }) };
enableLockValidation(options);
const { root } = settingsFrom(options);
for (const [variable, format] of [['LOCKSTEP_VALIDATE_JSON', 'json'], ['LOCKSTEP_VALIDATE_SARIF', 'sarif']] as const) {
  const file = environment?.env?.[variable];
  if (file !== undefined && file !== '') writeReportsAtExit(file, root, format);
}
