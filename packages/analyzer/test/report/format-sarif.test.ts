/**
 * The SARIF output is validated against the official SARIF 2.1.0 JSON schema (draft-07), vendored as
 * sarif-schema-2.1.0.json: see sarif-schema-2.1.0.README.md beside it for where it comes from.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type * as Sarif from 'sarif';
import { beforeAll, describe, expect, test } from 'vitest';
import { FINGERPRINT_KEY, formatSarif } from '../../src/report/format-sarif.js';
import type { Report } from '../../src/report/report-model.js';
import { CYCLE_2, CYCLE_3, ID, SELF, cleanReport, sampleReport } from './sample-report.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule.default;

let validate: ValidateFunction;

// Breaking a log on purpose means deleting required properties and writing wrong types: no SARIF type allows that.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseJson = any;

beforeAll(() => {
  const schema = JSON.parse(readFileSync(new URL('sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  // The schema's language-tag pattern has a stray `]`, which a regular expression in unicode mode rejects.
  const ajv = new Ajv({ allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  validate = ajv.compile(schema);
});

function errorsOf(log: unknown): string {
  return validate(log) ? '' : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`).join('\n');
}

function sarif(report: Report = sampleReport()): Sarif.Log {
  return JSON.parse(formatSarif(report)) as Sarif.Log;
}

function firstRun(log: Sarif.Log): Sarif.Run {
  const run = log.runs[0];
  if (run === undefined) throw new Error('no run');
  return run;
}

function resultFor(log: Sarif.Log, fingerprint: string): Sarif.Result {
  const result = firstRun(log).results?.find((r) => r.partialFingerprints?.[FINGERPRINT_KEY] === fingerprint);
  if (result === undefined) throw new Error(`no result for ${fingerprint}`);
  return result;
}

const site = (location: Sarif.Location | undefined): string => {
  const physical = location?.physicalLocation;
  return `${physical?.artifactLocation?.uri ?? '?'}:${physical?.region?.startLine ?? '?'}:${physical?.region?.startColumn ?? '?'}`;
};

describe('formatSarif', () => {
  test('the sample report is valid SARIF 2.1.0', () => {
    expect(errorsOf(sarif())).toBe('');
  });

  test('a clean report is valid SARIF with an empty results array and a successful invocation', () => {
    const log = sarif(cleanReport());
    expect(errorsOf(log)).toBe('');
    expect(firstRun(log).results).toEqual([]);
    expect(firstRun(log).invocations?.[0]?.executionSuccessful).toBe(true);
  });

  test('the validator rejects broken logs, so the checks above mean something', () => {
    const broken: ((log: LooseJson) => void)[] = [
      (log) => delete log.version,
      (log) => delete log.runs[0].tool.driver.name,
      (log) => delete log.runs[0].results[0].message,
      (log) => (log.runs[0].results[0].level = 'fatal'),
      (log) => (log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0),
      (log) => (log.runs[0].results[0].codeFlows[0].threadFlows = []),
      (log) => (log.runs[0].invocations[0].executionSuccessful = 'no'),
      (log) => (log.runs[0].results[0].unknownProperty = true),
    ];
    for (const breakIt of broken) {
      const log = JSON.parse(formatSarif(sampleReport())) as LooseJson;
      breakIt(log);
      expect(errorsOf(log), breakIt.toString()).not.toBe('');
    }
  });

  test('one run, a lockstep driver with one rule per finding kind', () => {
    const log = sarif();
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = firstRun(log).tool.driver;
    expect(driver.name).toBe('lockstep');
    expect(driver.version).toBe('0.1.0');
    expect(driver.informationUri).toMatch(/^https:\/\//);
    expect(driver.rules?.map((rule) => [rule.id, rule.defaultConfiguration?.level])).toEqual([
      ['lockstep/lock-order-cycle', 'error'],
      ['lockstep/semaphore-cycle', 'warning'],
      ['lockstep/self-deadlock', 'error'],
      ['lockstep/recursive-locking', 'warning'],
    ]);
    for (const rule of driver.rules ?? []) {
      expect(rule.shortDescription?.text).not.toBe('');
      expect(rule.fullDescription?.text).not.toBe('');
      expect(rule.help?.text).not.toBe('');
      // The docs of the version that wrote the log (its release tag), not whatever main says later.
      expect(rule.helpUri).toBe('https://github.com/lockstep/lockstep/blob/v0.1.0/docs/analyzer.md#what-it-reports');
    }
  });

  test('one result per finding, pointing at its rule by id and index', () => {
    const run = firstRun(sarif());
    const rules = run.tool.driver.rules ?? [];
    expect(run.results).toHaveLength(3);
    for (const result of run.results ?? []) expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
    expect(resultFor(sarif(), CYCLE_2.fingerprint)).toMatchObject({ ruleId: 'lockstep/lock-order-cycle', level: 'error' });
    expect(resultFor(sarif(), CYCLE_3.fingerprint)).toMatchObject({ ruleId: 'lockstep/semaphore-cycle', level: 'warning' });
    // Recognised by name only: a warning, whatever the rule's level.
    expect(resultFor(sarif(), SELF.fingerprint)).toMatchObject({ ruleId: 'lockstep/self-deadlock', level: 'warning' });
    expect(resultFor(sarif(), SELF.fingerprint).message.text).toContain('by name only');
  });

  test('the result sits at the acquisition closing the cycle; every other acquisition is a related location', () => {
    const result = resultFor(sarif(), CYCLE_2.fingerprint);
    expect(result.message.text).toBe(CYCLE_2.message);
    expect(result.locations?.map(site)).toEqual(['src/bank.ts:27:3']);
    expect(result.locations?.[0]?.message?.text).toBe('accountsLock taken in refreshBalances while Ledger.lock held');
    expect(result.relatedLocations?.map((location) => [location.id, site(location), location.message?.text])).toEqual([
      [1, 'src/bank.ts:12:5', 'accountsLock taken in transfer, held while Ledger.lock is taken'],
      [2, 'src/ledger.ts:31:7', 'Ledger.lock taken in Ledger.append while accountsLock held'],
      [3, 'src/ledger.ts:44:5', 'Ledger.lock taken in Ledger.reconcile, held while accountsLock is taken'],
    ]);
    const three = resultFor(sarif(), CYCLE_3.fingerprint);
    expect(three.locations?.map(site)).toEqual(['src/jobs/pool.ts:20:5']);
    expect(three.relatedLocations).toHaveLength(5);
    // Taken again down a call chain: the alert is at the call made while holding the lock (the fix
    // goes there), and the re-acquisition in the innocent callee is related.
    const self = resultFor(sarif(), SELF.fingerprint);
    expect(self.locations?.map(site)).toEqual(['legacy/cache.js:7:3']);
    expect(self.relatedLocations?.map((location) => [site(location), location.message?.text])).toEqual([
      ['legacy/cache.js:5:3', 'cacheLock first taken in refresh'],
      ['legacy/cache.js:18:3', 'cacheLock taken again in load while already held'],
    ]);
  });

  test('regions are 1-based with both ends and the snippet; paths are relative to %SRCROOT%', () => {
    const log = sarif();
    const physical = resultFor(log, CYCLE_2.fingerprint).locations?.[0]?.physicalLocation;
    expect(physical).toEqual({
      artifactLocation: { uri: 'src/bank.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 27, startColumn: 3, endLine: 27, endColumn: 31, snippet: { text: 'await accountsLock.acquire();' } },
    });
    expect(firstRun(log).originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///home/dev/shop/' } });
    expect(firstRun(log).columnKind).toBe('utf16CodeUnits');
  });

  test('partialFingerprints carry the finding fingerprint', () => {
    for (const finding of [CYCLE_2, CYCLE_3, SELF]) {
      expect(resultFor(sarif(), finding.fingerprint).partialFingerprints).toEqual({ 'lockstep/v2': finding.fingerprint });
    }
  });

  test('one thread flow per step: held site, each call of the chain, acquired site', () => {
    const flow = resultFor(sarif(), CYCLE_2.fingerprint).codeFlows?.[0];
    expect(flow?.message?.text).toBe('accountsLock → Ledger.lock → accountsLock');
    const threads = flow?.threadFlows ?? [];
    expect(threads).toHaveLength(2);
    expect(threads.map((thread) => thread.locations.map((l) => [site(l.location), l.kinds, l.nestingLevel, l.location?.message?.text]))).toEqual([
      [
        ['src/bank.ts:12:5', ['acquire'], 0, 'accountsLock taken in transfer, held while Ledger.lock is taken'],
        ['src/bank.ts:15:11', ['call'], 0, 'transfer calls audit'],
        ['src/audit.ts:8:3', ['call'], 1, 'audit calls Ledger.append'],
        ['src/ledger.ts:31:7', ['acquire'], 2, 'Ledger.lock taken in Ledger.append while accountsLock held'],
      ],
      [
        ['src/ledger.ts:44:5', ['acquire'], 0, 'Ledger.lock taken in Ledger.reconcile, held while accountsLock is taken'],
        ['src/ledger.ts:46:11', ['call'], 0, 'Ledger.reconcile calls refreshBalances'],
        ['src/bank.ts:27:3', ['acquire'], 1, 'accountsLock taken in refreshBalances while Ledger.lock held'],
      ],
    ]);
    expect(threads[0]?.message?.text).toBe('context 1: holds accountsLock, takes Ledger.lock');
    expect(resultFor(sarif(), CYCLE_3.fingerprint).codeFlows?.[0]?.threadFlows).toHaveLength(3);
  });

  test('lock names, disambiguated by id only where two locks share a name', () => {
    const text = JSON.stringify(resultFor(sarif(), CYCLE_3.fingerprint));
    expect(text).toContain(`Worker.lock (${ID.worker})`);
    expect(text).not.toContain(ID.queue);
  });

  test('input errors become error notifications and mark the invocation unsuccessful', () => {
    const invocation = firstRun(sarif()).invocations?.[0];
    expect(invocation?.executionSuccessful).toBe(false);
    expect(invocation?.toolExecutionNotifications).toEqual([
      {
        level: 'error',
        descriptor: { id: 'parse' },
        message: { text: "src/broken.ts:3:14: ';' expected." },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'src/broken.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 14 } } }],
      },
      {
        level: 'error',
        descriptor: { id: 'missing-path' },
        message: { text: 'src/gone: No such file or directory.' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'src/gone', uriBaseId: '%SRCROOT%' } } }],
      },
    ]);
  });

  test('unusual paths still give valid URIs: spaces, #, %, absolute paths outside the root', () => {
    const report = sampleReport({
      errors: [
        { code: 'read', file: 'src/my file #2 100%.ts', message: 'Cannot read.' },
        { code: 'missing-path', file: '/elsewhere/lib.ts', message: 'Outside the root.' },
        { code: 'usage', message: 'No file given.' },
      ],
    });
    const log = sarif(report);
    expect(errorsOf(log)).toBe('');
    const uris = firstRun(log).invocations?.[0]?.toolExecutionNotifications?.map((n) => n.locations?.[0]?.physicalLocation?.artifactLocation);
    expect(uris).toEqual([{ uri: 'src/my%20file%20%232%20100%25.ts', uriBaseId: '%SRCROOT%' }, { uri: 'file:///elsewhere/lib.ts' }, undefined]);
  });

  test('a finding without steps (which the analysis never produces) still gives valid SARIF', () => {
    const log = sarif(sampleReport({ findings: [{ ...CYCLE_2, steps: [] }] }));
    expect(errorsOf(log)).toBe('');
    expect(firstRun(log).results?.[0]?.locations).toBeUndefined();
  });

  test('deterministic: the same report gives the same bytes, with no timestamp', () => {
    expect(formatSarif(sampleReport())).toBe(formatSarif(sampleReport()));
    expect(formatSarif(sampleReport())).not.toMatch(/TimeUtc/);
    expect(formatSarif(sampleReport()).endsWith('}\n')).toBe(true);
  });
});
