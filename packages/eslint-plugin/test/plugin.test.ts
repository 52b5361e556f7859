/** The plugin's shape: every rule documented as its meta says, and configs derived from that meta. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { rules } from '../src/rules/index.js';

const PACKAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const RULES_SOURCE_DIR = path.join(PACKAGE_DIR, 'src', 'rules');
const RULES_DOCS_DIR = path.join(PACKAGE_DIR, '..', '..', 'docs', 'rules');
const ruleEntries = Object.entries(rules);

describe('rules', () => {
  it('has one file per rule in the index, and no rule file left out of it', () => {
    const files = fs
      .readdirSync(RULES_SOURCE_DIR)
      .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
      .map((file) => file.slice(0, -'.ts'.length));
    expect(files.sort()).toEqual(Object.keys(rules).sort());
  });

  describe.each(ruleEntries)('%s', (id, rule) => {
    const docFile = path.join(RULES_DOCS_DIR, `${id}.md`);

    it('is named after its id and links to its doc page', () => {
      expect(rule.name).toBe(id);
      // Pinned to the release tag, so the link shows the page of the version the user runs.
      const { version } = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
      expect(rule.meta.docs?.url).toBe(`https://github.com/lockstep/lockstep/blob/v${version}/docs/rules/${id}.md`);
    });

    it('has an imperative description', () => {
      expect(rule.meta.docs?.description).toMatch(/^(Disallow|Require|Enforce|Prefer) /);
      expect(rule.meta.docs?.description).not.toMatch(/\.$/);
    });

    it('has a doc page whose title is its id and whose first paragraph is its description', () => {
      const [title, blank, summary] = fs.readFileSync(docFile, 'utf8').split('\n');
      expect(title).toBe(`# ${id}`);
      expect(blank).toBe('');
      expect(summary).toBe(`> ${rule.meta.docs?.description ?? ''}.`);
    });

    it('has a doc header that states its config and its need for types as meta does', () => {
      const header = fs.readFileSync(docFile, 'utf8').split('\n\n')[2] ?? '';
      const recommended = rule.meta.docs?.recommended;
      expect(header.includes('`configs.recommended`')).toBe(recommended === 'recommended');
      expect(header.includes('`configs.strict`')).toBe(recommended !== undefined);
      expect(header.includes('Requires type information')).toBe(rule.meta.docs?.requiresTypeChecking === true);
    });
  });
});

describe('configs', () => {
  const prefixed = (ids: readonly string[]): Record<string, string> => Object.fromEntries(ids.map((id) => [`@lockstep/${id}`, 'error']));
  const recommendedIds = ruleEntries.filter(([, rule]) => rule.meta.docs?.recommended === 'recommended').map(([id]) => id);
  const strictIds = ruleEntries.filter(([, rule]) => rule.meta.docs?.recommended !== undefined).map(([id]) => id);

  it('turns on exactly the recommended rules in recommended', () => {
    expect(plugin.configs.recommended.rules).toEqual(prefixed(recommendedIds));
    expect(plugin.configs.recommendedTypeChecked.rules).toEqual(prefixed(recommendedIds));
    expect(plugin.configs['legacy-recommended'].rules).toEqual(prefixed(recommendedIds));
  });

  it('turns on the recommended and strict rules in strict', () => {
    expect(plugin.configs.strict.rules).toEqual(prefixed(strictIds));
    expect(plugin.configs.strictTypeChecked.rules).toEqual(prefixed(strictIds));
    expect(plugin.configs['legacy-strict'].rules).toEqual(prefixed(strictIds));
  });

  it('names the flat configs and carries the plugin itself in them', () => {
    expect(plugin.configs.recommended.name).toBe('@lockstep/recommended');
    expect(plugin.configs.strict.name).toBe('@lockstep/strict');
    expect(plugin.configs.recommended.plugins?.['@lockstep']).toBe(plugin);
    expect(plugin.configs.strict.plugins?.['@lockstep']).toBe(plugin);
    expect(plugin.configs.recommendedTypeChecked.name).toBe('@lockstep/recommended-type-checked');
    expect(plugin.configs.strictTypeChecked.name).toBe('@lockstep/strict-type-checked');
    expect(plugin.configs.recommendedTypeChecked.plugins?.['@lockstep']).toBe(plugin);
    expect(plugin.configs['legacy-recommended'].plugins).toEqual(['@lockstep']);
  });

  it('exports the configs by name too, which is all that require() of the ES module shows to .eslintrc mode', async () => {
    const namespace = await import('../src/index.js');
    expect(namespace.configs).toBe(plugin.configs);
    expect(namespace.rules).toBe(plugin.rules);
    expect(namespace.meta).toBe(plugin.meta);
  });
});

describe('meta', () => {
  it('carries the package name and version', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { name: string; version: string };
    expect(plugin.meta).toEqual({ name: manifest.name, version: manifest.version });
  });
});
