/**
 * ESLint with `configs.recommended`, type-aware through typescript-eslint's project service, on the
 * demo app under fixtures/demo-app: its deliberate bugs are listed in expected-lint.json, and exactly
 * those must come out — every one found, nothing else (the realistic code around them is the
 * false-positive check).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import parser from '@typescript-eslint/parser';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/demo-app');

interface ExpectedLintFinding {
  readonly rule: string;
  readonly file: string;
  readonly line: number;
  readonly bug: string;
}

function expectedFindings(): readonly ExpectedLintFinding[] {
  const parsed = JSON.parse(fs.readFileSync(path.join(DEMO_DIR, 'expected-lint.json'), 'utf8')) as { findings: ExpectedLintFinding[] };
  return parsed.findings;
}

/** A finding as a comparable line: rule, file and line (the message is checked separately). */
function key(rule: string | null, file: string, line: number): string {
  return `${rule ?? '(no rule)'} ${file}:${line}`;
}

describe('ESLint with configs.recommended on fixtures/demo-app', () => {
  let results: ESLint.LintResult[];

  beforeAll(async () => {
    const eslint = new ESLint({
      cwd: DEMO_DIR,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.ts'], languageOptions: { parser, parserOptions: { projectService: true, tsconfigRootDir: DEMO_DIR } } },
        { files: ['**/*.ts'], ...plugin.configs.recommended } as Linter.Config,
      ],
    });
    results = await eslint.lintFiles(['src/**/*.ts']);
  }, 120_000);

  function messages(): { file: string; message: Linter.LintMessage }[] {
    return results.flatMap((result) =>
      result.messages.map((message) => ({ file: path.relative(DEMO_DIR, result.filePath).split(path.sep).join('/'), message })),
    );
  }

  it('lints every source file of the demo app without a parse error or a crash', () => {
    const sources = fs.readdirSync(path.join(DEMO_DIR, 'src')).filter((file) => file.endsWith('.ts'));
    expect(results.map((result) => path.basename(result.filePath)).sort()).toEqual(sources.sort());
    expect(messages().filter(({ message }) => message.fatal === true || message.ruleId === null)).toEqual([]);
  });

  it('reports every expected finding, and nothing else', () => {
    const found = messages().map(({ file, message }) => key(message.ruleId, file, message.line));
    const expected = expectedFindings().map((finding) => key(finding.rule, finding.file, finding.line));
    expect(found.sort()).toEqual(expected.sort());
  });

  it('covers every rule of configs.recommended with at least one deliberate bug', () => {
    const recommended = Object.keys(plugin.configs.recommended.rules ?? {});
    const covered = new Set(expectedFindings().map((finding) => finding.rule));
    expect(recommended.filter((rule) => !covered.has(rule))).toEqual([]);
  });

  it('names the lock or the shared state in every message, as written in the source', () => {
    const lines = new Map<string, readonly string[]>();
    for (const { file, message } of messages()) {
      const source = lines.get(file) ?? fs.readFileSync(path.join(DEMO_DIR, file), 'utf8').split('\n');
      lines.set(file, source);
      // The first quoted name in the message is the lock, the call or the state the report is about;
      // its last member (`refreshLock` of 'ExchangeRates.refreshLock') is written on the reported line.
      // A self-deadlock through a call is reported at the call: there the callee's name is written.
      const callee = /^This call, .* through the calls [^ ]+ → ([^ :]+)/.exec(message.message)?.[1];
      const subject = callee ?? /'([^']+)'/.exec(message.message)?.[1] ?? '';
      const member = subject.replace(/\(\)$/, '').split('.').at(-1) ?? '';
      expect(member, message.message).not.toBe('');
      expect(source[message.line - 1], `${file}:${message.line}: ${message.message}`).toContain(member);
    }
  });
});
