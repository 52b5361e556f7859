/**
 * Finding and reading the user's configuration: `lockstep.config.json`, or the `"lockstep"` key of a
 * `package.json`. The validator is written out by hand because what users need from it is a message
 * that names the file and the exact place of the mistake, which a generic schema library words poorly;
 * `lockstep.config.schema.json` states the same rules for editors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG } from './config-model.js';
import type { LockstepConfig, LockTypeConfig } from './config-model.js';
import { JsonSyntaxError, lineAndColumn, parseJson } from './json-source.js';
import type { JsonNode } from './json-source.js';
import type { LockFlavor } from '../model/lock-info.js';
import { refuseSpecialFile, statPath } from '../project/file-kind.js';

/** The dedicated config file's name. */
export const CONFIG_FILE_NAME = 'lockstep.config.json';

/** The key of `package.json` that may hold the configuration instead. */
export const PACKAGE_JSON_KEY = 'lockstep';

/** A configuration file that is missing, unreadable, not JSON, or not a valid configuration. */
export class ConfigError extends Error {
  /** Absolute path of the file at fault. */
  readonly file: string;
  /** The problem without the file name in front (`message` is `<file>: <detail>`), for reports that show the file apart. */
  readonly detail: string;
  /** 1-based line of the problem in the file, when there is one (the value or key at fault). */
  readonly line?: number;
  /** 1-based column, in UTF-16 code units as editors count them. */
  readonly column?: number;

  /**
   * @param displayName the file as the message names it (relative to the current directory when inside it)
   * @param position where the problem is; the message shows it only with `showPosition` (JSON syntax
   *   errors, which have no JSON path to name them by)
   */
  constructor(file: string, displayName: string, detail: string, position?: { line: number; column: number }, showPosition = false) {
    super(
      position === undefined || !showPosition
        ? `${displayName}: ${detail}`
        : // Editors and terminals turn `file:line:column` into a link.
          `${displayName}:${position.line}:${position.column}: ${detail}`,
    );
    this.name = 'ConfigError';
    this.file = file;
    this.detail = detail;
    if (position !== undefined) {
      this.line = position.line;
      this.column = position.column;
    }
  }
}

/**
 * The configuration file that applies in `cwd`: the nearest `lockstep.config.json` or `package.json`
 * with a `"lockstep"` key, looking in `cwd` then each parent. In one directory `lockstep.config.json`
 * wins. The walk ends at the filesystem root or after the first directory holding `.git` (the
 * repository root), so a checkout never picks up a config from outside it.
 */
export function findConfig(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    const configFile = path.join(dir, CONFIG_FILE_NAME);
    // Anything but a directory by that name is the config, so that a FIFO or a device called
    // lockstep.config.json is refused by loadConfig with an error naming it, rather than skipped (or,
    // opened, blocking forever).
    if (isConfigCandidate(configFile)) return configFile;
    const packageJson = path.join(dir, 'package.json');
    if (isFile(packageJson) && hasLockstepKey(packageJson)) return packageJson;
    if (pathExists(path.join(dir, '.git'))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Directory the search starts from and `configFile` is relative to. */
  readonly cwd: string;
  /** An explicit file (`--config`): must exist. A `package.json` is read through its `"lockstep"` key. */
  readonly configFile?: string;
}

/**
 * Reads and validates the configuration: `configFile` when given, else the one {@link findConfig}
 * finds, else {@link DEFAULT_CONFIG}. Missing settings take their defaults (flavor `mutex`, empty
 * method lists and `exclude`, `nameFallback: true`); a `module` starting with `.` becomes an absolute
 * path (relative to the config file), a package name stays as written. `exclude` globs stay as written:
 * they are relative to the directory of `configFile`.
 *
 * @throws {ConfigError} when the file is missing, unreadable, not JSON or not a valid configuration.
 */
export function loadConfig(options: LoadConfigOptions): LockstepConfig {
  const cwd = path.resolve(options.cwd);
  let file: string;
  if (options.configFile === undefined) {
    const found = findConfig(cwd);
    if (found === undefined) return DEFAULT_CONFIG;
    file = found;
  } else {
    file = path.resolve(cwd, options.configFile);
  }
  const displayName = relativeName(cwd, file);
  const fail = (detail: string, position?: { line: number; column: number }, showPosition = false): never => {
    throw new ConfigError(file, displayName, detail, position, showPosition);
  };

  const { stat, error } = statPath(file);
  if (error !== undefined) return fail(`cannot read the file (${systemErrorText(error)})`);
  if (stat === undefined) return fail('config file not found');
  if (stat.isDirectory()) return fail('is a directory, not a config file');
  // Never open a FIFO or a device: reading one blocks until someone writes to it, or never ends.
  const special = refuseSpecialFile(file);
  if (special !== undefined) return fail(special);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`cannot read the file (${systemErrorText(error)})`);
  }

  let root: JsonNode;
  try {
    root = parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return fail(`invalid JSON: ${error.message}`, lineAndColumn(text, error.offset), true);
  }

  const validator = new Validator(text, fail);
  if (path.basename(file) !== 'package.json') return validator.config(root, [], file);
  if (root.kind !== 'object') return fail('package.json must hold a JSON object');
  // As JSON.parse does (and so npm), the last of duplicate keys counts.
  const section = root.members.findLast((member) => member.key === PACKAGE_JSON_KEY);
  if (section === undefined) return fail(`no "${PACKAGE_JSON_KEY}" key`);
  return validator.config(section.value, [PACKAGE_JSON_KEY], file);
}

type JsonPath = readonly (string | number)[];

const TOP_LEVEL_KEYS = ['$schema', 'lockTypes', 'exclude', 'nameFallback'] as const;
const METHOD_ROLES = ['acquire', 'tryAcquire', 'release', 'scoped', 'hold'] as const;
const LOCK_TYPE_KEYS = ['name', 'module', 'flavor', ...METHOD_ROLES] as const;
const FLAVORS: readonly LockFlavor[] = ['mutex', 'reentrant', 'semaphore'];
/** Roles that take the lock; a lock type needs at least one, or nothing it does is ever seen. */
const TAKING_ROLES = ['acquire', 'tryAcquire', 'scoped', 'hold'] as const;

type MethodRole = (typeof METHOD_ROLES)[number];

/** Turns a parsed document into a {@link LockstepConfig}, failing on the first thing that is wrong. */
class Validator {
  readonly #text: string;
  readonly #fail: (detail: string, position?: { line: number; column: number }) => never;

  constructor(text: string, fail: (detail: string, position?: { line: number; column: number }) => never) {
    this.#text = text;
    this.#fail = fail;
  }

  config(node: JsonNode, at: JsonPath, file: string): LockstepConfig {
    const members = this.#object(node, at, TOP_LEVEL_KEYS, at.length === 0 ? 'the configuration must be a JSON object' : undefined);
    let lockTypes: LockTypeConfig[] = [];
    let exclude: string[] = [];
    let nameFallback = DEFAULT_CONFIG.nameFallback;
    for (const [key, value] of members) {
      const here = [...at, key];
      switch (key) {
        case '$schema':
          if (value.kind !== 'string') this.#error(value, `${formatPath(here)} must be a string`);
          break;
        case 'lockTypes':
          if (value.kind !== 'array') return this.#error(value, `${formatPath(here)} must be an array of lock types`);
          lockTypes = value.items.map((item, index) => this.#lockType(item, [...here, index], file));
          break;
        case 'exclude':
          exclude = this.#strings(value, here, 'an array of glob patterns', 'a glob pattern');
          exclude.forEach((pattern, index) => {
            // fast-glob's ignore list has no negation, so a `!` pattern would silently match nothing.
            if (pattern.startsWith('!')) {
              this.#error(itemAt(value, index), `${formatPath([...here, index])} must not start with "!" (negated patterns are not supported)`);
            }
          });
          break;
        case 'nameFallback':
          if (value.kind !== 'boolean') return this.#error(value, `${formatPath(here)} must be true or false`);
          nameFallback = value.value;
          break;
      }
    }
    return { lockTypes, exclude, nameFallback, configFile: file };
  }

  #lockType(node: JsonNode, at: JsonPath, file: string): LockTypeConfig {
    const members = this.#object(node, at, LOCK_TYPE_KEYS);
    const nameNode = members.get('name');
    if (nameNode === undefined) return this.#error(node, `${formatPath([...at, 'name'])} is required (the class or interface name)`);
    const name = this.#name(nameNode, [...at, 'name'], 'a string (the class or interface name)');
    let module: string | undefined;
    const moduleNode = members.get('module');
    if (moduleNode !== undefined) {
      module = this.#name(moduleNode, [...at, 'module'], 'a string (a package name or a path relative to the config file)');
      // Relative paths are the config file's, not the current directory's: resolve them while we know it.
      if (module.startsWith('.')) module = path.resolve(path.dirname(file), module);
    }
    let flavor: LockFlavor = 'mutex';
    const flavorNode = members.get('flavor');
    if (flavorNode !== undefined) {
      const found = flavorNode.kind === 'string' ? FLAVORS.find((candidate) => candidate === flavorNode.value) : undefined;
      if (found === undefined) {
        this.#error(
          flavorNode,
          `${formatPath([...at, 'flavor'])} must be one of ${FLAVORS.map((candidate) => `"${candidate}"`).join(', ')} (got ${describe(flavorNode)})`,
        );
      }
      flavor = found;
    }

    const methods = {} as Record<MethodRole, string[]>;
    const roleOf = new Map<string, MethodRole>();
    for (const role of METHOD_ROLES) {
      const listNode = members.get(role);
      const names = listNode === undefined ? [] : this.#strings(listNode, [...at, role], 'an array of method names', 'a method name');
      names.forEach((method, index) => {
        const earlier = roleOf.get(method);
        // The lock model maps each method to one role; a second role would silently replace the first.
        if (earlier !== undefined && earlier !== role && listNode !== undefined) {
          this.#error(
            itemAt(listNode, index),
            `${formatPath([...at, role, index])} ("${method}") is already listed in ${formatPath([...at, earlier])}: a method has one role`,
          );
        }
        roleOf.set(method, role);
      });
      methods[role] = names;
    }
    if (TAKING_ROLES.every((role) => methods[role].length === 0)) {
      this.#error(
        node,
        `${formatPath(at)} ("${name}") has no method that takes the lock: list at least one in acquire, tryAcquire, scoped or hold`,
      );
    }
    return { name, ...(module === undefined ? {} : { module }), flavor, ...methods };
  }

  /** Checks `node` is an object with only `allowed` keys, each once; returns its members by key. */
  #object(node: JsonNode, at: JsonPath, allowed: readonly string[], notObjectMessage?: string): Map<string, JsonNode> {
    if (node.kind !== 'object') return this.#error(node, notObjectMessage ?? `${formatPath(at)} must be an object`);
    const where = at.length === 0 ? '' : ` in ${formatPath(at)}`;
    const members = new Map<string, JsonNode>();
    for (const member of node.members) {
      if (members.has(member.key)) this.#errorAt(member.keyOffset, `duplicate key "${member.key}"${where}`);
      if (!allowed.includes(member.key)) {
        const suggestion = closest(member.key, allowed);
        const hint =
          suggestion === undefined
            ? `(expected ${allowed.map((key) => `"${key}"`).join(', ')})`
            : `(did you mean "${suggestion}"?)`;
        this.#errorAt(member.keyOffset, `unknown key "${member.key}"${where} ${hint}`);
      }
      members.set(member.key, member.value);
    }
    return members;
  }

  /** An array of names: strings, none empty or padded with spaces. */
  #strings(node: JsonNode, at: JsonPath, whatArray: string, whatItem: string): string[] {
    if (node.kind !== 'array') return this.#error(node, `${formatPath(at)} must be ${whatArray}`);
    return node.items.map((item, index) => this.#name(item, [...at, index], `${whatItem} (a string)`));
  }

  #name(node: JsonNode, at: JsonPath, what: string): string {
    if (node.kind !== 'string') return this.#error(node, `${formatPath(at)} must be ${what}`);
    if (node.value.trim() === '') return this.#error(node, `${formatPath(at)} must not be empty`);
    // `" JobLock"` would never match a declaration, and nothing would say why.
    if (node.value.trim() !== node.value) return this.#error(node, `${formatPath(at)} must not start or end with spaces`);
    return node.value;
  }

  #error(node: JsonNode, detail: string): never {
    return this.#errorAt(node.offset, detail);
  }

  #errorAt(offset: number, detail: string): never {
    return this.#fail(detail, lineAndColumn(this.#text, offset));
  }
}

function itemAt(node: JsonNode, index: number): JsonNode {
  return (node.kind === 'array' ? node.items[index] : undefined) ?? node;
}

/** `lockTypes[1].acquire`, with keys that are not identifiers quoted: `lockTypes[0]["my key"]`. */
function formatPath(segments: JsonPath): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function describe(node: JsonNode): string {
  switch (node.kind) {
    case 'string':
      return JSON.stringify(node.value.length > 40 ? `${node.value.slice(0, 40)}…` : node.value);
    case 'number':
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
  }
}

/** The allowed key a typo most likely meant: case-insensitive edit distance within a third of its length. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function isFile(file: string): boolean {
  return statPath(file).stat?.isFile() ?? false;
}

/** Something is there (a file, a FIFO, a directory…), or it cannot be looked at (EACCES, ELOOP). */
function pathExists(file: string): boolean {
  const { stat, error } = statPath(file);
  return stat !== undefined || error !== undefined;
}

/** Something other than a directory is there, or it cannot be looked at: loadConfig says which. */
function isConfigCandidate(file: string): boolean {
  const { stat, error } = statPath(file);
  return error !== undefined || (stat !== undefined && !stat.isDirectory());
}

function hasLockstepKey(packageJson: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(packageJson, 'utf8');
  } catch {
    return false;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.hasOwn(parsed, PACKAGE_JSON_KEY);
  } catch {
    // A broken package.json that looks like it holds our key is ours to report, not to skip.
    return new RegExp(`"${PACKAGE_JSON_KEY}"\\s*:`).test(text);
  }
}

/** `EACCES: permission denied`, without the system call and path Node appends (the message already names the file). */
function systemErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, \w+(?: '.*')?$/s, '');
}

/** `file` relative to `cwd` with `/` separators when inside it, else absolute. */
function relativeName(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return file;
  return relative.split(path.sep).join('/');
}
