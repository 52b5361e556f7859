/**
 * `no-double-acquire`: the `lockstep` report's self-deadlocks, shown where the fix goes: at the
 * re-acquisition when it is in the holding function, else at the call the holding function makes while
 * holding the lock (the callee, which takes the lock, is innocent when called without it). The second
 * acquisition may lie several calls below, in another file, so the rule reads the analyzer's
 * whole-program findings (computed once per program, see util/program-analysis.ts) and each file only
 * looks up the sites that lie in it.
 */
import path from 'node:path';
import { fixSite } from '@lockstep/analyzer';
import type { CallStep, Finding, ProgramAnalysis } from '@lockstep/analyzer';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../util/create-rule.js';
import { displayPath, eslintLocation, sitesInLintedFile } from '../util/finding-sites.js';
import type { SitesByFile } from '../util/finding-sites.js';
import type { RootedAnalysis } from '../util/program-analysis.js';

/** The rule takes no options. */
export type Options = [];

export type MessageId =
  /** The held lock is taken again in the function that holds it. */
  | 'doubleAcquire'
  /** The held lock is taken again by a function the holder calls, directly or further down. */
  | 'doubleAcquireThroughCall'
  /** As `doubleAcquire`, with the lock recognised by its name only. */
  | 'doubleAcquireGuessed'
  /** As `doubleAcquireThroughCall`, with the lock recognised by its name only. */
  | 'doubleAcquireThroughCallGuessed';

/** The report data every message of the rule takes. */
export interface DoubleAcquireData extends Record<string, string> {
  /** The lock taken again. */
  readonly lock: string;
  /** Where the lock was first taken, `file:line`, relative to ESLint's working directory. */
  readonly first: string;
  /** The calls from the holder down to the re-acquisition, `a → b → c`; empty when there are none. */
  readonly chain: string;
}

interface SiteReport {
  readonly messageId: MessageId;
  readonly loc: TSESTree.SourceLocation;
  readonly lock: string;
  readonly chain: string;
  /** Absolute: the message shows it relative to ESLint's cwd. */
  readonly firstFile: string;
  readonly firstLine: number;
}

// Built once per analysis (see sitesInLintedFile), so each linted file costs one map lookup.
const sitesByAnalysis = new WeakMap<ProgramAnalysis, SitesByFile<SiteReport>>();

export default createRule<Options, MessageId>({
  name: 'no-double-acquire',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow acquiring a non-reentrant lock again while it is held',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    messages: {
      doubleAcquire:
        "'{{lock}}' is acquired again while this context already holds it (taken at {{first}}): a non-reentrant lock waits for itself forever.",
      doubleAcquireThroughCall:
        "This call, made while holding '{{lock}}' (taken at {{first}}), acquires it again through the calls {{chain}}: a non-reentrant lock waits for itself forever.",
      doubleAcquireGuessed:
        "'{{lock}}' is acquired again while this context already holds it (taken at {{first}}): a non-reentrant lock waits for itself forever. The lock was recognised by its name only (no type information), so this is a guess.",
      doubleAcquireThroughCallGuessed:
        "This call, made while holding '{{lock}}' (taken at {{first}}), acquires it again through the calls {{chain}}: a non-reentrant lock waits for itself forever. The lock was recognised by its name only (no type information), so this is a guess.",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const sites = sitesInLintedFile(context, sitesByAnalysis, sitesOf);

    return {
      Program(): void {
        for (const site of sites) {
          const data: DoubleAcquireData = { lock: site.lock, first: `${displayPath(context.cwd, site.firstFile)}:${site.firstLine}`, chain: site.chain };
          context.report({ loc: site.loc, messageId: site.messageId, data });
        }
      },
    } satisfies TSESLint.RuleListener;
  },
});

/** Every self-deadlock finding's fix site, by absolute file. The analyzer makes one finding per fix site. */
function sitesOf(rooted: RootedAnalysis): SitesByFile<SiteReport> {
  const { analysis, root } = rooted;
  const sites = new Map<string, SiteReport[]>();
  for (const finding of analysis.findings) {
    if (finding.kind !== 'self-deadlock') continue;
    const step = finding.steps[0];
    if (step === undefined) continue;
    const { held, acquired } = step.witness;
    const place = fixSite(step.witness);
    const file = path.resolve(root, place.file);
    const chain = chainOf(acquired.callChain);
    const report: SiteReport = {
      messageId: messageIdOf(finding, chain !== ''),
      loc: eslintLocation(place),
      lock: analysis.locks.get(step.to)?.name ?? step.to,
      chain,
      firstFile: path.resolve(root, held.location.file),
      firstLine: held.location.line,
    };
    let list = sites.get(file);
    if (list === undefined) sites.set(file, (list = []));
    list.push(report);
  }
  return sites;
}

/** `holder → callee → … → re-acquirer`, the functions the lock travels through while held. */
function chainOf(callChain: readonly CallStep[]): string {
  const first = callChain[0];
  if (first === undefined) return '';
  return [first.caller, ...callChain.map((step) => step.callee)].join(' → ');
}

function messageIdOf(finding: Finding, throughCall: boolean): MessageId {
  if (throughCall) return finding.guessed ? 'doubleAcquireThroughCallGuessed' : 'doubleAcquireThroughCall';
  return finding.guessed ? 'doubleAcquireGuessed' : 'doubleAcquire';
}


