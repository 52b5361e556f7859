import { describe, expect, it } from 'vitest';
import { editDistance, suggestOption } from '../../src/cli/suggest-option.js';

const OPTIONS = ['project', 'format', 'output', 'baseline', 'update-baseline', 'config', 'root', 'exit-zero', 'help', 'version'];

describe('suggestOption', () => {
  it('finds the option meant by a swap, a missing, an extra or a wrong letter', () => {
    expect(suggestOption('--fromat', OPTIONS)).toBe('--format');
    expect(suggestOption('--formt', OPTIONS)).toBe('--format');
    expect(suggestOption('--baseline=x', OPTIONS)).toBe('--baseline');
    expect(suggestOption('--updte-baseline', OPTIONS)).toBe('--update-baseline');
    expect(suggestOption('--exitzero', OPTIONS)).toBe('--exit-zero');
    expect(suggestOption('--Format', OPTIONS)).toBe('--format');
  });

  it('suggests nothing when no option is close', () => {
    expect(suggestOption('--frobnicate', OPTIONS)).toBeUndefined();
    expect(suggestOption('--x', OPTIONS)).toBeUndefined();
    expect(suggestOption('--', OPTIONS)).toBeUndefined();
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('fromat', 'format')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
