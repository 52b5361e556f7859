/**
 * Declared guards, after Clang's thread-safety attributes: `@guardedBy <lock>` in the JSDoc of a
 * field or variable (`GUARDED_BY`: written only with the lock held), and `@requiresLock <lock>` in the
 * JSDoc of a function or method (`REQUIRES`: called only with the lock held). `<lock>` names a field
 * of the same class (`#mutex`, `mutex`, `this.#mutex`) or a variable in scope (`accountsLock`, an
 * import), resolved to the identity the lock-order analysis gives that lock.
 */
import ts from 'typescript';
import type { LockIdentityResolver } from '../model/lock-identity.js';
import { locationOf, type SourceLocation } from '../model/source-location.js';

export type GuardTag = 'guardedBy' | 'requiresLock';

/** One tag, resolved or not. */
export interface GuardAnnotation {
  readonly tag: GuardTag;
  /** The field, variable or function the tag is on. */
  readonly declaration: ts.Node;
  /** The lock as written in the tag. */
  readonly written: string;
  /** The lock's identity, when the name resolves to a field or variable. */
  readonly lock?: { readonly id: string; readonly name: string };
  /** The tag itself. */
  readonly location: SourceLocation;
}

const TAG_NAMES: ReadonlySet<string> = new Set(['guardedBy', 'requiresLock']);

/** Every `@guardedBy` and `@requiresLock` tag in `files`; files that mention neither cost a text search. */
export function findGuardAnnotations(files: readonly ts.SourceFile[], checker: ts.TypeChecker, identity: LockIdentityResolver, root: string): readonly GuardAnnotation[] {
  const found: GuardAnnotation[] = [];
  for (const file of files) {
    if (!file.text.includes('@guardedBy') && !file.text.includes('@requiresLock')) continue;
    const visit = (node: ts.Node): void => {
      if (isAnnotatable(node)) {
        for (const tag of ts.getJSDocTags(node)) {
          const name = tag.tagName.text;
          if (!TAG_NAMES.has(name)) continue;
          const written = (ts.getTextOfJSDocComment(tag.comment) ?? '').trim().split(/\s+/)[0] ?? '';
          const lock = written === '' ? undefined : resolveLock(written, node, checker, identity);
          found.push({ tag: name as GuardTag, declaration: node, written, ...(lock === undefined ? {} : { lock }), location: locationOf(tag, root) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

/** Declarations a tag may be on: fields and variables (`@guardedBy`), functions (`@requiresLock`). */
function isAnnotatable(node: ts.Node): boolean {
  return (
    ts.isPropertyDeclaration(node) ||
    ts.isVariableDeclaration(node) ||
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    (ts.isParameter(node) && ts.isConstructorDeclaration(node.parent))
  );
}

function resolveLock(written: string, at: ts.Node, checker: ts.TypeChecker, identity: LockIdentityResolver): { id: string; name: string } | undefined {
  const name = written.replace(/^this\./, '');
  const owner = classAround(at);
  if (owner !== undefined) {
    for (const member of owner.members) {
      const memberName = member.name;
      if (memberName === undefined || !(ts.isIdentifier(memberName) || ts.isPrivateIdentifier(memberName))) continue;
      if (memberName.text !== name && memberName.text !== `#${name}`) continue;
      const symbol = checker.getSymbolAtLocation(memberName);
      if (symbol !== undefined) return identity.identityOfDeclaration(symbol);
    }
    const constructor = owner.members.find(ts.isConstructorDeclaration);
    const property = constructor?.parameters.find((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === name && ts.isParameterPropertyDeclaration(parameter, constructor));
    const symbol = property === undefined ? undefined : checker.getSymbolAtLocation(property.name);
    if (symbol !== undefined) return identity.identityOfDeclaration(symbol);
  }
  if (written.startsWith('this.')) return undefined;
  let symbol = checker.getSymbolsInScope(at, ts.SymbolFlags.Variable | ts.SymbolFlags.Alias).find((candidate) => candidate.getName() === name);
  if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0) symbol = checker.getAliasedSymbol(symbol);
  return symbol === undefined ? undefined : identity.identityOfDeclaration(symbol);
}

function classAround(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let current: ts.Node | undefined = node.parent; current !== undefined; current = current.parent) if (ts.isClassLike(current)) return current;
  return undefined;
}
