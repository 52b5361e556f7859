/**
 * Lock classes, named as `lockstep` names declarations (packages/analyzer/src/model/lock-identity.ts):
 * every lock created by one line of source is one class, as in lockdep, and the class's id is the
 * static analysis's id of what that line declares, so both tools speak of the same lock:
 *
 * - `const paymentsLock = new Lock()` at a file's top level: `src/payments.ts#paymentsLock`;
 * - the same inside a named function `f`: `src/file.ts#f.x` (inside an anonymous one: `src/file.ts#x`);
 * - a class field `refreshLock = new Lock()` / `#lock = new Lock()`, or `this.lock = new Lock()` in a
 *   constructor or method: `src/rates.ts#ExchangeRates.refreshLock` (one class for every instance);
 * - a property of an object literal `const locks = { orders: new Lock() }`: `src/file.ts#locks.orders`.
 *
 * Anything else is named after where it was created, `src/file.ts:12:5`. Paths are relative to the
 * validator's `root`. The class comes from the stack frame (`new ExchangeRates`, `ExchangeRates.init`)
 * or, for a static field, from the nearest `class X` above the line.
 */
import { functionNameOf, type Frame } from './stack-frames.js';
import { relativeTo, resolveRelative, sourceLine, sourceLines } from './source-files.js';
import type { ValidationLocation } from './report.js';

/** A class's id and display name, and where its first instance was created. */
export interface ClassName {
  readonly id: string;
  readonly name: string;
  readonly declaredAt?: ValidationLocation;
}

const IDENTIFIER = '[A-Za-z_$][\\w$]*';
const VARIABLE = new RegExp(`\\b(?:const|let|var)\\s+(${IDENTIFIER})\\s*(?::[^=]*)?=\\s*$`);
/** A later declarator of one declaration, after its keyword: `, b =` of `const a = new Lock(), b = new Lock()`. */
function laterDeclarator(name: string): string {
  return `[^;]*,\\s*${name}\\s*(?::[^=,]*)?=`;
}
const LATER_DECLARATOR = new RegExp(`\\b(?:const|let|var)\\s${laterDeclarator(`(${IDENTIFIER})`)}\\s*$`);
const FIELD = new RegExp(`(?:^|[\\s;{])(?:(?:public|private|protected|readonly|static|declare|override|accessor)\\s+)*(#?${IDENTIFIER})\\s*[!?]?\\s*(?::[^=]*)?=\\s*$`);
const THIS_FIELD = new RegExp(`\\bthis\\.(#?${IDENTIFIER})\\s*=\\s*$`);
const PROPERTY = new RegExp(`(?:^|[\\s{,])(${IDENTIFIER}|'[^']*'|"[^"]*")\\s*:\\s*$`);
const OBJECT_START = new RegExp(`\\b(?:const|let|var)\\s+(${IDENTIFIER})\\s*(?::[^=]*)?=\\s*\\{`);
const CLASS = new RegExp(`\\bclass\\s+(${IDENTIFIER})`);
/** What is left of the call before the frame's column: `new `, `Lock.`, `lockstep.Lock.`. */
const CALLEE = /(?:new\s+)?(?:[\w$]+\s*\.\s*)*(?:new\s+)?$/;

/**
 * Names the class of a lock created at `frames[0]` (the first frame outside the primitives), the
 * frames after it telling which function and class that code runs in.
 *
 * @param frames the creation stack from its first user frame outward
 */
export function nameFromCreation(frames: readonly Frame[], root: string): ClassName | undefined {
  const site = frames[0];
  if (site === undefined) return undefined;
  const file = relativeTo(root, site.file);
  const declaredAt = { file, line: site.line, column: site.column };
  const before = textBefore(site);
  if (before === undefined) return undefined;

  const variable = VARIABLE.exec(before)?.[1] ?? LATER_DECLARATOR.exec(before)?.[1];
  if (variable !== undefined) {
    const owner = functionNameOf(site, frames[1]);
    const local = owner !== '<module>' && owner !== '<anonymous>' && !owner.startsWith('<');
    return local
      ? { id: `${file}#${owner}.${variable}`, name: `${variable} (local to ${owner})`, declaredAt }
      : { id: `${file}#${variable}`, name: variable, declaredAt };
  }
  const member = THIS_FIELD.exec(before)?.[1] ?? (isInitializer(site) ? FIELD.exec(before)?.[1] : undefined);
  if (member !== undefined) {
    const owner = classOf(frames, site);
    if (owner !== undefined) return { id: `${file}#${owner}.${member}`, name: `${owner}.${member}`, declaredAt };
  }
  const property = PROPERTY.exec(before)?.[1];
  if (property !== undefined) {
    const holder = objectHolder(site);
    if (holder !== undefined) {
      const key = property.startsWith("'") || property.startsWith('"') ? property.slice(1, -1) : property;
      return { id: `${file}#${holder}.${key}`, name: `${holder}.${key}`, declaredAt };
    }
  }
  return undefined;
}

/** The fallback: a class per creation site, `file:line:column`. */
export function nameFromSite(frame: Frame | undefined, root: string): ClassName {
  if (frame === undefined) return { id: 'unknown', name: 'a lock created outside any source file' };
  const file = relativeTo(root, frame.file);
  const id = `${file}:${frame.line}:${frame.column}`;
  return { id, name: `lock created at ${id}`, declaredAt: { file, line: frame.line, column: frame.column } };
}

/** The source before the call at `site`, joined with the line above when the call starts its line. */
function textBefore(site: Frame): string | undefined {
  const line = sourceLine(site.file, site.line);
  if (line === undefined) return undefined;
  let before = line.slice(0, Math.max(0, site.column - 1)).replace(CALLEE, '');
  if (before.trim() === '' && site.line > 1) before = `${sourceLine(site.file, site.line - 1) ?? ''} `;
  return before;
}

/**
 * Field initialisers run in V8's `<instance_members_initializer>`, static ones in `<static_initializer>`;
 * compiled without native fields (esbuild, older targets) they run in the constructor (`new X`), while
 * the source line still reads `readonly lock = new Lock()`.
 */
function isInitializer(site: Frame): boolean {
  const fn = site.fn ?? '';
  // Some stack formatters (vitest's) prefix the class: `Pool.<instance_members_initializer>`.
  return fn.endsWith('<instance_members_initializer>') || fn.endsWith('<static_initializer>') || fn.startsWith('new ');
}

/** The class whose code `site` is: from `new X` or `X.method`, else the nearest `class X` above. */
function classOf(frames: readonly Frame[], site: Frame): string | undefined {
  for (const frame of frames.slice(0, 2)) {
    const fn = frame.fn;
    // A static initialiser's receiver is the class itself, which a formatter may call `Function`.
    if (fn === undefined || fn.startsWith('<') || fn.endsWith('<static_initializer>')) continue;
    if (fn.startsWith('new ')) return fn.slice(4);
    const dot = fn.lastIndexOf('.');
    if (dot > 0 && frame === site) return fn.slice(0, dot).replace(/^async /, '');
  }
  const lines = sourceLines(site.file);
  for (let index = site.line - 1; lines !== undefined && index >= 0; index--) {
    const name = CLASS.exec(lines[index] ?? '')?.[1];
    if (name !== undefined) return name;
  }
  return undefined;
}

/** `const locks = {` a few lines above a property: the object's variable. */
function objectHolder(site: Frame): string | undefined {
  const lines = sourceLines(site.file);
  for (let index = site.line - 1; lines !== undefined && index >= Math.max(0, site.line - 50); index--) {
    const line = index === site.line - 1 ? (lines[index] ?? '').slice(0, site.column - 1) : (lines[index] ?? '');
    const holder = OBJECT_START.exec(line)?.[1];
    if (holder !== undefined) return holder;
    if (/[;}]\s*$/.test(line) && index !== site.line - 1) return undefined;
  }
  return undefined;
}

/** The receiver of the method call at a frame: `this.mutex`, `this.#lock`, `paymentsMutex`, `locks.orders`. */
const RECEIVER = new RegExp(`(?:^|[^\\w$.#])((?:this\\s*\\.\\s*)?#?${IDENTIFIER}(?:\\s*\\.\\s*#?${IDENTIFIER})*)\\s*\\.\\s*$`);

/**
 * Names the class of a lock whose creation the validator did not see (another library's, such as an
 * async-mutex `Mutex`, or one made before it was on) from where it is used: the receiver of the call
 * at `frames[0]`, resolved as `lockstep` resolves it — `this.mutex` in a class `C` is `C.mutex`; a name
 * declared in the file at its top level (`const paymentsMutex = new Mutex()`) is that module variable,
 * one imported by a relative path (`import { paymentsMutex } from './locks.js'`) the exporting file's;
 * `locks.orders` of a top-level object literal is `locks.orders`. `undefined` for anything else (a
 * parameter, a local, a call's result), which falls back to the site.
 */
export function nameFromUse(frames: readonly Frame[], root: string): ClassName | undefined {
  const site = frames[0];
  if (site === undefined) return undefined;
  const line = sourceLine(site.file, site.line);
  if (line === undefined) return undefined;
  let before = line.slice(0, Math.max(0, site.column - 1));
  // `mutex\n  .runExclusive(…)`: the receiver ends the line above.
  if (/^\s*\.\s*$/.test(before) && site.line > 1) before = `${sourceLine(site.file, site.line - 1) ?? ''}.`;
  const receiver = RECEIVER.exec(before)?.[1]?.replace(/\s+/g, '');
  if (receiver === undefined) return undefined;
  const parts = receiver.split('.');
  if (parts[0] === 'this') {
    if (parts.length !== 2) return undefined;
    const owner = classOf(frames, site);
    const member = parts[1]!;
    const file = relativeTo(root, site.file);
    return owner === undefined ? undefined : { id: `${file}#${owner}.${member}`, name: `${owner}.${member}` };
  }
  const [head, ...path] = parts;
  if (head === undefined || path.length > 1) return undefined;
  const declaring = declaringFile(site.file, head);
  if (declaring === undefined) return undefined;
  const file = relativeTo(root, declaring.file);
  const name = [declaring.name, ...path].join('.');
  return { id: `${file}#${name}`, name, ...(declaring.line === undefined ? {} : { declaredAt: { file, line: declaring.line, column: 1 } }) };
}

/** Where the module-level `name` used in `file` is declared: the file itself or a relative import's source. */
function declaringFile(file: string, name: string, depth = 0): { readonly file: string; readonly name: string; readonly line?: number } | undefined {
  const lines = sourceLines(file);
  if (lines === undefined || depth > 3) return undefined;
  // The first declarator, or a later one of the same declaration (`const a = new Mutex(), m = new Mutex()`).
  const declaration = new RegExp(`^(?:export\\s+)?(?:const|let|var)\\s+(?:${escape(name)}\\b|${laterDeclarator(escape(name))})`);
  const index = lines.findIndex((text) => declaration.test(text));
  if (index >= 0) return { file, name, line: index + 1 };
  // `import { a, b as name } from './x.js'` on one line.
  const imported = new RegExp(`^\\s*import\\s*(?:type\\s+)?\\{([^}]*)\\}\\s*from\\s*['"](\\.{1,2}/[^'"]+)['"]`);
  for (const text of lines) {
    const match = imported.exec(text);
    if (match === null) continue;
    for (const specifier of match[1]!.split(',')) {
      const [exported, local] = specifier.trim().split(/\s+as\s+/);
      if ((local ?? exported) !== name || exported === undefined) continue;
      for (const candidate of moduleFiles(file, match[2]!)) {
        const found = declaringFile(candidate, exported, depth + 1);
        if (found !== undefined) return found;
      }
    }
  }
  return undefined;
}

/** The files an import specifier may be: as written, and its TypeScript source (`./x.js` → `./x.ts`). */
function moduleFiles(from: string, specifier: string): string[] {
  const base = resolveRelative(from, specifier);
  const stem = base.replace(/\.(?:[cm]?js|[cm]?ts)$/, '');
  return [base, `${stem}.ts`, `${stem}.mts`, `${stem}.tsx`, `${stem}.js`, `${stem}.mjs`];
}

function escape(text: string): string {
  return text.replace(/[$]/g, '\\$');
}
