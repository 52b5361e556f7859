/**
 * One package's ESLint run for `bench/real-world.ts`, in a process of its own (its TypeScript program
 * and typescript-eslint's caches go when it exits):
 *
 *   node bench/.build/js/real-world/eslint-worker.js <request.json> <output.json>
 *
 * ESLint's Node API from the repository's install, with no config file: typescript-eslint's parser with
 * type information from the package's generated tsconfig, and `@lockstep/eslint-plugin`'s
 * `configs.recommended` as the only rules. Inline configuration in the package (`eslint-disable`
 * comments written for the package's own linting) is ignored: it was not written with our rules in mind,
 * and every finding is counted. Writes each message of a `@lockstep/` rule, and any parse error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

export interface RealWorldEslintRequest {
  /** The package's copy: ESLint's working directory. */
  readonly dir: string;
  readonly tsconfig: string;
  /** The files to lint, relative to `dir`. */
  readonly files: readonly string[];
}

export interface RealWorldEslintMessage {
  readonly ruleId: string;
  /** Relative to the package root, `/` separators. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface RealWorldEslintResult {
  readonly messages: readonly RealWorldEslintMessage[];
  /** Parse errors: a file ESLint could not read as JavaScript or TypeScript. */
  readonly fatal: readonly { readonly file: string; readonly line: number; readonly message: string }[];
  /** The rules `configs.recommended` enabled in this run. */
  readonly rules: readonly string[];
}

const OUR_PREFIX = '@lockstep/';

async function lint(request: RealWorldEslintRequest): Promise<RealWorldEslintResult> {
  // Imported here, not at the top, so a missing build says which package is not built.
  const { default: lockstep } = await import('@lockstep/eslint-plugin');
  const files = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'];
  const config: Linter.Config[] = [
    {
      files,
      languageOptions: { parser: tseslint.parser, parserOptions: { project: request.tsconfig, tsconfigRootDir: request.dir } },
      linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
    },
    { ...(lockstep.configs.recommended as Linter.Config), files },
  ];
  const eslint = new ESLint({ cwd: request.dir, overrideConfigFile: true, overrideConfig: config, errorOnUnmatchedPattern: true });
  const results = await eslint.lintFiles([...request.files]);
  const messages: RealWorldEslintMessage[] = [];
  const fatal: { file: string; line: number; message: string }[] = [];
  for (const result of results) {
    const file = relative(request.dir, result.filePath).split(sep).join('/');
    for (const m of result.messages) {
      if (m.fatal === true) fatal.push({ file, line: m.line, message: m.message });
      else if (m.ruleId?.startsWith(OUR_PREFIX) === true) messages.push({ ruleId: m.ruleId, file, line: m.line, column: m.column, message: m.message });
    }
  }
  const rules = Object.entries(lockstep.configs.recommended.rules ?? {})
    .filter(([, level]) => level !== 'off' && level !== 0)
    .map(([id]) => id);
  return { messages, fatal, rules };
}

const [requestFile, output] = process.argv.slice(2);
if (requestFile === undefined || output === undefined) {
  console.error('usage: eslint-worker.js <request.json> <output.json>');
  process.exit(2);
}
const result = await lint(JSON.parse(readFileSync(requestFile, 'utf8')) as RealWorldEslintRequest);
writeFileSync(output, JSON.stringify(result));
