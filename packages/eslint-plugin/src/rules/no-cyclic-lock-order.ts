/**
 * `no-cyclic-lock-order`: the lock-order cycles of the `lockstep` report, shown where they are made,
 * and its nested instances of one lock class (a cycle within one class: `transfer(a, b)` against
 * `transfer(b, a)`), shown at the second acquisition.
 * The whole program's lock-order graph is needed to see a cycle whose edges lie in different files,
 * so the rule asks the analyzer once per program (see util/program-analysis.ts) and each file only
 * looks up the acquisition sites that lie in it.
 */
import path from 'node:path';
import { fixSite } from '@lockstep/analyzer';
import type { Finding, ProgramAnalysis } from '@lockstep/analyzer';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../util/create-rule.js';
import { displayPath, eslintLocation, sitesInLintedFile } from '../util/finding-sites.js';
import type { SitesByFile } from '../util/finding-sites.js';
import type { RootedAnalysis } from '../util/program-analysis.js';

/** The rule takes no options. */
export type Options = [];

export type MessageId =
  /** A cycle of mutexes or reentrant locks: two contexts are enough to deadlock. */
  | 'cyclicLockOrder'
  /** A cycle through a counting semaphore: it deadlocks once enough contexts hold its permits. */
  | 'cyclicSemaphoreOrder'
  /** As `cyclicLockOrder`, with a lock on the cycle recognised by its name only. */
  | 'cyclicLockOrderGuessed'
  /** As `cyclicSemaphoreOrder`, with a lock on the cycle recognised by its name only. */
  | 'cyclicSemaphoreOrderGuessed'
  /** A second instance of a lock class taken while another instance is held (lockdep's recursive locking). */
  | 'nestedLockInstances'
  /** As `nestedLockInstances`, with the lock recognised by its name only. */
  | 'nestedLockInstancesGuessed';

/** The report data every message of the rule takes. */
export interface CycleData extends Record<string, string> {
  /** The lock taken at the reported site. */
  readonly lock: string;
  /** The lock held when it is taken (the previous lock of the cycle). */
  readonly held: string;
  /** The cycle starting at `held`: `a → b → a`. */
  readonly cycle: string;
  /**
   * The cycle's other acquisition sites as `file:line`, comma-separated, following the cycle from here;
   * paths are relative to ESLint's working directory.
   */
  readonly others: string;
}

/** The data of `nestedLockInstances`. */
export interface NestedInstancesData extends Record<string, string> {
  /** The lock class. */
  readonly lock: string;
  /** Where the other instance was taken, `file:line`, relative to ESLint's working directory. */
  readonly first: string;
}

interface NestedReport {
  readonly messageId: MessageId;
  readonly loc: TSESTree.SourceLocation;
  readonly lock: string;
  /** Absolute: the message shows it relative to ESLint's cwd. */
  readonly firstFile: string;
  readonly firstLine: number;
}

interface SiteReport {
  readonly messageId: MessageId;
  readonly loc: TSESTree.SourceLocation;
  readonly data: Omit<CycleData, 'others'>;
  /** The cycle's other sites, absolute paths: the message shows them relative to ESLint's cwd. */
  readonly others: readonly { readonly file: string; readonly line: number }[];
}

const CYCLE_KINDS: ReadonlySet<Finding['kind']> = new Set(['lock-order-cycle', 'semaphore-cycle']);

// Built once per analysis (see sitesInLintedFile), so each linted file costs one map lookup.
const sitesByAnalysis = new WeakMap<ProgramAnalysis, SitesByFile<SiteReport | NestedReport>>();

const NESTED = "A second '{{lock}}' is acquired here while this context holds another one (taken at {{first}}): two contexts nesting two instances in opposite orders deadlock. Take them in one order (by a key or an id) and mark the nesting with a '// lockstep-ordered: <how>' comment.";

export default createRule<Options, MessageId>({
  name: 'no-cyclic-lock-order',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow acquiring locks in an order that closes a cycle in the lock-order graph',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    messages: {
      cyclicLockOrder:
        "Acquiring '{{lock}}' while holding '{{held}}' closes the lock-order cycle {{cycle}}: contexts taking these locks in the other order can deadlock. The cycle's other acquisitions are at {{others}}.",
      cyclicSemaphoreOrder:
        "Acquiring '{{lock}}' while holding '{{held}}' closes the cycle {{cycle}} through a counting semaphore: it deadlocks once enough contexts hold its permits while waiting along the cycle. The cycle's other acquisitions are at {{others}}.",
      cyclicLockOrderGuessed:
        "Acquiring '{{lock}}' while holding '{{held}}' closes the lock-order cycle {{cycle}}: contexts taking these locks in the other order can deadlock. The cycle's other acquisitions are at {{others}}. Some of these locks were recognised by their names only (no type information), so this is a guess.",
      nestedLockInstances: NESTED,
      nestedLockInstancesGuessed: `${NESTED} The lock was recognised by its name only (no type information), so this is a guess.`,
      cyclicSemaphoreOrderGuessed:
        "Acquiring '{{lock}}' while holding '{{held}}' closes the cycle {{cycle}} through a counting semaphore: it deadlocks once enough contexts hold its permits while waiting along the cycle. The cycle's other acquisitions are at {{others}}. Some of these locks were recognised by their names only (no type information), so this is a guess.",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const sites = sitesInLintedFile(context, sitesByAnalysis, sitesOf);

    return {
      Program(): void {
        for (const site of sites) {
          if ('firstFile' in site) {
            const data: NestedInstancesData = { lock: site.lock, first: `${displayPath(context.cwd, site.firstFile)}:${site.firstLine}` };
            context.report({ loc: site.loc, messageId: site.messageId, data });
            continue;
          }
          const others = site.others.map(({ file, line }) => `${displayPath(context.cwd, file)}:${line}`).join(', ');
          context.report({ loc: site.loc, messageId: site.messageId, data: { ...site.data, others } });
        }
      },
    } satisfies TSESLint.RuleListener;
  },
});

/**
 * Every acquisition site of every cycle finding, by absolute file. A site that closes several edges of
 * one cycle (a loop taking each fork in turn, a helper given the locks as parameters) is reported once,
 * for the first edge it closes; its other sites are then the cycle's other places, or itself when all of
 * the cycle's acquisitions are made there.
 */
function sitesOf(rooted: RootedAnalysis): SitesByFile<SiteReport | NestedReport> {
  const { analysis, root } = rooted;
  const nameOf = (id: string): string => analysis.locks.get(id)?.name ?? id;
  const sites = new Map<string, (SiteReport | NestedReport)[]>();
  for (const finding of analysis.findings) {
    if (finding.kind === 'recursive-locking') {
      const step = finding.steps[0];
      if (step === undefined) continue;
      const place = fixSite(step.witness);
      const file = path.resolve(root, place.file);
      const report: NestedReport = {
        messageId: finding.guessed ? 'nestedLockInstancesGuessed' : 'nestedLockInstances',
        loc: eslintLocation(place),
        lock: nameOf(step.to),
        firstFile: path.resolve(root, step.witness.held.location.file),
        firstLine: step.witness.held.location.line,
      };
      let list = sites.get(file);
      if (list === undefined) sites.set(file, (list = []));
      list.push(report);
      continue;
    }
    if (!CYCLE_KINDS.has(finding.kind)) continue;
    const messageId = messageIdOf(finding);
    const names = finding.locks.map(nameOf);
    const places = finding.steps.map((step) => ({ file: path.resolve(root, step.witness.acquired.location.file), location: step.witness.acquired.location }));
    const keyOf = (index: number): string => {
      const place = places[index];
      return place === undefined ? '' : `${place.file}:${place.location.line}:${place.location.column}`;
    };
    const reported = new Set<string>();
    finding.steps.forEach((step, index) => {
      const key = keyOf(index);
      if (reported.has(key)) return;
      reported.add(key);
      const place = places[index];
      if (place === undefined) return;
      // Start the cycle at the lock held here, and list the other sites in the order the cycle goes on.
      const rotated = [...names.slice(index), ...names.slice(0, index)];
      const following = [...places.keys()].slice(index + 1).concat([...places.keys()].slice(0, index));
      const otherKeys = new Set<string>();
      const others: { file: string; line: number }[] = [];
      for (const otherIndex of following) {
        const other = places[otherIndex];
        const otherKey = keyOf(otherIndex);
        if (other === undefined || otherKey === key || otherKeys.has(otherKey)) continue;
        otherKeys.add(otherKey);
        others.push({ file: other.file, line: other.location.line });
      }
      if (others.length === 0) others.push({ file: place.file, line: place.location.line });
      const report: SiteReport = {
        messageId,
        loc: eslintLocation(place.location),
        data: { lock: nameOf(step.to), held: nameOf(step.from), cycle: [...rotated, rotated[0] ?? ''].join(' → ') },
        others,
      };
      let list = sites.get(place.file);
      if (list === undefined) sites.set(place.file, (list = []));
      list.push(report);
    });
  }
  return sites;
}


function messageIdOf(finding: Finding): MessageId {
  if (finding.kind === 'semaphore-cycle') return finding.guessed ? 'cyclicSemaphoreOrderGuessed' : 'cyclicSemaphoreOrder';
  return finding.guessed ? 'cyclicLockOrderGuessed' : 'cyclicLockOrder';
}

