/**
 * What a terminal's progress line is drawn from: the counts analyzeProject reports as it goes (files
 * parsed, then functions analysed out of those that matter), never a clock.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeProject } from '../../src/analyze-project.js';
import { INVERSION, tempProject } from '../support/temp-project.js';

const project = tempProject(INVERSION);
afterAll(() => project.remove());

describe('progress counts', () => {
  it('counts files parsed, then functions analysed up to their total', () => {
    const counts: { phase: string; done: number; total: number | undefined }[] = [];
    const result = analyzeProject({ cwd: project.dir, paths: ['.'], onCount: (phase, done, total) => counts.push({ phase, done, total }) });
    expect(result.report.findings).toHaveLength(1);
    const parsed = counts.filter((count) => count.phase === 'parsing files');
    const analysed = counts.filter((count) => count.phase === 'analysing functions');
    expect(parsed.length).toBeGreaterThan(0);
    expect(analysed.map((count) => count.done)).toEqual(analysed.map((_, index) => index + 1));
    const total = analysed[0]?.total ?? 0;
    expect(total).toBeGreaterThanOrEqual(2); // one() and two(), at least
    expect(analysed.every((count) => count.total === total)).toBe(true);
    expect(counts.indexOf(parsed.at(-1)!)).toBeLessThan(counts.indexOf(analysed[0]!));
  });
});
