/**
 * `@lockstep/eslint-plugin`: lint rules for concurrent JavaScript and TypeScript, built on the
 * `@lockstep/analyzer` lock model so a lock means the same thing in a lint message and in a
 * `lockstep` report.
 *
 * @example
 * ```js
 * // eslint.config.js
 * import lockstep from '@lockstep/eslint-plugin';
 * export default [lockstep.configs.recommended];
 * ```
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { createConfigs } from './configs/index.js';
import type { LockstepConfigs } from './configs/index.js';
import { rules } from './rules/index.js';

// Read at run time rather than imported, so dist/ needs no copy of package.json and the version
// cannot drift from the published one.
const { name, version } = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** The plugin object: `meta`, `rules` and `configs`, as ESLint's flat config expects. */
export interface LockstepPlugin {
  readonly meta: { readonly name: string; readonly version: string };
  readonly rules: typeof rules;
  readonly configs: LockstepConfigs;
}

const base = { meta: { name, version }, rules };
// The configs name the plugin object itself, so they are attached once it exists.
const plugin: LockstepPlugin = Object.assign(base, {
  configs: createConfigs(base),
});

export default plugin;
export { rules };
export type { LockstepConfigs } from './configs/index.js';
export type { LockstepRule, RuleId } from './rules/index.js';
export type { LockstepRuleDocs, RuleRecommendation } from './util/create-rule.js';
export type { LockstepSettings, LockTypeSetting } from './util/settings.js';
