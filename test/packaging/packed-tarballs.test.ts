/**
 * The packages as a user outside this repository gets them: pnpm packs the three tarballs, npm installs
 * them into fresh projects in the system's temp directory (no workspace, no lockfile of ours), beside the
 * oldest and newest TypeScript and ESLint we support, and then everything docs/install.md and the
 * README show runs there: the two-line type-checked ESLint config, the legacy `.eslintrc` on ESLint 9,
 * `npx lockstep`, the README's worker program, and `tsc` over code using the primitives' types.
 *
 * Needs the npm registry (as the install of this repository does). Nothing here is timed: the long
 * timeouts only leave room for npm on a slow network.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script, shared with `pnpm pack-tarballs`; it has no declarations.
import { packTarballs } from '../../scripts/pack-tarballs.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const projectTemplate = fileURLToPath(new URL('./project/', import.meta.url));
const INSTALL_TIMEOUT_MS = 420_000;
/** Type-aware ESLint and tsc in a fresh project, while other test files use both cores. */
const STEP_TIMEOUT_MS = 240_000;

interface Matrix {
  readonly name: string;
  readonly typescript: string;
  readonly eslint: string;
  /** ESLint 9.22 and later have `defineConfig` (`eslint/config`); older ones do not. */
  readonly defineConfig: boolean;
  /** `.eslintrc` exists on ESLint 9 only. */
  readonly legacy: boolean;
  /** ESLint before 9.10 ships no declarations: what docs/install.md tells a project checking libraries to add. */
  readonly eslintTypes?: string;
}

const MATRIX: readonly Matrix[] = [
  { name: 'TypeScript 5.0 and ESLint 9.0 (the oldest supported)', typescript: '5.0.4', eslint: '9.0.0', defineConfig: false, legacy: true, eslintTypes: '@types/eslint@^9.6' },
  { name: 'TypeScript 5.9 and ESLint 9', typescript: '~5.9.0', eslint: '^9.22.0', defineConfig: true, legacy: true },
  { name: 'TypeScript 6.0 and ESLint 10 (the newest supported)', typescript: '~6.0.3', eslint: '^10.0.0', defineConfig: true, legacy: false },
];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd, env: { ...process.env, ...env, CI: 'true', NO_COLOR: '1', LOCKSTEP_NO_PROGRESS: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The fenced code block of `file` (a repository path) whose first line is `firstLine`, without that fence. */
function codeBlock(file: string, firstLine: string): string {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  // Fences may be indented (a block inside a list item): the indent is removed from every line.
  for (const match of text.matchAll(/^( *)```(?:js|ts|json)\n([\s\S]*?)^\1```/gm)) {
    const indent = match[1] ?? '';
    const body = (match[2] ?? '').replace(new RegExp(`^${indent}`, 'gm'), '');
    if (body.startsWith(firstLine)) return body;
  }
  throw new Error(`${file} has no code block starting with ${JSON.stringify(firstLine)}`);
}

/** The two-line eslint.config.js of docs/install.md, exactly as the page shows it. */
function documentedFlatConfig(): string {
  return codeBlock('docs/install.md', "import lockstep from '@lockstep/eslint-plugin';\nexport default [lockstep.configs.recommendedTypeChecked];");
}

interface EslintMessage {
  readonly ruleId: string | null;
  readonly fatal?: boolean;
  readonly message: string;
  readonly line: number;
}

interface EslintResult {
  readonly filePath: string;
  readonly messages: readonly EslintMessage[];
}

/** Rule ids reported per file (relative to the project), and every fatal message (parse errors). */
function summarise(dir: string, stdout: string): { rules: Record<string, string[]>; fatal: string[] } {
  const results = JSON.parse(stdout) as EslintResult[];
  const rules: Record<string, string[]> = {};
  const fatal: string[] = [];
  for (const result of results) {
    const file = path.relative(dir, result.filePath).split(path.sep).join('/');
    for (const message of result.messages) {
      if (message.fatal === true || message.ruleId === null) fatal.push(`${file}:${message.line}: ${message.message}`);
      else (rules[file] ??= []).push(message.ruleId);
    }
  }
  for (const ids of Object.values(rules)) ids.sort();
  return { rules, fatal };
}

const SEEDED = {
  'src/bank.ts': [
    '@lockstep/no-cyclic-lock-order',
    '@lockstep/no-cyclic-lock-order',
    '@lockstep/no-nonatomic-update',
    '@lockstep/no-unreleased-lock',
  ],
};

let tarballs: string[] = [];
let workspace = '';

beforeAll(() => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-tarballs-'));
  tarballs = packTarballs(path.join(workspace, 'tarballs')) as string[];
}, 120_000);

afterAll(() => {
  if (workspace !== '') fs.rmSync(workspace, { recursive: true, force: true });
});

describe('the packed tarballs', () => {
  it('ship what a user needs and no build cache', async () => {
    for (const tarball of tarballs) {
      const listing = await run('tar', ['-tzf', tarball], workspace);
      const files = listing.stdout.split('\n').filter((line) => line !== '');
      expect(files).toContain('package/LICENSE');
      expect(files).toContain('package/README.md');
      expect(files).toContain('package/dist/index.js');
      expect(files).toContain('package/dist/index.d.ts');
      expect(files.filter((file) => /tsbuildinfo|\/test\//.test(file))).toEqual([]);
    }
  });

  describe.concurrent.each(MATRIX)('$name', (matrix) => {
    let dir = '';

    beforeAll(async () => {
      dir = path.join(workspace, matrix.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
      fs.cpSync(projectTemplate, dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'fresh-project', private: true, type: 'module' }, null, 2)}\n`);
      fs.writeFileSync(path.join(dir, 'eslint.config.js'), documentedFlatConfig());
      fs.writeFileSync(path.join(dir, '.eslintrc.json'), codeBlock('docs/eslint-plugin.md', '{\n  "root": true,'));
      // Build output and the README's worker program, written here: dist/ is ignored by git.
      fs.mkdirSync(path.join(dir, 'dist'));
      fs.writeFileSync(path.join(dir, 'dist/bank.js'), 'export const built = true;\n');
      fs.writeFileSync(path.join(dir, 'dist/bank.d.ts'), 'export declare const built: true;\n');
      fs.writeFileSync(path.join(dir, 'main.js'), codeBlock('README.md', '// main.js'));
      fs.writeFileSync(path.join(dir, 'count.js'), codeBlock('README.md', '// count.js'));
      fs.writeFileSync(path.join(dir, 'src/workers/register-tsx.mjs'), codeBlock('docs/install.md', '// register-tsx.mjs'));
      // In src/, so the project's tsconfig (and the project service) covers it.
      if (matrix.defineConfig) {
        // docs/eslint-plugin.md's defineConfig example, as the page shows it, type-checked as TypeScript.
        fs.writeFileSync(path.join(dir, 'src/eslint-config.ts'), codeBlock('docs/eslint-plugin.md', "import { defineConfig } from 'eslint/config';"));
      }
      const install = await run(
        'npm',
        ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, `typescript@${matrix.typescript}`, `eslint@${matrix.eslint}`, '@types/node@^20', 'tsx@^4', ...(matrix.eslintTypes === undefined ? [] : [matrix.eslintTypes])],
        dir,
      );
      expect(install.stderr + install.stdout).not.toMatch(/ERESOLVE|peer dep/i);
      expect(install.code, install.stderr).toBe(0);
    }, INSTALL_TIMEOUT_MS);

    it('installs one TypeScript, the project’s own', async () => {
      const list = await run('npm', ['ls', 'typescript', '--all', '--parseable'], dir);
      const copies = list.stdout.split('\n').filter((line) => /node_modules\/typescript$/.test(line));
      expect(copies).toEqual([path.join(dir, 'node_modules/typescript')]);
    }, STEP_TIMEOUT_MS);

    it('finds the seeded bugs with the documented two-line type-checked config, and no parsing error anywhere', async () => {
      const lint = await run(process.execPath, ['node_modules/eslint/bin/eslint.js', '.', '--format', 'json'], dir);
      expect(lint.stderr).toBe('');
      const { rules, fatal } = summarise(dir, lint.stdout);
      expect(fatal).toEqual([]);
      expect(rules).toEqual(SEEDED);
      expect(lint.code).toBe(1);
    }, STEP_TIMEOUT_MS);

    it.runIf(matrix.legacy)('reports through the legacy config in .eslintrc', async () => {
      const lint = await run(process.execPath, ['node_modules/eslint/bin/eslint.js', 'src', '--format', 'json'], dir, { ESLINT_USE_FLAT_CONFIG: 'false' });
      const { rules, fatal } = summarise(dir, lint.stdout);
      expect(fatal).toEqual([]);
      expect(rules).toEqual(SEEDED);
    }, STEP_TIMEOUT_MS);

    it('reports the lock-order cycle with npx lockstep, typed', async () => {
      const report = await run('npx', ['--no-install', 'lockstep', '--format', 'json'], dir);
      expect(report.code, report.stderr).toBe(1);
      const parsed = JSON.parse(report.stdout) as { findings: { kind: string }[]; stats: { locksRecognised: { typed: number } } };
      expect(parsed.findings.map((finding) => finding.kind)).toEqual(['lock-order-cycle']);
      expect(parsed.stats.locksRecognised.typed).toBeGreaterThanOrEqual(3);
    }, STEP_TIMEOUT_MS);

    it('runs the README’s worker program', async () => {
      const program = await run(process.execPath, ['main.js'], dir);
      expect(program.stderr).toBe('');
      expect(program.stdout.trim()).toBe('400000');
    }, STEP_TIMEOUT_MS);

    it('runs a TypeScript worker under tsx with the preload docs/install.md shows', async () => {
      const program = await run(process.execPath, ['--import', 'tsx', 'src/workers/main.ts'], dir);
      expect(program.stderr).toBe('');
      expect(program.stdout.trim()).toBe('1000');
    }, STEP_TIMEOUT_MS);

    it('type-checks the packages’ own declarations (skipLibCheck off) on this TypeScript', async () => {
      // The project's tsconfig skips library checks, as most do; a user who does not must not get
      // errors from ours (TypeScript < 5.7 rejects typed arrays with a type argument, say).
      fs.writeFileSync(
        path.join(dir, 'declarations-check.ts'),
        [
          "import { Lock, Queue } from '@lockstep/primitives';",
          "import { enableLockValidation } from '@lockstep/primitives/validate';",
          "import * as analyzer from '@lockstep/analyzer';",
          "import plugin from '@lockstep/eslint-plugin';",
          'export const used = [new Lock(), new Queue<number>(), enableLockValidation, analyzer, plugin];',
          '',
        ].join('\n'),
      );
      const options = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, lib: ['ES2022'], types: ['node'], skipLibCheck: false, noEmit: true };
      fs.writeFileSync(path.join(dir, 'tsconfig.declarations.json'), JSON.stringify({ compilerOptions: options, files: ['declarations-check.ts'] }, null, 2));
      const check = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.declarations.json'], dir);
      expect(check.stdout + check.stderr).toBe('');
      expect(check.code).toBe(0);
    }, STEP_TIMEOUT_MS);

    it('type-checks code using the primitives and, where ESLint has defineConfig, our configs inside it', async () => {
      const check = await run(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json'], dir);
      expect(check.stdout + check.stderr).toBe('');
      expect(check.code).toBe(0);
    }, STEP_TIMEOUT_MS);
  });
});
