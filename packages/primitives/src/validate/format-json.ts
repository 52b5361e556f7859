/**
 * The JSON format: the reports as they are (report.ts is the schema), under a header like
 * `lockstep --format json`'s, so a script can match run-time findings with static ones by
 * `fingerprint` and by lock `id`.
 */
import type { LockValidationReport } from './report.js';

/** Version of the JSON output's shape. */
export const VALIDATION_SCHEMA_VERSION = 1;

/**
 * The reports as pretty-printed JSON (two-space indent) with a trailing newline: `{ schemaVersion,
 * tool, root, findings }`, where `root` is what every relative path is relative to.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { formatLockValidationJson, lockValidationReports } from '@lockstep/primitives/validate';
 *
 * writeFileSync('lock-validation.json', formatLockValidationJson(lockValidationReports(), process.cwd()));
 * ```
 */
export function formatLockValidationJson(reports: readonly LockValidationReport[], root: string): string {
  const document = { schemaVersion: VALIDATION_SCHEMA_VERSION, tool: { name: 'lockstep-validator' }, root, findings: reports };
  return `${JSON.stringify(document, null, 2)}\n`;
}
