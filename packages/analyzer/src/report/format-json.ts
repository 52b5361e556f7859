/**
 * The JSON format: the report object itself, so `report-model.ts` is its schema and a script reading it
 * gets exactly what every other format was rendered from.
 */
import type { Report } from './report-model.js';

/**
 * The report as pretty-printed JSON (two-space indent) with a trailing newline. A report too long
 * for one string (the engine's limit is about 512 MiB: a function taking hundreds of locks that are
 * never released has tens of thousands of edges) is printed without indentation, then with one
 * witness per edge (`witnesses` keeps the edge's first, the findings keep theirs), rather than crash.
 */
export function formatJson(report: Report): string {
  for (const attempt of [() => JSON.stringify(report, null, 2), () => JSON.stringify(report), () => JSON.stringify(withOneWitnessPerEdge(report))]) {
    try {
      return `${attempt()}\n`;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }
  // Even so: the edges left out (the findings, with their witnesses, are what the report is for).
  return `${JSON.stringify({ ...report, edges: [] })}\n`;
}

function withOneWitnessPerEdge(report: Report): Report {
  return { ...report, edges: report.edges.map((edge) => ({ ...edge, witnesses: edge.witnesses.slice(0, 1) })) };
}
