/**
 * The one `RuleCreator` every rule is made with, so each rule's docs URL, and the shape of its
 * `meta.docs`, are decided in one place.
 */
import { ESLintUtils } from '@typescript-eslint/utils';
import { PACKAGE_VERSION } from '../package-meta.js';

/** Which exported config turns a rule on. */
export type RuleRecommendation =
  /** In `configs.recommended`, and so in `configs.strict` too: few false positives, real bugs. */
  | 'recommended'
  /** In `configs.strict` only: stricter style, or checks that ask more of the code base. */
  | 'strict';

/**
 * What this plugin adds to ESLint's `meta.docs`. It is the single source of truth for the exported
 * configs (see src/configs/) and for the header of each rule's doc page.
 *
 * `recommended` is a string rather than a boolean so that one field places a rule in exactly one
 * tier; absent means the rule is in no preset config and users turn it on themselves.
 */
export interface LockstepRuleDocs {
  readonly recommended?: RuleRecommendation;
  /**
   * True when the rule needs typescript-eslint's type information to do its full job. Without it
   * the rule still runs (never crashes) and falls back to what it can see without types.
   */
  readonly requiresTypeChecking: boolean;
}

/**
 * Base of the docs URLs; a rule's page is `docs/rules/<id>.md` in the repository at the release tag of
 * this version, so an editor's link shows the page that matches the rule the user runs.
 */
export const RULE_DOCS_BASE_URL = `https://github.com/lockstep/lockstep/blob/v${PACKAGE_VERSION}/docs/rules/`;

/** Creates a rule with its docs URL filled in from its name. */
export const createRule = ESLintUtils.RuleCreator<LockstepRuleDocs>((name) => `${RULE_DOCS_BASE_URL}${name}.md`);
