/**
 * The run-time validator (@lockstep/primitives/validate) computes lockstep's fingerprints itself, so
 * that the primitives need not depend on the analyzer: these tests keep the two equal, on synthetic
 * findings and on the demo app's real ones (lockstep on its source, the validator on its run).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type * as Sarif from 'sarif';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { fingerprintFinding, type EdgeWitness, type FindingKind, type FindingStep, type Report } from '@lockstep/analyzer';
import { disableLockValidation, fingerprintLockFinding, type LockValidationReport } from '@lockstep/primitives/validate';

const root = fileURLToPath(new URL('..', import.meta.url));

// The SARIF 2.1.0 schema the analyzer's tests validate against (see its README there). Its
// language-tag pattern has a stray `]`, which a regular expression in unicode mode rejects.
const sarifSchema = JSON.parse(readFileSync(path.join(root, 'packages/analyzer/test/report/sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, unicodeRegExp: false });
// ajv-formats is CommonJS: under NodeNext its default import is the module object.
addFormatsModule.default(ajv);
const validateSarif = ajv.compile(sarifSchema);

function sarifErrors(log: unknown): string {
  return validateSarif(log) ? '' : (validateSarif.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`).join('\n');
}

// Importing the validator switched it on in this process; nothing here takes a lock.
afterAll(() => {
  disableLockValidation();
});

function location(file: string): EdgeWitness['held']['location'] {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 2, snippet: '' };
}

/** A finding's steps as the analyzer builds them, with only what its fingerprint reads filled in. */
function steps(cycle: readonly string[], acquired?: { function: string; file: string; caller?: { name: string; file: string } }): FindingStep[] {
  return cycle.map((from, index) => {
    const to = cycle[(index + 1) % cycle.length]!;
    const acquisition = (lock: string, fn: string, file: string): EdgeWitness['held'] => ({ lock, location: location(file), function: fn, callChain: [], form: 'acquire', guessed: false });
    const taken = acquisition(to, acquired?.function ?? 'f', acquired?.file ?? 'src/f.ts');
    const witness: EdgeWitness = {
      held: acquisition(from, 'f', 'src/f.ts'),
      acquired:
        acquired?.caller === undefined
          ? taken
          : { ...taken, callChain: [{ caller: acquired.caller.name, callee: acquired.function, location: location(acquired.caller.file) }] },
      alsoHeld: [],
    };
    return { from, to, witness, witnessCount: 1 };
  });
}

describe("the validator's fingerprints are lockstep's", () => {
  const cycles: readonly (readonly string[])[] = [
    ['src/locks.ts#inventoryLock', 'src/locks.ts#paymentsLock'],
    ['src/locks.ts#paymentsLock', 'src/locks.ts#inventoryLock'],
    ['src/a.ts#A.lock', 'src/c.ts#c', 'src/b.ts#b'],
    ['src/c.ts#c', 'src/b.ts#b', 'src/a.ts#A.lock'],
  ];
  for (const kind of ['lock-order-cycle', 'semaphore-cycle'] as const satisfies readonly FindingKind[]) {
    for (const cycle of cycles) {
      test(`${kind} ${cycle.join(' → ')}`, () => {
        expect(fingerprintLockFinding(kind, cycle)).toBe(fingerprintFinding(kind, steps(cycle)));
      });
    }
  }

  test('a self-deadlock through a call: the fix function is the holder calling on', () => {
    const id = 'src/rates.ts#ExchangeRates.refreshLock';
    const analyzer = fingerprintFinding('self-deadlock', steps([id], { function: 'ExchangeRates.refresh', file: 'src/rates.ts', caller: { name: 'ExchangeRates.convert', file: 'src/rates.ts' } }));
    expect(fingerprintLockFinding('self-deadlock', [id], 'src/rates.ts#ExchangeRates.convert')).toBe(analyzer);
    expect(fingerprintLockFinding('self-deadlock', [id], 'src/rates.ts#ExchangeRates.refresh')).not.toBe(analyzer);
  });

  test('a self-deadlock and a recursive locking within one function', () => {
    const id = 'src/bank.ts#Account.lock';
    for (const kind of ['self-deadlock', 'recursive-locking'] as const) {
      expect(fingerprintLockFinding(kind, [id], 'src/bank.ts#transfer')).toBe(fingerprintFinding(kind, steps([id], { function: 'transfer', file: 'src/bank.ts' })));
    }
  });
});

describe('the demo app: lockstep on its source and the validator on its run agree', () => {
  test("the inversion inventoryLock ↔ paymentsLock has one fingerprint in both reports", { timeout: 120_000 }, () => {
    // Exit code 1: it has findings.
    const lockstep = spawnSync(process.execPath, ['packages/analyzer/bin/lockstep.js', 'fixtures/demo-app', '--format', 'json'], { cwd: root, encoding: 'utf8' });
    expect(lockstep.status).toBe(1);
    const staticReport = JSON.parse(lockstep.stdout) as Report;
    const cycle = staticReport.findings.find((finding) => finding.kind === 'lock-order-cycle');
    expect(cycle?.locks).toEqual(['fixtures/demo-app/src/locks.ts#inventoryLock', 'fixtures/demo-app/src/locks.ts#paymentsLock']);

    const dir = mkdtempSync(path.join(tmpdir(), 'lockstep-validator-'));
    try {
      const file = path.join(dir, 'findings.json');
      execFileSync(process.execPath, ['--import', 'tsx', '--import', '@lockstep/primitives/validate', 'fixtures/demo-app/src/main.ts'], {
        cwd: root,
        env: { ...process.env, LOCKSTEP_VALIDATE_ON_REPORT: 'record', LOCKSTEP_VALIDATE_JSON: file },
        stdio: 'ignore',
        timeout: 100_000,
      });
      const { findings } = JSON.parse(readFileSync(file, 'utf8')) as { findings: LockValidationReport[] };
      const seen = findings.find((finding) => finding.kind === 'lock-order-cycle');
      expect(seen?.locks).toEqual(cycle?.locks);
      expect(seen?.fingerprint).toBe(cycle?.fingerprint);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("its own test run (node --test) fails the two tests that hit the inversion and the self-deadlock, with lockstep's fingerprints", { timeout: 120_000 }, () => {
    const lockstep = spawnSync(process.execPath, ['packages/analyzer/bin/lockstep.js', 'fixtures/demo-app', '--format', 'json'], { cwd: root, encoding: 'utf8' });
    expect(lockstep.status).toBe(1);
    const staticFindings = (JSON.parse(lockstep.stdout) as Report).findings;
    const expected = ['lock-order-cycle', 'self-deadlock'].map((kind) => {
      const finding = staticFindings.find((candidate) => candidate.kind === kind);
      return { kind, locks: finding?.locks, fingerprint: finding?.fingerprint };
    });
    expect(expected[1]?.locks).toEqual(['fixtures/demo-app/src/exchange-rates.ts#ExchangeRates.refreshLock']);

    const dir = mkdtempSync(path.join(tmpdir(), 'lockstep-validator-'));
    try {
      // node --test runs each file in a process of its own: {pid} gives each its own findings file.
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--import', '@lockstep/primitives/validate', '--test', '--test-force-exit', 'fixtures/demo-app/test/exchange-rates.test.ts', 'fixtures/demo-app/test/orders.test.ts'],
        {
          cwd: root,
          env: {
            ...process.env,
            LOCKSTEP_VALIDATE_ON_REPORT: 'throw',
            LOCKSTEP_VALIDATE_JSON: path.join(dir, 'json', 'findings-{pid}.json'),
            LOCKSTEP_VALIDATE_SARIF: path.join(dir, 'sarif', 'findings-{pid}.sarif'),
          },
          encoding: 'utf8',
          timeout: 100_000,
        },
      );
      // Without the validator the stale-table test would wait for itself until its 3 s timeout.
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/not ok \d+ - a stale table is refreshed once before converting[\s\S]*?possible self-deadlock: ExchangeRates\.refreshLock re-acquired while held/);
      expect(run.stdout).toMatch(/not ok \d+ - cancelling an order refunds it and puts the stock back[\s\S]*?possible circular locking dependency: inventoryLock → paymentsLock → inventoryLock/);
      expect(run.stdout).toMatch(/# pass 2\n/);

      const findings = readdirSync(path.join(dir, 'json')).flatMap((name) => (JSON.parse(readFileSync(path.join(dir, 'json', name), 'utf8')) as { findings: LockValidationReport[] }).findings);
      const seen = findings.map((finding) => ({ kind: finding.kind, locks: finding.locks, fingerprint: finding.fingerprint }));
      expect(seen.sort((a, b) => a.kind.localeCompare(b.kind))).toEqual(expected);

      // SARIF: valid, and the same rule ids and partial fingerprints as `lockstep --format sarif`'s.
      const logs = readdirSync(path.join(dir, 'sarif')).map((name) => JSON.parse(readFileSync(path.join(dir, 'sarif', name), 'utf8')) as Sarif.Log);
      for (const log of logs) expect(sarifErrors(log)).toBe('');
      const identities = (log: Sarif.Log): string[] => (log.runs[0]?.results ?? []).map((result) => `${result.ruleId ?? ''} ${JSON.stringify(result.partialFingerprints)}`);
      const staticSarif = spawnSync(process.execPath, ['packages/analyzer/bin/lockstep.js', 'fixtures/demo-app', '--format', 'sarif'], { cwd: root, encoding: 'utf8' });
      const wanted = identities(JSON.parse(staticSarif.stdout) as Sarif.Log).filter((identity) => /lock-order-cycle|self-deadlock/.test(identity));
      expect(logs.flatMap(identities).sort()).toEqual(wanted.sort());
      const cycle = logs.flatMap((log) => log.runs[0]?.results ?? []).find((result) => result.ruleId === 'lockstep/lock-order-cycle');
      expect(cycle?.locations?.[0]?.physicalLocation?.artifactLocation).toEqual({ uri: 'fixtures/demo-app/src/inventory.ts', uriBaseId: '%SRCROOT%' });
      expect(cycle?.codeFlows?.[0]?.threadFlows).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lock libraries: lockstep on the fixture and the validator instrumenting the library agree', () => {
  const cases = [
    { library: 'async-mutex', fixture: 'fixtures/deadlocks/async-mutex-inversion', locks: ['reservationsMutex', 'stockMutex'] },
    { library: 'await-semaphore', fixture: 'fixtures/deadlocks/await-semaphore-inversion', locks: ['sessionsMutex', 'tokensMutex'] },
  ];
  for (const { library, fixture, locks } of cases) {
    test(`${library}: the inversion ${locks.join(' ↔ ')} has one fingerprint in both reports`, { timeout: 120_000 }, () => {
      const lockstep = spawnSync(process.execPath, ['packages/analyzer/bin/lockstep.js', fixture, '--format', 'json'], { cwd: root, encoding: 'utf8' });
      expect(lockstep.status).toBe(1);
      const cycle = (JSON.parse(lockstep.stdout) as Report).findings.find((finding) => finding.kind === 'lock-order-cycle');
      expect(cycle?.locks).toEqual(locks.map((lock) => `${fixture}/locks.ts#${lock}`));

      const dir = mkdtempSync(path.join(tmpdir(), 'lockstep-validator-'));
      try {
        const file = path.join(dir, 'findings.json');
        // The run may really deadlock (its tasks interleave at random): then it ends with the top-level
        // await unsettled, and the findings are written all the same.
        spawnSync(process.execPath, ['--import', 'tsx', '--import', '@lockstep/primitives/validate', `${fixture}/main.ts`], {
          cwd: root,
          env: { ...process.env, LOCKSTEP_VALIDATE_ON_REPORT: 'record', LOCKSTEP_VALIDATE_INSTRUMENT: library, LOCKSTEP_VALIDATE_JSON: file },
          stdio: 'ignore',
          timeout: 100_000,
        });
        const { findings } = JSON.parse(readFileSync(file, 'utf8')) as { findings: LockValidationReport[] };
        // The order cycle; and when the run really deadlocked, the deadlock too, with the same identity.
        expect(findings.filter((finding) => finding.kind === 'lock-order-cycle')).toHaveLength(1);
        for (const finding of findings) expect([finding.kind, finding.locks, finding.fingerprint]).toEqual([expect.stringMatching(/^(lock-order-cycle|deadlock)$/), cycle?.locks, cycle?.fingerprint]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('CommonJS: node -r @lockstep/primitives/validate (no top-level await) instruments both builds of async-mutex', () => {
    // An inversion through the CommonJS build (require), and one through the ESM build (import()):
    // lines of their own, since async-mutex's locks are named where they are used.
    const program = [
      "const { Mutex } = require('async-mutex');",
      'async function invertCommonJs() {',
      '  const first = new Mutex();',
      '  const second = new Mutex();',
      '  await first.runExclusive(() => second.runExclusive(() => undefined));',
      '  await second.runExclusive(() => first.runExclusive(() => undefined));',
      '}',
      'async function invertEsm() {',
      "  const { Mutex: EsmMutex } = await import('async-mutex');",
      '  const third = new EsmMutex();',
      '  const fourth = new EsmMutex();',
      '  await third.runExclusive(() => fourth.runExclusive(() => undefined));',
      '  await fourth.runExclusive(() => third.runExclusive(() => undefined));',
      '}',
      'invertCommonJs().then(invertEsm).then(() => {',
      "  const { lockValidationReports } = require('@lockstep/primitives/validate');",
      '  console.log(JSON.stringify(lockValidationReports().map((report) => report.kind)));',
      '});',
    ].join('\n');
    const run = spawnSync(process.execPath, ['-r', '@lockstep/primitives/validate', '-e', program], {
      cwd: root,
      env: { ...process.env, LOCKSTEP_VALIDATE_ON_REPORT: 'record', LOCKSTEP_VALIDATE_INSTRUMENT: 'async-mutex' },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(['lock-order-cycle', 'lock-order-cycle']);
  });

  test('LOCKSTEP_VALIDATE_INSTRUMENT naming a library it cannot instrument stops the run with a message naming it', () => {
    const run = spawnSync(process.execPath, ['--import', '@lockstep/primitives/validate', '-e', ''], {
      cwd: root,
      env: { ...process.env, LOCKSTEP_VALIDATE_INSTRUMENT: 'async-mutex,async-lock' },
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('cannot instrument "async-lock"; it knows async-mutex, await-semaphore');
  });
});
