/**
 * What `@lockstep/primitives/validate` exports, whichever entry loads it: `index.ts` for `import`
 * (`node --import`, test runners' setup files), `require-entry.ts` for `require` (`node -r`,
 * CommonJS code, jest without ESM).
 */
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
