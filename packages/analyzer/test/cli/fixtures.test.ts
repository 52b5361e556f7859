/**
 * The fixtures' expected findings, and only those, come out of the real CLI in every format. Each
 * directory of fixtures/deadlocks (and the demo app) holds a program and its expected.json.
 *
 * The CLI runs once per fixture (JSON); text, SARIF and DOT are rendered from that report by the
 * formatters the CLI uses, and for a few fixtures the real CLI's output in those formats is checked to be
 * the same bytes. Four CLI runs per fixture made this file the slowest of the suite (about 3 minutes on
 * 2 cores) without testing anything more: each format is a pure function of the JSON report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDot } from '../../src/report/format-dot.js';
import { formatSarif } from '../../src/report/format-sarif.js';
import { formatText } from '../../src/report/format-text.js';
import type { Report } from '../../src/report/report-model.js';
import { REPO_ROOT, runLockstep } from '../support/run-cli.js';

interface ExpectedFinding {
  readonly kind: string;
  readonly locks: readonly string[];
  readonly guessed?: boolean;
}

const DEADLOCKS = path.join(REPO_ROOT, 'fixtures/deadlocks');
const cases = [
  ...fs
    .readdirSync(DEADLOCKS)
    .filter((name) => fs.existsSync(path.join(DEADLOCKS, name, 'expected.json')))
    .map((name) => `fixtures/deadlocks/${name}`),
  'fixtures/demo-app',
].sort();

/** Where the real CLI's text, SARIF and DOT are compared byte for byte with the in-process rendering. */
const EVERY_FORMAT_THROUGH_CLI = new Set(['fixtures/demo-app', cases.find((name) => name !== 'fixtures/demo-app')]);

function expectedOf(directory: string): ExpectedFinding[] {
  const parsed = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, directory, 'expected.json'), 'utf8')) as { findings: ExpectedFinding[] };
  return parsed.findings;
}

/** A finding as a comparable string: kind, lock names as a sorted set, guessed or not. */
function key(kind: string, names: readonly string[], guessed: boolean): string {
  return `${kind}: ${[...names].sort().join(', ')}${guessed ? ' (guessed)' : ''}`;
}

it('has the fixtures the issue asks for', () => {
  expect(cases.length).toBeGreaterThanOrEqual(15);
});

describe.concurrent.each(cases)('lockstep %s', (directory) => {
  const expected = expectedOf(directory);
  const expectedKeys = expected.map((finding) => key(finding.kind, finding.locks, finding.guessed === true)).sort();

  const exitCode = expected.length > 0 ? 1 : 0;
  let reportRun: Promise<Report> | undefined;
  /** The CLI's JSON report of this fixture, run once for both tests. */
  const reportOf = (): Promise<Report> =>
    (reportRun ??= runLockstep([directory, '--format', 'json']).then((run) => {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(exitCode);
      return JSON.parse(run.stdout) as Report;
    }));

  it('reports exactly the expected findings in JSON, with a witness for every edge', async () => {
    const report = await reportOf();
    const names = new Map(report.locks.map((lock) => [lock.id, lock.name]));
    const actual = report.findings.map((finding) => key(finding.kind, finding.locks.map((id) => names.get(id) ?? id), finding.guessed)).sort();
    expect(actual).toEqual(expectedKeys);
    for (const finding of report.findings) {
      expect(finding.steps).toHaveLength(finding.kind === 'self-deadlock' ? 1 : finding.locks.length);
      for (const step of finding.steps) {
        expect(step.witness.held.location.file.startsWith(`${directory}/`)).toBe(true);
        expect(step.witness.acquired.location.file.startsWith(`${directory}/`)).toBe(true);
        expect(step.witness.acquired.location.snippet.length).toBeGreaterThan(0);
      }
    }
    expect(report.files.length).toBeGreaterThan(0);
  });

  it('reports the same findings in text, SARIF and DOT', async () => {
    const report = await reportOf();
    const text = { stdout: formatText(report, { color: false }) };
    const sarif = { stdout: formatSarif(report) };
    const dot = { stdout: formatDot(report) };
    if (EVERY_FORMAT_THROUGH_CLI.has(directory)) {
      const [cliText, cliSarif, cliDot] = await Promise.all([
        runLockstep([directory]),
        runLockstep([directory, '--format', 'sarif']),
        runLockstep([directory, '--format', 'dot']),
      ]);
      for (const run of [cliText, cliSarif, cliDot]) expect(run.code).toBe(exitCode);
      expect(cliText.stdout).toBe(text.stdout);
      expect(cliSarif.stdout).toBe(sarif.stdout);
      expect(cliDot.stdout).toBe(dot.stdout);
    }

    // Text: one warning per finding, naming its locks, and a summary line.
    const warnings = text.stdout.split('\n').filter((line) => /WARNING: possible/.test(line));
    expect(warnings).toHaveLength(expected.length);
    for (const finding of expected) {
      expect(warnings.some((line) => finding.locks.every((lock) => line.includes(lock)))).toBe(true);
    }
    expect(text.stdout).toMatch(expected.length === 0 ? /no lock-order problems found/ : /lockstep: \d+ findings?/);

    // SARIF: one result per finding, with the finding's rule and one thread flow per edge.
    const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; codeFlows: { threadFlows: unknown[] }[] }[] }[] };
    const results = log.runs[0]!.results;
    expect(results.map((result) => result.ruleId).sort()).toEqual(expected.map((finding) => `lockstep/${finding.kind}`).sort());
    for (const result of results) expect(result.codeFlows[0]!.threadFlows.length).toBeGreaterThanOrEqual(1);

    // DOT: red edges are exactly the edges of the findings' cycles.
    const redEdges = dot.stdout.split('\n').filter((line) => line.includes('->') && line.includes('color=red')).length;
    const cycleEdges = expected.reduce((sum, finding) => sum + (finding.kind === 'self-deadlock' ? 1 : finding.locks.length), 0);
    expect(redEdges).toBe(cycleEdges);
  });
});
