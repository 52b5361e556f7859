/** Every rule of the plugin, by id. A rule's id, its file name and its doc page name are one name. */
import type { TSESLint } from '@typescript-eslint/utils';
import type { LockstepRuleDocs } from '../util/create-rule.js';
import guardedBy from './guarded-by.js';
import noBlockingInAsync from './no-blocking-in-async.js';
import noCyclicLockOrder from './no-cyclic-lock-order.js';
import noDoubleAcquire from './no-double-acquire.js';
import noNonatomicUpdate from './no-nonatomic-update.js';
import noUnreleasedLock from './no-unreleased-lock.js';
import preferUsing from './prefer-using.js';
import requireHeldLock from './require-held-lock.js';
import waitInLoop from './wait-in-loop.js';

/** A rule of this plugin, whatever its options and messages. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rules differ in options and message ids; `any` is how typescript-eslint types its own rules map
export type LockstepRule = TSESLint.RuleModule<string, any[], LockstepRuleDocs>;

/** The rules by id (without the `@lockstep/` prefix). */
export const rules = {
  'guarded-by': guardedBy,
  'no-blocking-in-async': noBlockingInAsync,
  'no-cyclic-lock-order': noCyclicLockOrder,
  'no-double-acquire': noDoubleAcquire,
  'no-nonatomic-update': noNonatomicUpdate,
  'no-unreleased-lock': noUnreleasedLock,
  'prefer-using': preferUsing,
  'require-held-lock': requireHeldLock,
  'wait-in-loop': waitInLoop,
} satisfies Record<string, LockstepRule>;

/** A rule id. */
export type RuleId = keyof typeof rules;
