/**
 * `guarded-by`: a write of state outside the lock that guards it. The guard is declared (`@guardedBy
 * <lock>` on a field or variable, `@requiresLock <lock>` on a function, after Clang's `GUARDED_BY` and
 * `REQUIRES`) or inferred by the analyzer from the program: shared memory written under a lock
 * elsewhere, or a field a lock protects across a suspension (read, `await`, write back). The
 * inference is whole-program (the write under the lock and the one without it are often in different
 * files), so the rule asks the analyzer once per program and each file looks up its own findings.
 */
import path from 'node:path';
import type { GuardFinding, GuardFindingKind } from '@lockstep/analyzer';
import type { TSESLint } from '@typescript-eslint/utils';
import { createRule } from '../util/create-rule.js';
import { displayPath } from '../util/finding-sites.js';
import { analysisOfProgram } from '../util/program-analysis.js';
import { resolveSettings } from '../util/settings.js';

/** The rule takes no options. */
export type Options = [];

export type MessageId =
  /** Written without the lock inferred to guard it. */
  | 'unguardedWrite'
  /** Written under other locks than the one that guards it. */
  | 'wrongLock'
  /** Written without the lock its `@guardedBy` names. */
  | 'declaredUnguarded'
  /** A `@requiresLock` function called without the lock. */
  | 'missingRequiredLock'
  /** A tag naming no lock. */
  | 'unknownLock';

/** The data of the write messages. */
export interface GuardData extends Record<string, string> {
  /** The state: `Account.balance`, `counter`, `Pool.state` (the memory a shared view shows). */
  readonly state: string;
  /** The guarding lock. */
  readonly lock: string;
  /** Why it guards the state, with a place: "it is read, awaited across and written back under it at src/account.ts:14". */
  readonly evidence: string;
  /** For `wrongLock`: the locks held here instead, comma-separated. */
  readonly held: string;
}

/** The data of `missingRequiredLock`. */
export interface RequiredLockData extends Record<string, string> {
  readonly function: string;
  readonly lock: string;
  /** Where the tag is, `file:line`. */
  readonly declared: string;
}

/** The data of `unknownLock`. */
export interface UnknownLockData extends Record<string, string> {
  /** The tag's declaration. */
  readonly subject: string;
  /** The lock as written. */
  readonly lock: string;
}

const MESSAGE_OF: Readonly<Record<GuardFindingKind, MessageId>> = {
  unguarded: 'unguardedWrite',
  'wrong-lock': 'wrongLock',
  'declared-unguarded': 'declaredUnguarded',
  'missing-required-lock': 'missingRequiredLock',
  'unknown-lock': 'unknownLock',
};

export default createRule<Options, MessageId>({
  name: 'guarded-by',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow writing state outside the lock that guards it (declared with `@guardedBy`, or inferred)',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    messages: {
      unguardedWrite:
        "'{{state}}' is written here without holding '{{lock}}', the lock that guards it ({{evidence}}): a task or thread holding '{{lock}}' may be between its read and its write-back, and erases this write or has its own erased. Hold '{{lock}}' here.",
      wrongLock:
        "'{{state}}' is written here under '{{held}}', but '{{lock}}' guards it ({{evidence}}): different locks do not exclude each other. Hold '{{lock}}' here.",
      declaredUnguarded: "'{{state}}' is declared '@guardedBy {{lock}}' ({{evidence}}), but it is written here without holding '{{lock}}'.",
      missingRequiredLock: "'{{function}}' is declared '@requiresLock {{lock}}' ({{declared}}), but it is called here without holding '{{lock}}'.",
      unknownLock: "'{{lock}}' in the guard tag of '{{subject}}' names no lock: write a field of the same class (`#mutex`, `this.lock`) or a variable in scope that holds a lock.",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const program = context.sourceCode.parserServices?.program ?? null;
    const toESTree = context.sourceCode.parserServices?.tsNodeToESTreeNodeMap;
    // Inference needs the whole program and its types; without them the rule has nothing to say.
    if (program === null || toESTree === undefined) return {};
    const settings = resolveSettings(context.settings, context.cwd);
    const fileName = path.resolve(context.cwd, context.physicalFilename);

    return {
      Program(): void {
        const rooted = analysisOfProgram(program, settings);
        const sourceFile = program.getSourceFile(fileName) ?? program.getSourceFiles().find((file) => path.resolve(file.fileName) === fileName);
        if (sourceFile === undefined) return;
        const where = (location: { readonly file: string; readonly line: number }): string => `${displayPath(context.cwd, path.resolve(rooted.root, location.file))}:${location.line}`;
        for (const finding of rooted.analysis.guardedState().findingsIn(sourceFile.fileName)) {
          const node = toESTree.get(finding.node);
          if (node === undefined) continue;
          const messageId = MESSAGE_OF[finding.kind];
          if (finding.kind === 'unknown-lock') {
            const data: UnknownLockData = { subject: finding.subject, lock: finding.lock };
            context.report({ node, messageId, data });
          } else if (finding.kind === 'missing-required-lock') {
            const data: RequiredLockData = { function: finding.subject, lock: finding.lock, declared: finding.evidence === undefined ? 'its JSDoc' : where(finding.evidence.location) };
            context.report({ node, messageId, data });
          } else {
            const data: GuardData = { state: finding.subject, lock: finding.lock, evidence: evidenceText(finding, where), held: (finding.heldInstead ?? []).join(', ') };
            context.report({ node, messageId, data });
          }
        }
      },
    } satisfies TSESLint.RuleListener;
  },
});

function evidenceText(finding: GuardFinding, where: (location: { readonly file: string; readonly line: number }) => string): string {
  const evidence = finding.evidence;
  if (evidence === undefined) return 'declared';
  switch (evidence.how) {
    case 'declared':
      return `at ${where(evidence.location)}`;
    case 'written-under':
      return `it is written under it at ${where(evidence.location)}`;
    case 'write-back-under':
      return `it is read, awaited across and written back under it at ${where(evidence.location)}`;
  }
}
