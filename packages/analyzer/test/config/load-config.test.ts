/**
 * Config discovery and validation on real files in temporary directories. Every error is asserted by
 * its whole message: the message is the product (it must name the file and the exact JSON path).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/config-model.js';
import { ConfigError, findConfig, loadConfig } from '../../src/config/load-config.js';

const temporaryDirectories: string[] = [];

afterAll(() => {
  for (const directory of temporaryDirectories) fs.rmSync(directory, { recursive: true, force: true });
});

/**
 * A fresh directory holding `files` (paths with `/`, contents as text; a trailing `/` makes a
 * directory). It gets a `.git` so that discovery never wanders into the machine's real directories.
 */
function tree(files: Record<string, string>, options: { git?: boolean } = {}): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-config-')));
  temporaryDirectories.push(root);
  if (options.git !== false) fs.mkdirSync(path.join(root, '.git'));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, ...name.split('/'));
    if (name.endsWith('/')) {
      fs.mkdirSync(file, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  }
  return root;
}

/** The ConfigError `loadConfig` throws for a `lockstep.config.json` holding `text`. */
function errorFor(text: string, fileName = 'lockstep.config.json'): ConfigError {
  const cwd = tree({ [fileName]: text });
  return thrown(() => loadConfig({ cwd }));
}

function thrown(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/** The message for a config whose only lock type is `lockType` (as JSON text). */
function lockTypeError(lockType: string): string {
  return errorFor(`{ "lockTypes": [${lockType}] }`).message;
}

describe('findConfig', () => {
  it('finds lockstep.config.json in the directory itself', () => {
    const root = tree({ 'lockstep.config.json': '{}' });
    expect(findConfig(root)).toBe(path.join(root, 'lockstep.config.json'));
  });

  it('finds lockstep.config.json in an ancestor', () => {
    const root = tree({ 'lockstep.config.json': '{}', 'a/b/c/': '' });
    expect(findConfig(path.join(root, 'a', 'b', 'c'))).toBe(path.join(root, 'lockstep.config.json'));
  });

  it('finds a package.json with a "lockstep" key', () => {
    const root = tree({ 'package.json': '{ "name": "app", "lockstep": {} }', 'src/': '' });
    expect(findConfig(path.join(root, 'src'))).toBe(path.join(root, 'package.json'));
  });

  it('walks past a package.json without the key', () => {
    const root = tree({ 'lockstep.config.json': '{}', 'pkg/package.json': '{ "name": "lockstep" }' });
    expect(findConfig(path.join(root, 'pkg'))).toBe(path.join(root, 'lockstep.config.json'));
  });

  it('prefers lockstep.config.json to package.json in one directory', () => {
    const root = tree({ 'lockstep.config.json': '{}', 'package.json': '{ "lockstep": {} }' });
    expect(findConfig(root)).toBe(path.join(root, 'lockstep.config.json'));
  });

  it('takes the nearest file, whichever kind', () => {
    const root = tree({ 'lockstep.config.json': '{}', 'pkg/package.json': '{ "lockstep": {} }', 'pkg/src/': '' });
    expect(findConfig(path.join(root, 'pkg', 'src'))).toBe(path.join(root, 'pkg', 'package.json'));
  });

  it('stops at the directory holding .git, after looking in it', () => {
    const root = tree({ 'lockstep.config.json': '{}', 'repo/.git/': '', 'repo/src/': '' });
    expect(findConfig(path.join(root, 'repo', 'src'))).toBeUndefined();
    const repo = tree({ 'lockstep.config.json': '{}', 'src/': '' });
    expect(findConfig(path.join(repo, 'src'))).toBe(path.join(repo, 'lockstep.config.json'));
  });

  it('stops at a .git file (a worktree or submodule) too', () => {
    const root = tree({ 'lockstep.config.json': '{}', 'sub/.git': 'gitdir: ../.git/modules/sub', 'sub/src/': '' });
    expect(findConfig(path.join(root, 'sub', 'src'))).toBeUndefined();
  });

  it('finds nothing when there is nothing', () => {
    expect(findConfig(tree({ 'src/': '' }))).toBeUndefined();
  });

  it('ignores a directory named lockstep.config.json', () => {
    const root = tree({ 'lockstep.config.json/': '', 'package.json': '{ "lockstep": {} }' });
    expect(findConfig(root)).toBe(path.join(root, 'package.json'));
  });

  it('returns a broken package.json that mentions the key, so that loading reports it', () => {
    const root = tree({ 'package.json': '{ "lockstep": { "nameFallback": false }, }' });
    expect(findConfig(root)).toBe(path.join(root, 'package.json'));
    expect(thrown(() => loadConfig({ cwd: root })).message).toBe('package.json:1:40: invalid JSON: trailing comma before "}"');
  });

  it('skips a broken package.json that does not mention the key', () => {
    const root = tree({ 'lockstep.config.json': '{}', 'pkg/package.json': '{ "name": ' });
    expect(findConfig(path.join(root, 'pkg'))).toBe(path.join(root, 'lockstep.config.json'));
  });
});

describe('loadConfig: where the configuration comes from', () => {
  it('returns the defaults when there is no config file', () => {
    expect(loadConfig({ cwd: tree({}) })).toBe(DEFAULT_CONFIG);
  });

  it('reads the file findConfig finds, from a subdirectory', () => {
    const root = tree({ 'lockstep.config.json': '{ "nameFallback": false }', 'src/lib/': '' });
    expect(loadConfig({ cwd: path.join(root, 'src', 'lib') })).toEqual({
      lockTypes: [],
      exclude: [],
      nameFallback: false,
      configFile: path.join(root, 'lockstep.config.json'),
    });
  });

  it('reads an explicit file relative to cwd, ignoring discovery', () => {
    const root = tree({ 'lockstep.config.json': '{ "nameFallback": true }', 'config/strict.json': '{ "nameFallback": false }' });
    const config = loadConfig({ cwd: root, configFile: 'config/strict.json' });
    expect(config.nameFallback).toBe(false);
    expect(config.configFile).toBe(path.join(root, 'config', 'strict.json'));
  });

  it('reads the "lockstep" key of package.json', () => {
    const root = tree({ 'package.json': '{ "name": "app", "version": "1.0.0", "lockstep": { "exclude": ["gen/**"] } }' });
    expect(loadConfig({ cwd: root })).toEqual({
      lockTypes: [],
      exclude: ['gen/**'],
      nameFallback: true,
      configFile: path.join(root, 'package.json'),
    });
  });

  it('reads an explicit package.json through its key', () => {
    const root = tree({ 'pkg/package.json': '{ "lockstep": { "nameFallback": false } }' });
    expect(loadConfig({ cwd: root, configFile: 'pkg/package.json' }).nameFallback).toBe(false);
  });

  it('fails on an explicit package.json without the key', () => {
    const root = tree({ 'package.json': '{ "name": "app" }' });
    expect(thrown(() => loadConfig({ cwd: root, configFile: 'package.json' })).message).toBe('package.json: no "lockstep" key');
  });

  it('fails on a missing explicit file, naming it', () => {
    const root = tree({});
    const error = thrown(() => loadConfig({ cwd: root, configFile: 'lockstep.strict.json' }));
    expect(error.message).toBe('lockstep.strict.json: config file not found');
    expect(error.file).toBe(path.join(root, 'lockstep.strict.json'));
    expect(error.detail).toBe('config file not found');
    expect(error.line).toBeUndefined();
  });

  it('fails on an explicit directory', () => {
    const root = tree({ 'conf/': '' });
    expect(thrown(() => loadConfig({ cwd: root, configFile: 'conf' })).message).toBe('conf: is a directory, not a config file');
  });

  it('names a file outside cwd by its absolute path', () => {
    const root = tree({ 'lockstep.config.json': '{ "nameFallback": 1 }', 'src/': '' });
    expect(thrown(() => loadConfig({ cwd: path.join(root, 'src') })).message).toBe(
      `${path.join(root, 'lockstep.config.json')}: nameFallback must be true or false`,
    );
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('fails on an unreadable file', () => {
    const root = tree({ 'lockstep.config.json': '{}' });
    fs.chmodSync(path.join(root, 'lockstep.config.json'), 0o000);
    expect(thrown(() => loadConfig({ cwd: root })).message).toBe('lockstep.config.json: cannot read the file (EACCES: permission denied)');
  });
});

describe('loadConfig: values and defaults', () => {
  it('fills in defaults for a lock type', () => {
    const root = tree({ 'lockstep.config.json': '{ "lockTypes": [{ "name": "JobLock", "acquire": ["lock"] }] }' });
    expect(loadConfig({ cwd: root }).lockTypes).toEqual([
      { name: 'JobLock', flavor: 'mutex', acquire: ['lock'], tryAcquire: [], release: [], scoped: [], hold: [] },
    ]);
  });

  it('keeps every setting', () => {
    const root = tree({
      'lockstep.config.json': JSON.stringify({
        $schema: './node_modules/@lockstep/analyzer/lockstep.config.schema.json',
        lockTypes: [
          {
            name: 'PoolSlots',
            module: 'my-locks',
            flavor: 'semaphore',
            acquire: ['take', 'takeAsync'],
            tryAcquire: ['tryTake'],
            release: ['give'],
            scoped: ['withSlot'],
            hold: ['slot'],
          },
          { name: 'Reentrant', flavor: 'reentrant', tryAcquire: ['tryEnter'] },
        ],
        exclude: ['generated/**', '**/*.spec.ts'],
        nameFallback: false,
      }),
    });
    expect(loadConfig({ cwd: root })).toEqual({
      lockTypes: [
        {
          name: 'PoolSlots',
          module: 'my-locks',
          flavor: 'semaphore',
          acquire: ['take', 'takeAsync'],
          tryAcquire: ['tryTake'],
          release: ['give'],
          scoped: ['withSlot'],
          hold: ['slot'],
        },
        { name: 'Reentrant', flavor: 'reentrant', acquire: [], tryAcquire: ['tryEnter'], release: [], scoped: [], hold: [] },
      ],
      exclude: ['generated/**', '**/*.spec.ts'],
      nameFallback: false,
      configFile: path.join(root, 'lockstep.config.json'),
    });
  });

  it('resolves a relative module against the config file, not cwd', () => {
    const root = tree({
      'lockstep.config.json': JSON.stringify({
        lockTypes: [
          { name: 'A', module: './src/locks.ts', acquire: ['lock'] },
          { name: 'B', module: '../shared/locks', hold: ['hold'] },
          { name: 'C', module: '@acme/locks', scoped: ['run'] },
        ],
      }),
      'packages/app/': '',
    });
    const modules = loadConfig({ cwd: path.join(root, 'packages', 'app') }).lockTypes.map((lockType) => lockType.module);
    expect(modules).toEqual([path.join(root, 'src', 'locks.ts'), path.join(path.dirname(root), 'shared', 'locks'), '@acme/locks']);
  });

  it('accepts a byte order mark and Windows line ends', () => {
    const root = tree({ 'lockstep.config.json': '\uFEFF{\r\n  "nameFallback": false\r\n}\r\n' });
    expect(loadConfig({ cwd: root }).nameFallback).toBe(false);
  });

  it('accepts $schema at the top level', () => {
    const root = tree({ 'lockstep.config.json': '{ "$schema": "https://example.com/schema.json" }' });
    expect(loadConfig({ cwd: root }).lockTypes).toEqual([]);
  });
});

describe('loadConfig: invalid JSON, with line and column', () => {
  it.each([
    ['{ "nameFallback": true, }', 'lockstep.config.json:1:23: invalid JSON: trailing comma before "}"'],
    ['{\n  "exclude": ["a",]\n}', 'lockstep.config.json:2:18: invalid JSON: trailing comma before "]"'],
    ['{\n  // no comments\n}', 'lockstep.config.json:2:3: invalid JSON: comments are not allowed in JSON'],
    ['{ nameFallback: true }', 'lockstep.config.json:1:3: invalid JSON: property names must be in double quotes'],
    ["{ 'nameFallback': true }", 'lockstep.config.json:1:3: invalid JSON: strings must be in double quotes'],
    ['{ "nameFallback" true }', 'lockstep.config.json:1:18: invalid JSON: unexpected "true", expected ":" after property name "nameFallback"'],
    ['{ "nameFallback": tru }', 'lockstep.config.json:1:19: invalid JSON: unexpected "tru", expected a value'],
    ['{ "exclude": [] "nameFallback": true }', 'lockstep.config.json:1:17: invalid JSON: unexpected "\\"", expected "," or "}" after a property value'],
    ['{ "exclude": ["a" "b"] }', 'lockstep.config.json:1:19: invalid JSON: unexpected "\\"", expected "," or "]" after an array element'],
    ['{ "exclude": ["a\nb"] }', 'lockstep.config.json:1:17: invalid JSON: control character in string (write it as an escape such as \\n)'],
    ['{ "exclude": ["a\\qb"] }', 'lockstep.config.json:1:17: invalid JSON: invalid escape "\\q" in string'],
    ['{ "exclude": ["abc', 'lockstep.config.json:1:15: invalid JSON: unterminated string'],
    ['{ "lockTypes": [', 'lockstep.config.json:1:17: invalid JSON: unexpected end of file, expected a value'],
    ['{}\n{}', 'lockstep.config.json:2:1: invalid JSON: unexpected "{", expected the end of the file'],
    ['  \n', 'lockstep.config.json:2:1: invalid JSON: the file is empty'],
    ['', 'lockstep.config.json:1:1: invalid JSON: the file is empty'],
  ])('%j', (text, message) => {
    expect(errorFor(text).message).toBe(message);
  });

  it('puts the position on the error too', () => {
    const error = errorFor('{\n  "a": 1,\n}');
    expect([error.line, error.column, error.detail]).toEqual([2, 9, 'invalid JSON: trailing comma before "}"']);
  });

  it('parses escapes as JSON does', () => {
    const root = tree({ 'lockstep.config.json': '{ "exclude": ["a\\\\b", "\\u00e9\\tx", "\\"q\\""] }' });
    expect(loadConfig({ cwd: root }).exclude).toEqual(['a\\b', 'é\tx', '"q"']);
  });
});

describe('loadConfig: unknown and duplicate keys', () => {
  it('suggests the key a typo meant', () => {
    expect(errorFor('{ "lockTyps": [] }').message).toBe('lockstep.config.json: unknown key "lockTyps" (did you mean "lockTypes"?)');
    expect(errorFor('{ "namefallback": true }').message).toBe(
      'lockstep.config.json: unknown key "namefallback" (did you mean "nameFallback"?)',
    );
    expect(errorFor('{ "include": ["src"] }').message).toBe('lockstep.config.json: unknown key "include" (did you mean "exclude"?)');
  });

  it('names the object of a nested unknown key', () => {
    expect(lockTypeError('{ "name": "A", "acquire": ["a"] }, { "name": "B", "aquire": ["lock"] }')).toBe(
      'lockstep.config.json: unknown key "aquire" in lockTypes[1] (did you mean "acquire"?)',
    );
    expect(lockTypeError('{ "name": "A", "flavour": "mutex", "acquire": ["a"] }')).toBe(
      'lockstep.config.json: unknown key "flavour" in lockTypes[0] (did you mean "flavor"?)',
    );
  });

  it('lists the allowed keys when nothing is close', () => {
    expect(errorFor('{ "files": ["src"] }').message).toBe(
      'lockstep.config.json: unknown key "files" (expected "$schema", "lockTypes", "exclude", "nameFallback")',
    );
  });

  it('rejects a duplicate key', () => {
    expect(errorFor('{ "exclude": [], "exclude": ["x"] }').message).toBe('lockstep.config.json: duplicate key "exclude"');
  });

  it('prefixes paths with "lockstep" in package.json', () => {
    const cwd = tree({ 'package.json': '{ "name": "x", "lockstep": { "lockTyps": [] } }' });
    expect(thrown(() => loadConfig({ cwd })).message).toBe('package.json: unknown key "lockTyps" in lockstep (did you mean "lockTypes"?)');
    const other = tree({ 'package.json': '{ "lockstep": { "lockTypes": [{ "name": "", "acquire": ["a"] }] } }' });
    expect(thrown(() => loadConfig({ cwd: other })).message).toBe('package.json: lockstep.lockTypes[0].name must not be empty');
  });

  it('requires the "lockstep" key of package.json to be an object', () => {
    const cwd = tree({ 'package.json': '{ "lockstep": true }' });
    expect(thrown(() => loadConfig({ cwd })).message).toBe('package.json: lockstep must be an object');
  });

  it('gives the position of the offending key', () => {
    const error = errorFor('{\n  "lockTypes": [],\n  "lockTyps": []\n}');
    expect([error.line, error.column]).toEqual([3, 3]);
  });
});

describe('loadConfig: wrong types and values', () => {
  it.each([
    ['[]', 'the configuration must be a JSON object'],
    ['{ "$schema": 1 }', '$schema must be a string'],
    ['{ "lockTypes": {} }', 'lockTypes must be an array of lock types'],
    ['{ "lockTypes": ["JobLock"] }', 'lockTypes[0] must be an object'],
    ['{ "exclude": "dist/**" }', 'exclude must be an array of glob patterns'],
    ['{ "exclude": [1] }', 'exclude[0] must be a glob pattern (a string)'],
    ['{ "exclude": ["a", ""] }', 'exclude[1] must not be empty'],
    ['{ "exclude": ["!keep/**"] }', 'exclude[0] must not start with "!" (negated patterns are not supported)'],
    ['{ "nameFallback": "yes" }', 'nameFallback must be true or false'],
  ])('%s', (text, detail) => {
    expect(errorFor(text).message).toBe(`lockstep.config.json: ${detail}`);
  });

  it.each([
    ['{ "acquire": ["lock"] }', 'lockTypes[0].name is required (the class or interface name)'],
    ['{ "name": 3, "acquire": ["lock"] }', 'lockTypes[0].name must be a string (the class or interface name)'],
    ['{ "name": "", "acquire": ["lock"] }', 'lockTypes[0].name must not be empty'],
    ['{ "name": "   ", "acquire": ["lock"] }', 'lockTypes[0].name must not be empty'],
    ['{ "name": " JobLock", "acquire": ["lock"] }', 'lockTypes[0].name must not start or end with spaces'],
    ['{ "name": "J", "module": "", "acquire": ["lock"] }', 'lockTypes[0].module must not be empty'],
    [
      '{ "name": "J", "module": ["a"], "acquire": ["lock"] }',
      'lockTypes[0].module must be a string (a package name or a path relative to the config file)',
    ],
    ['{ "name": "J", "flavor": "rwlock", "acquire": ["lock"] }', 'lockTypes[0].flavor must be one of "mutex", "reentrant", "semaphore" (got "rwlock")'],
    ['{ "name": "J", "flavor": 2, "acquire": ["lock"] }', 'lockTypes[0].flavor must be one of "mutex", "reentrant", "semaphore" (got 2)'],
    ['{ "name": "J", "acquire": "lock" }', 'lockTypes[0].acquire must be an array of method names'],
    ['{ "name": "J", "acquire": ["lock"], "release": [null] }', 'lockTypes[0].release[0] must be a method name (a string)'],
    ['{ "name": "J", "acquire": ["lock", ""] }', 'lockTypes[0].acquire[1] must not be empty'],
    ['{ "name": "J", "acquire": [], "hold": {} }', 'lockTypes[0].hold must be an array of method names'],
  ])('%s', (lockType, detail) => {
    expect(lockTypeError(lockType)).toBe(`lockstep.config.json: ${detail}`);
  });

  it('uses the index of the lock type at fault', () => {
    expect(lockTypeError('{ "name": "A", "acquire": ["a"] }, { "name": "B", "acquire": "lock" }')).toBe(
      'lockstep.config.json: lockTypes[1].acquire must be an array of method names',
    );
  });

  it('rejects a lock type with no method that takes the lock', () => {
    const message = 'has no method that takes the lock: list at least one in acquire, tryAcquire, scoped or hold';
    expect(lockTypeError('{ "name": "JobLock" }')).toBe(`lockstep.config.json: lockTypes[0] ("JobLock") ${message}`);
    expect(lockTypeError('{ "name": "JobLock", "acquire": [], "release": ["unlock"] }')).toBe(
      `lockstep.config.json: lockTypes[0] ("JobLock") ${message}`,
    );
  });

  it('rejects a method given two roles', () => {
    expect(lockTypeError('{ "name": "J", "acquire": ["lock"], "release": ["unlock", "lock"] }')).toBe(
      'lockstep.config.json: lockTypes[0].release[1] ("lock") is already listed in lockTypes[0].acquire: a method has one role',
    );
  });

  it('points at the value at fault', () => {
    const error = errorFor('{\n  "lockTypes": [\n    { "name": "J", "acquire": "lock" }\n  ]\n}');
    expect([error.line, error.column]).toEqual([3, 31]);
    expect(error.file).toMatch(/lockstep\.config\.json$/);
  });
});

describe('lockstep.config.schema.json', () => {
  const schemaFile = fileURLToPath(new URL('../../lockstep.config.schema.json', import.meta.url));
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as {
    additionalProperties: boolean;
    properties: Record<string, unknown>;
    definitions: { lockType: { additionalProperties: boolean; required: string[]; properties: Record<string, { enum?: string[] }> } };
  };

  it('allows exactly the keys the loader allows', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(['$schema', 'exclude', 'lockTypes', 'nameFallback']);
    const lockType = schema.definitions.lockType;
    expect(lockType.additionalProperties).toBe(false);
    expect(lockType.required).toEqual(['name']);
    expect(Object.keys(lockType.properties).sort()).toEqual(
      ['acquire', 'flavor', 'hold', 'module', 'name', 'release', 'scoped', 'tryAcquire'].sort(),
    );
    expect(lockType.properties['flavor']?.enum).toEqual(['mutex', 'reentrant', 'semaphore']);
  });

  it('is a valid config to point $schema at', () => {
    const root = tree({ 'lockstep.config.json': JSON.stringify({ $schema: schemaFile }) });
    expect(loadConfig({ cwd: root }).configFile).toBe(path.join(root, 'lockstep.config.json'));
  });
});
