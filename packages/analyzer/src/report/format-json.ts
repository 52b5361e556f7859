/**
 * The JSON format: the report object itself, so `report-model.ts` is its schema and a script reading it
 * gets exactly what every other format was rendered from.
 */
import type { Report } from './report-model.js';

/** The report as pretty-printed JSON (two-space indent) with a trailing newline. */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
