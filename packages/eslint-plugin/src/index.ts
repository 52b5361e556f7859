/**
 * `@lockstep/eslint-plugin`: lint rules for concurrent JavaScript and TypeScript, built on the
 * `@lockstep/analyzer` lock model so a lock means the same thing in a lint message and in a
 * `lockstep` report.
 *
 * @example
 * ```js
 * // eslint.config.js: the recommended rules on TypeScript files, with type information
 * import lockstep from '@lockstep/eslint-plugin';
 * export default [lockstep.configs.recommendedTypeChecked];
 * ```
 *
 * @packageDocumentation
 */
import type { ESLint } from 'eslint';
import { createConfigs } from './configs/index.js';
import type { LockstepConfigs } from './configs/index.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './package-meta.js';
import { rules } from './rules/index.js';

/** The plugin object: `meta`, `rules` and `configs`, as ESLint's flat config expects. */
export interface LockstepPlugin extends ESLint.Plugin {
  readonly meta: { readonly name: string; readonly version: string };
  readonly rules: NonNullable<ESLint.Plugin['rules']>;
  readonly configs: LockstepConfigs;
}

/** The plugin's name and version, as ESLint reads them (`meta` of the plugin object). */
export const meta: LockstepPlugin['meta'] = { name: PACKAGE_NAME, version: PACKAGE_VERSION };

// typescript-eslint's RuleModule is a richer type than ESLint's Rule.RuleModule for the same objects;
// ESLint's type is the one `defineConfig` checks plugins against.
const eslintRules = rules as unknown as LockstepPlugin['rules'];

const base = { meta, rules: eslintRules };
// The configs name the plugin object itself, so they are attached once it exists.
const plugin: LockstepPlugin = Object.assign(base, { configs: createConfigs(base) });

/**
 * The configs, also as a named export: ESLint 9's `.eslintrc` mode loads a plugin with `require()`,
 * which on an ES module returns its namespace, where only named exports are seen.
 */
export const configs: LockstepConfigs = plugin.configs;

export default plugin;
export { rules };
export type { LockstepConfigs } from './configs/index.js';
export type { LockstepRule, RuleId } from './rules/index.js';
export type { LockstepRuleDocs, RuleRecommendation } from './util/create-rule.js';
export type { LockstepSettings, LockTypeSetting } from './util/settings.js';
