/** ESLint's default parser gives no parser services at all: the rule must still run, on names alone. */
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

describe('with ESLint’s default parser (espree)', () => {
  it('reports a name-recognised inversion as a guess instead of crashing', () => {
    const linter = new Linter({ configType: 'flat' });
    const code = [
      'const accountsLock = makeLock();',
      'const ledgerLock = makeLock();',
      'export function first() { accountsLock.acquire(); ledgerLock.acquire(); }',
      'export function second() { ledgerLock.acquire(); accountsLock.acquire(); }',
    ].join('\n');
    // The recommended config sets typescript-eslint's parser; an empty languageOptions puts espree back.
    const config: Linter.Config[] = [{ ...plugin.configs.recommended, files: ['**/*.js'], languageOptions: {} }];
    const messages = linter.verify(code, config, { filename: 'plain.js' });
    // No rule crashed (a crash is a fatal message without a rule id) and every report says it guessed.
    expect(messages.filter((message) => message.fatal === true || message.ruleId === null)).toEqual([]);
    expect(messages.every((message) => message.messageId?.endsWith('Guessed'))).toBe(true);
    const cycles = messages.filter((message) => message.ruleId === '@lockstep/no-cyclic-lock-order');
    expect(cycles.map(({ ruleId, messageId, line }) => ({ ruleId, messageId, line }))).toEqual([
      { ruleId: '@lockstep/no-cyclic-lock-order', messageId: 'cyclicLockOrderGuessed', line: 3 },
      { ruleId: '@lockstep/no-cyclic-lock-order', messageId: 'cyclicLockOrderGuessed', line: 4 },
    ]);
  });
});
