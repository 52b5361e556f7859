/**
 * The analyzer's lock recogniser as the per-file rules use it: one per type checker and settings,
 * shared by every rule and file of a lint run, and the enclosing signature it binds parameters with.
 */
import { LockIdentityResolver, LockRecognizer, lockTypesWith } from '@lockstep/analyzer';
import ts from 'typescript';
import type { ResolvedSettings } from './settings.js';

const recognizers = new WeakMap<ts.TypeChecker, Map<string, LockRecognizer>>();

/**
 * The recogniser for a program's checker, with the built-in catalog, the user's `lockTypes` and the
 * name fallback. `cwd` roots lock identities (`src/a.ts#lock`), as in the analyzer's reports.
 */
export function recognizerFor(checker: ts.TypeChecker, settings: ResolvedSettings, cwd: string): LockRecognizer {
  let byKey = recognizers.get(checker);
  if (byKey === undefined) recognizers.set(checker, (byKey = new Map<string, LockRecognizer>()));
  const key = `${cwd}\0${settings.key}`;
  let recognizer = byKey.get(key);
  if (recognizer === undefined) {
    recognizer = new LockRecognizer(checker, new LockIdentityResolver(checker, cwd), { lockTypes: lockTypesWith(settings.lockTypes), nameFallback: true });
    byKey.set(key, recognizer);
  }
  return recognizer;
}

/** The function a TypeScript node is in, for the recogniser to bind parameters: undefined at top level. */
export function enclosingSignature(node: ts.Node): ts.SignatureDeclaration | undefined {
  for (let current: ts.Node | undefined = node.parent; current !== undefined; current = current.parent) {
    if (ts.isFunctionLike(current)) return current;
  }
  return undefined;
}
