import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Report } from '@lockstep/analyzer';
import type { LockValidationReport } from '@lockstep/primitives/validate';
// @ts-expect-error: a plain .mjs project script, without type declarations
import { RuntimeUnavailableError, ensureRuntimes } from '../../scripts/install-runtimes.mjs';

// The validator instrumenting Web Locks needs a runtime with navigator.locks: Node 24 of the runtime
// matrix (scripts/install-runtimes.mjs), not the Node 20 that runs the suite. As for the matrix, the
// tests fail in CI where it cannot be installed and are skipped elsewhere.

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const inCI = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';
const RUN_TIMEOUT_MS = 90_000;
let node24: string | undefined;
let unavailable: string | undefined;

beforeAll(async () => {
  try {
    const runtimes = await (ensureRuntimes as () => Promise<{ name: string; command: string }[]>)();
    node24 = runtimes.find((runtime) => runtime.name === 'node24')?.command;
  } catch (error) {
    if (!(error instanceof (RuntimeUnavailableError as typeof Error))) throw error;
    unavailable = (error as Error).message;
  }
}, 300_000);

function requireNode24(skip: (note: string) => void): string {
  if (node24 !== undefined) return node24;
  const message = `Node 24 could not be installed: ${unavailable ?? 'not in the runtime matrix'}`;
  if (inCI) throw new Error(`${message}. CI must run the Web Locks validation on Node 24.`);
  skip(`${message} (skipped outside CI; in CI this fails)`);
  throw new Error('unreachable');
}

const validatorEnv = { ...process.env, NO_COLOR: '1', LOCKSTEP_VALIDATE_ON_REPORT: 'record', LOCKSTEP_VALIDATE_INSTRUMENT: 'web-locks' };

describe('the validator instruments Web Locks (Node 24)', () => {
  test('test/runtimes/web-locks-validation.mjs: every check passes', async ({ skip }) => {
    const node = requireNode24(skip);
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(node, ['--import', '@lockstep/primitives/validate', 'test/runtimes/web-locks-validation.mjs'], { cwd: repoRoot, timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL', env: validatorEnv }, (error, out, err) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout: out, stderr: err }),
      );
    });
    const lines = stdout.trim().split('\n');
    expect({ failed: lines.filter((line) => !line.startsWith('ok ') && !line.startsWith('done ')), stderr: stderr.trim(), code }, stdout).toEqual({ failed: [], stderr: '', code: 0 });
    expect(lines.at(-1)).toMatch(/^done (\d+)\/\1$/);
  }, RUN_TIMEOUT_MS + 10_000);

  test("the fixture's inversion between two Web Locks has lockstep's fingerprint at run time", ({ skip }) => {
    const node = requireNode24(skip);
    const fixture = 'fixtures/deadlocks/web-locks-inversion';
    const lockstep = spawnSync(process.execPath, ['packages/analyzer/bin/lockstep.js', fixture, '--format', 'json'], { cwd: repoRoot, encoding: 'utf8' });
    expect(lockstep.status).toBe(1);
    const cycle = (JSON.parse(lockstep.stdout) as Report).findings.find((finding) => finding.kind === 'lock-order-cycle');
    expect(cycle?.locks).toEqual(['web-lock:inventory', 'web-lock:orders']);
    const dir = mkdtempSync(path.join(tmpdir(), 'lockstep-web-locks-'));
    try {
      const file = path.join(dir, 'findings.json');
      // Its tasks may really deadlock: the run then ends with its top-level await unsettled, and the
      // findings are written all the same.
      spawnSync(node, ['--import', 'tsx', '--import', '@lockstep/primitives/validate', `${fixture}/main.ts`], {
        cwd: repoRoot,
        env: { ...validatorEnv, LOCKSTEP_VALIDATE_JSON: file },
        stdio: 'ignore',
        timeout: RUN_TIMEOUT_MS,
      });
      const { findings } = JSON.parse(readFileSync(file, 'utf8')) as { findings: LockValidationReport[] };
      // The order cycle; and when the run really deadlocked (its tasks interleave at random), the
      // deadlock too, on the same locks with the same fingerprint.
      expect(findings.filter((finding) => finding.kind === 'lock-order-cycle').map((finding) => [finding.locks, finding.fingerprint])).toEqual([[cycle?.locks, cycle?.fingerprint]]);
      for (const finding of findings) expect([finding.kind, finding.locks, finding.fingerprint]).toEqual([expect.stringMatching(/^(lock-order-cycle|deadlock)$/), cycle?.locks, cycle?.fingerprint]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, RUN_TIMEOUT_MS + 10_000);
});
