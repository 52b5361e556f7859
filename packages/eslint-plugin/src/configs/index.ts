/**
 * The preset configs, derived from each rule's `meta.docs.recommended` so a rule's tier is stated in
 * one place (its own file). `strict` is a superset of `recommended`.
 *
 * They are typed with ESLint's own `Linter.Config` (not typescript-eslint's `FlatConfig`), because that
 * is the type `defineConfig` from `eslint/config` checks them against in users' config files.
 */
import { parseForESLint, meta as parserMeta } from '@typescript-eslint/parser';
import type { ESLint, Linter } from 'eslint';
import { rules } from '../rules/index.js';
import type { RuleRecommendation } from '../util/create-rule.js';

/** The plugin's prefix in rule names, as in `@lockstep/no-cyclic-lock-order`. */
export const PLUGIN_PREFIX = '@lockstep';

const TIERS: Readonly<Record<'recommended' | 'strict', readonly RuleRecommendation[]>> = {
  recommended: ['recommended'],
  strict: ['recommended', 'strict'],
};

/** Every JavaScript and TypeScript source file: what the untyped configs lint. */
export const SOURCE_FILES: readonly string[] = ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}'];

/** TypeScript sources: what the type-checked configs lint. */
export const TYPESCRIPT_FILES: readonly string[] = ['**/*.{ts,mts,cts,tsx}'];

/**
 * Files the type-checked configs leave alone, because in an ordinary project they are outside every
 * tsconfig (so the project service would fail to parse them) and hold no lock code: declaration files
 * and build output, and the tools' own config files at the root (`vite.config.ts`, `eslint.config.ts`).
 * Those config files are ignored rather than given to `allowDefaultProject`, because typescript-eslint
 * refuses a file that is both in `allowDefaultProject` and in a tsconfig, and whether a root config file
 * is in the tsconfig differs from project to project (a tsconfig without `include` takes it).
 */
export const TYPED_IGNORES: readonly string[] = [
  '**/*.d.ts',
  '**/*.d.mts',
  '**/*.d.cts',
  '**/dist/**',
  '**/build/**',
  '**/coverage/**',
  '*.config.{ts,mts,cts}',
];

/** `{ '@lockstep/<id>': 'error' }` for every rule whose tier is in the preset's. */
export function rulesFor(preset: keyof typeof TIERS): Record<string, 'error'> {
  const entries = Object.entries(rules).filter(([, rule]) => {
    const tier = rule.meta.docs?.recommended;
    return tier !== undefined && TIERS[preset].includes(tier);
  });
  return Object.fromEntries(entries.map(([id]) => [`${PLUGIN_PREFIX}/${id}`, 'error' as const]));
}

/**
 * The plugin's configs: flat ones (named, carrying the plugin) and legacy `.eslintrc` ones. A type
 * alias rather than an interface, so it is assignable to `ESLint.Plugin['configs']`'s index signature.
 */
export type LockstepConfigs = {
  /** The recommended rules on every JS and TS file, parsed by typescript-eslint without types. */
  readonly recommended: Linter.Config;
  /** The recommended and strict rules, like `recommended`. */
  readonly strict: Linter.Config;
  /** The recommended rules on TypeScript files, with type information from the project service. */
  readonly recommendedTypeChecked: Linter.Config;
  /** The recommended and strict rules, like `recommendedTypeChecked`. */
  readonly strictTypeChecked: Linter.Config;
  /** `extends: ["plugin:@lockstep/legacy-recommended"]` in an `.eslintrc` (ESLint 9 only). */
  readonly 'legacy-recommended': Linter.LegacyConfig;
  /** `extends: ["plugin:@lockstep/legacy-strict"]` in an `.eslintrc` (ESLint 9 only). */
  readonly 'legacy-strict': Linter.LegacyConfig;
};

/**
 * An `.eslintrc` config. The override makes `eslint <dir>` lint TypeScript files too (eslintrc mode
 * only takes `.js` from a directory otherwise) and gives them typescript-eslint's parser, which
 * eslintrc resolves from this plugin's own dependencies; `parserOptions` (the project service, for
 * types) stay the user's.
 */
function legacy(preset: keyof typeof TIERS): Linter.LegacyConfig {
  return {
    plugins: [PLUGIN_PREFIX],
    rules: rulesFor(preset),
    overrides: [{ files: ['*.ts', '*.tsx', '*.mts', '*.cts'], parser: '@typescript-eslint/parser' }],
  };
}

// typescript-eslint's parser module, in the shape flat configs take (`meta` names it in caches).
const parser: Linter.Parser = { meta: parserMeta, parseForESLint } as Linter.Parser;

/**
 * Builds the configs around the plugin object itself, which flat configs must reference (and which
 * holds these configs: hence a function called once the plugin exists).
 */
export function createConfigs(plugin: ESLint.Plugin): LockstepConfigs {
  const plugins = { [PLUGIN_PREFIX]: plugin };
  const untyped = (preset: keyof typeof TIERS): Linter.Config => ({
    name: `${PLUGIN_PREFIX}/${preset}`,
    files: [...SOURCE_FILES],
    plugins,
    // A parser that reads TypeScript as well as JavaScript, so the one-line config lints `.ts` files; it
    // keeps any `parserOptions` an earlier config object set (the project service, say).
    languageOptions: { parser },
    rules: rulesFor(preset),
  });
  const typed = (preset: keyof typeof TIERS): Linter.Config => ({
    name: `${PLUGIN_PREFIX}/${preset}-type-checked`,
    files: [...TYPESCRIPT_FILES],
    ignores: [...TYPED_IGNORES],
    plugins,
    languageOptions: { parser, parserOptions: { projectService: true } },
    rules: rulesFor(preset),
  });
  return {
    recommended: untyped('recommended'),
    strict: untyped('strict'),
    recommendedTypeChecked: typed('recommended'),
    strictTypeChecked: typed('strict'),
    'legacy-recommended': legacy('recommended'),
    'legacy-strict': legacy('strict'),
  };
}
