/**
 * The preset configs, derived from each rule's `meta.docs.recommended` so a rule's tier is stated in
 * one place (its own file). `strict` is a superset of `recommended`.
 */
import type { TSESLint } from '@typescript-eslint/utils';
import { rules } from '../rules/index.js';
import type { RuleRecommendation } from '../util/create-rule.js';

/** The plugin's prefix in rule names, as in `@lockstep/no-cyclic-lock-order`. */
export const PLUGIN_PREFIX = '@lockstep';

const TIERS: Readonly<Record<'recommended' | 'strict', readonly RuleRecommendation[]>> = {
  recommended: ['recommended'],
  strict: ['recommended', 'strict'],
};

/** `{ '@lockstep/<id>': 'error' }` for every rule whose tier is in the preset's. */
export function rulesFor(preset: keyof typeof TIERS): Record<string, 'error'> {
  const entries = Object.entries(rules).filter(([, rule]) => {
    const tier = rule.meta.docs?.recommended;
    return tier !== undefined && TIERS[preset].includes(tier);
  });
  return Object.fromEntries(entries.map(([id]) => [`${PLUGIN_PREFIX}/${id}`, 'error' as const]));
}

/** The plugin's configs: flat ones (named, carrying the plugin) and legacy `.eslintrc` ones. */
export interface LockstepConfigs {
  readonly recommended: TSESLint.FlatConfig.Config;
  readonly strict: TSESLint.FlatConfig.Config;
  readonly 'legacy-recommended': TSESLint.ClassicConfig.Config;
  readonly 'legacy-strict': TSESLint.ClassicConfig.Config;
}

/**
 * Builds the configs around the plugin object itself, which flat configs must reference (and which
 * holds these configs: hence a function called once the plugin exists).
 */
export function createConfigs(plugin: TSESLint.FlatConfig.Plugin): LockstepConfigs {
  return {
    recommended: { name: `${PLUGIN_PREFIX}/recommended`, plugins: { [PLUGIN_PREFIX]: plugin }, rules: rulesFor('recommended') },
    strict: { name: `${PLUGIN_PREFIX}/strict`, plugins: { [PLUGIN_PREFIX]: plugin }, rules: rulesFor('strict') },
    'legacy-recommended': { plugins: [PLUGIN_PREFIX], rules: rulesFor('recommended') },
    'legacy-strict': { plugins: [PLUGIN_PREFIX], rules: rulesFor('strict') },
  };
}
